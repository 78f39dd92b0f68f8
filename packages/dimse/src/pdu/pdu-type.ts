/** PDU types of the DICOM upper layer (PS3.8 §9.3). */
export const PduType = {
  AssociateRequest: 0x01,
  AssociateAccept: 0x02,
  AssociateReject: 0x03,
  DataTransfer: 0x04,
  ReleaseRequest: 0x05,
  ReleaseResponse: 0x06,
  Abort: 0x07,
} as const;

/** One of {@link PduType}. */
export type PduTypeValue = (typeof PduType)[keyof typeof PduType];

/** The DICOM Application Context Name (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Bytes of a PDU header: type, reserved, 32-bit length (PS3.8 §9.3.1). */
export const PDU_HEADER_LENGTH = 6;

/** Bytes of a PDV item header inside a P-DATA-TF: 32-bit length, context ID, control header (PS3.8 §9.3.5.1). */
export const PDV_HEADER_LENGTH = 6;

/** Result of one presentation context in an A-ASSOCIATE-AC (PS3.8 §9.3.3.2). */
export const PresentationContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const;

/** One of {@link PresentationContextResult}. */
export type PresentationContextResultValue =
  (typeof PresentationContextResult)[keyof typeof PresentationContextResult];

/** A-ASSOCIATE-RJ fields (PS3.8 §9.3.4, Table 9-21). */
export const RejectResult = { Permanent: 1, Transient: 2 } as const;

/** Who rejects and why (PS3.8 Table 9-21): source, then reason. */
export const RejectReason = {
  /** Service user: no reason given. */
  UserNoReason: { source: 1, reason: 1 },
  /** Service user: application context name not supported. */
  ApplicationContextNotSupported: { source: 1, reason: 2 },
  /** Service user: calling AE title not recognized. */
  CallingAeNotRecognized: { source: 1, reason: 3 },
  /** Service user: called AE title not recognized. */
  CalledAeNotRecognized: { source: 1, reason: 7 },
  /** Service provider (ACSE): protocol version not supported. */
  ProtocolVersionNotSupported: { source: 2, reason: 2 },
  /** Service provider (presentation): temporary congestion. */
  TemporaryCongestion: { source: 3, reason: 1 },
  /** Service provider (presentation): local limit exceeded. */
  LocalLimitExceeded: { source: 3, reason: 2 },
} as const;

/** A-ABORT source and reason (PS3.8 §9.3.8, Table 9-26). */
export const AbortReason = {
  /** Service user initiated (reason not significant). */
  User: { source: 0, reason: 0 },
  NotSpecified: { source: 2, reason: 0 },
  UnrecognizedPdu: { source: 2, reason: 1 },
  UnexpectedPdu: { source: 2, reason: 2 },
  UnrecognizedPduParameter: { source: 2, reason: 4 },
  UnexpectedPduParameter: { source: 2, reason: 5 },
  InvalidPduParameterValue: { source: 2, reason: 6 },
} as const;

/** An A-ASSOCIATE-RJ or A-ABORT source/reason pair. */
export interface SourceAndReason {
  source: number;
  reason: number;
}

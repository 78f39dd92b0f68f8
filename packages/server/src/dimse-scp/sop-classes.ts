import {
  STORAGE_SOP_CLASS_UIDS,
  TransferSyntaxUid,
  lookupTransferSyntax,
  retiredStorageSopClassUids,
} from '@lightbox/dicom';

/** SOP classes of the services Lightbox provides as an SCP (PS3.4). */
export const ServiceSopClass = {
  Verification: '1.2.840.10008.1.1',
  PatientRootFind: '1.2.840.10008.5.1.4.1.2.1.1',
  PatientRootMove: '1.2.840.10008.5.1.4.1.2.1.2',
  PatientRootGet: '1.2.840.10008.5.1.4.1.2.1.3',
  StudyRootFind: '1.2.840.10008.5.1.4.1.2.2.1',
  StudyRootMove: '1.2.840.10008.5.1.4.1.2.2.2',
  StudyRootGet: '1.2.840.10008.5.1.4.1.2.2.3',
  StorageCommitmentPushModel: '1.2.840.10008.1.20.1',
  /** Modality Worklist Information Model – FIND (PS3.4 K.6.1). */
  ModalityWorklistFind: '1.2.840.10008.5.1.4.31',
  /** Modality Performed Procedure Step (PS3.4 F.7). */
  ModalityPerformedProcedureStep: '1.2.840.10008.3.1.2.3.3',
} as const;

// Retired classes too: old modalities still send them (e.g. the pre-1996 ultrasound and NM images).
const STORAGE: ReadonlySet<string> = new Set([...STORAGE_SOP_CLASS_UIDS, ...retiredStorageSopClassUids()]);

/**
 * True for the storage SOP classes of PS3.4 Annex B, current and retired, and for the vendors' private
 * storage classes configured (`dicom.privateStorageSopClasses`).
 */
export function isStorageSopClass(uid: string, privateStorage: ReadonlySet<string> = new Set()): boolean {
  return STORAGE.has(uid) || privateStorage.has(uid);
}

const QUERY_RETRIEVE: ReadonlySet<string> = new Set([
  ServiceSopClass.PatientRootFind,
  ServiceSopClass.PatientRootMove,
  ServiceSopClass.PatientRootGet,
  ServiceSopClass.StudyRootFind,
  ServiceSopClass.StudyRootMove,
  ServiceSopClass.StudyRootGet,
]);

/** True for the query/retrieve SOP classes (FIND, MOVE, GET) of PS3.4 Annex C. */
export function isQuerySopClass(uid: string): boolean {
  return QUERY_RETRIEVE.has(uid);
}

/** Uncompressed transfer syntaxes, in our order of preference (explicit first: it keeps the VRs). */
const UNCOMPRESSED: readonly string[] = [
  TransferSyntaxUid.ExplicitVRLittleEndian,
  TransferSyntaxUid.ImplicitVRLittleEndian,
  TransferSyntaxUid.ExplicitVRBigEndian,
];

/**
 * Transfer syntaxes accepted for storage: uncompressed first, then every compressed syntax we can parse,
 * taken as sent and stored byte for byte (issue #3 §1). JPIP references carry no pixels and are refused.
 */
const JPIP: ReadonlySet<string> = new Set([
  TransferSyntaxUid.JPIPReferenced,
  TransferSyntaxUid.JPIPReferencedDeflate,
  TransferSyntaxUid.JPIPHTJ2KReferenced,
  TransferSyntaxUid.JPIPHTJ2KReferencedDeflate,
]);

/**
 * Transfer syntaxes accepted for storage: uncompressed first, then every other syntax we can parse, taken
 * as sent and stored byte for byte (issue #3 §1). JPIP references carry no pixels and are refused.
 */
export const STORAGE_TRANSFER_SYNTAXES: readonly string[] = [
  ...UNCOMPRESSED,
  ...Object.values(TransferSyntaxUid).filter(
    (uid) => !UNCOMPRESSED.includes(uid) && !JPIP.has(uid) && lookupTransferSyntax(uid) !== undefined,
  ),
];

/**
 * The transfer syntaxes accepted for an abstract syntax, or undefined when it is not supported;
 * `privateStorage`: the private storage SOP classes accepted.
 */
export function acceptableTransferSyntaxes(
  abstractSyntax: string,
  privateStorage: ReadonlySet<string> = new Set(),
): readonly string[] | undefined {
  if (isStorageSopClass(abstractSyntax, privateStorage)) return STORAGE_TRANSFER_SYNTAXES;
  if (
    abstractSyntax === ServiceSopClass.Verification ||
    abstractSyntax === ServiceSopClass.StorageCommitmentPushModel ||
    abstractSyntax === ServiceSopClass.ModalityWorklistFind ||
    abstractSyntax === ServiceSopClass.ModalityPerformedProcedureStep ||
    isQuerySopClass(abstractSyntax)
  ) {
    return UNCOMPRESSED;
  }
  return undefined;
}

/** DIMSE command fields (PS3.7 §9.3, §10.3; Annex E). */
export const CommandField = {
  CStoreRq: 0x0001,
  CStoreRsp: 0x8001,
  CGetRq: 0x0010,
  CGetRsp: 0x8010,
  CFindRq: 0x0020,
  CFindRsp: 0x8020,
  CMoveRq: 0x0021,
  CMoveRsp: 0x8021,
  CEchoRq: 0x0030,
  CEchoRsp: 0x8030,
  NEventReportRq: 0x0100,
  NEventReportRsp: 0x8100,
  NGetRq: 0x0110,
  NGetRsp: 0x8110,
  NSetRq: 0x0120,
  NSetRsp: 0x8120,
  NActionRq: 0x0130,
  NActionRsp: 0x8130,
  NCreateRq: 0x0140,
  NCreateRsp: 0x8140,
  NDeleteRq: 0x0150,
  NDeleteRsp: 0x8150,
  CCancelRq: 0x0fff,
} as const;

/** Command Data Set Type (0000,0800) value meaning "no data set" (PS3.7 Table E.1-1). */
export const NO_DATA_SET = 0x0101;

/** Priority (0000,0700): medium (PS3.7 Table E.1-1). */
export const PRIORITY_MEDIUM = 0x0000;

/** DIMSE status codes used by the services (PS3.7 Annex C; PS3.4 Annexes B, C). */
export const Status = {
  Success: 0x0000,
  Pending: 0xff00,
  PendingWithWarnings: 0xff01,
  Cancel: 0xfe00,
  /** C-STORE "Coercion of Data Elements" warning (PS3.4 B.2.3). */
  CoercionOfDataElements: 0xb000,
  /** Sub-operations complete, one or more failures or warnings (PS3.4 C.4.2.1.5). */
  SubOperationsWarning: 0xb000,
  /** Duplicate SOP Instance (PS3.7 C.5.8). */
  DuplicateSopInstance: 0x0111,
  /** No such SOP class (PS3.7 C.5.13). */
  NoSuchSopClass: 0x0118,
  /** SOP class not supported (PS3.7 C.5.16). */
  SopClassNotSupported: 0x0122,
  /** Processing failure (PS3.7 C.4.2). */
  ProcessingFailure: 0x0110,
  /** Not authorized (PS3.7 C.5.24). */
  NotAuthorized: 0x0124,
  /** Refused: out of resources (PS3.4 B.2.3, C.4.1.1.4). */
  OutOfResources: 0xa700,
  /** Refused: out of resources, unable to calculate number of matches (PS3.4 C.4.2.1.5). */
  OutOfResourcesMatches: 0xa701,
  /** Refused: out of resources, unable to perform sub-operations. */
  OutOfResourcesSubOperations: 0xa702,
  /** Refused: move destination unknown (PS3.4 C.4.2.1.5). */
  MoveDestinationUnknown: 0xa801,
  /** Error: data set does not match SOP class (PS3.4 B.2.3). */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** Failed: identifier does not match SOP class (PS3.4 C.4.1.1.4). */
  IdentifierDoesNotMatchSopClass: 0xa900,
  /** Error: cannot understand (PS3.4 B.2.3 and C.4.1.1.4: C000–CFFF). */
  CannotUnderstand: 0xc000,
  /** Unable to process (PS3.4 C.4.1.1.4). */
  UnableToProcess: 0xc001,
} as const;

/** True for the Pending statuses FF00 and FF01. */
export function isPending(status: number): boolean {
  return status === Status.Pending || status === Status.PendingWithWarnings;
}

/** The short PDUs: A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT (PS3.8 §9.3.4, §9.3.6–9.3.8). */
import { ByteCursor, pdu } from './byte-cursor.js';
import { PduType, type SourceAndReason } from './pdu-type.js';

/** An A-ASSOCIATE-RJ. */
export interface AssociateReject extends SourceAndReason {
  /** 1 permanent, 2 transient. */
  result: number;
}

/** Encodes an A-ASSOCIATE-RJ PDU. */
export function encodeAssociateReject(reject: AssociateReject): Uint8Array {
  return pdu(PduType.AssociateReject, Uint8Array.of(0, reject.result, reject.source, reject.reason));
}

/** Decodes the body of an A-ASSOCIATE-RJ PDU. */
export function decodeAssociateReject(body: Uint8Array): AssociateReject {
  const cursor = new ByteCursor(body);
  cursor.skip(1, 'reserved');
  return { result: cursor.uint8('result'), source: cursor.uint8('source'), reason: cursor.uint8('reason') };
}

/** Encodes an A-RELEASE-RQ PDU. */
export function encodeReleaseRequest(): Uint8Array {
  return pdu(PduType.ReleaseRequest, new Uint8Array(4));
}

/** Encodes an A-RELEASE-RP PDU. */
export function encodeReleaseResponse(): Uint8Array {
  return pdu(PduType.ReleaseResponse, new Uint8Array(4));
}

/** Encodes an A-ABORT PDU. */
export function encodeAbort(abort: SourceAndReason): Uint8Array {
  return pdu(PduType.Abort, Uint8Array.of(0, 0, abort.source, abort.reason));
}

/** Decodes the body of an A-ABORT PDU. */
export function decodeAbort(body: Uint8Array): SourceAndReason {
  const cursor = new ByteCursor(body);
  cursor.skip(2, 'reserved');
  return { source: cursor.uint8('source'), reason: cursor.uint8('reason') };
}

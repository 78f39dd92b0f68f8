import { describe, expect, it } from 'vitest';
import {
  decodeAbort,
  decodeAssociateReject,
  encodeAbort,
  encodeAssociateReject,
  encodeReleaseRequest,
  encodeReleaseResponse,
} from './control-pdus.js';
import { PduError } from './pdu-error.js';
import { AbortReason, RejectReason, RejectResult } from './pdu-type.js';

describe('A-ASSOCIATE-RJ', () => {
  it('encodes type 03, length 4 and the body `00 result source reason`', () => {
    const bytes = encodeAssociateReject({
      result: RejectResult.Permanent,
      ...RejectReason.CalledAeNotRecognized,
    });
    expect(Array.from(bytes)).toEqual([0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x01, 0x07]);
  });

  it('decodes what it encodes', () => {
    const reject = { result: RejectResult.Transient, ...RejectReason.TemporaryCongestion };
    expect(decodeAssociateReject(encodeAssociateReject(reject).subarray(6))).toEqual({
      result: 2,
      source: 3,
      reason: 1,
    });
  });
});

describe('A-RELEASE-RQ and A-RELEASE-RP', () => {
  it('encodes both with a body of four reserved zero bytes', () => {
    expect(Array.from(encodeReleaseRequest())).toEqual([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
    expect(Array.from(encodeReleaseResponse())).toEqual([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
  });
});

describe('A-ABORT', () => {
  it('encodes type 07, length 4 and the body `00 00 source reason`', () => {
    expect(Array.from(encodeAbort(AbortReason.UnexpectedPduParameter))).toEqual([
      0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x05,
    ]);
    expect(Array.from(encodeAbort(AbortReason.User).subarray(6))).toEqual([0, 0, 0, 0]);
  });

  it('decodes source and reason from the body', () => {
    expect(decodeAbort(Uint8Array.of(0, 0, 2, 6))).toEqual({ source: 2, reason: 6 });
    expect(decodeAbort(encodeAbort(AbortReason.UnrecognizedPdu).subarray(6))).toEqual(
      AbortReason.UnrecognizedPdu,
    );
  });

  it('refuses a truncated body', () => {
    expect(() => decodeAbort(Uint8Array.of(0, 0, 2))).toThrow(PduError);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type AssociateAccept,
  type AssociateRequest,
  decodeAssociateAccept,
  decodeAssociateRequest,
  encodeAssociateAccept,
  encodeAssociateRequest,
  isAccepted,
} from './associate-pdu.js';
import { ByteBuilder } from './byte-cursor.js';
import { PduError } from './pdu-error.js';
import { AbortReason, DICOM_APPLICATION_CONTEXT, PresentationContextResult } from './pdu-type.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_UID = '1.2.826.0.1.3680043.10.1234';

const ascii = (text: string): number[] => Array.from(Buffer.from(text, 'latin1'));
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

interface RawItem {
  type: number;
  body: Uint8Array;
}

/** The items (type, reserved, 16-bit length, body) between `start` and the end of `bytes`. */
function rawItems(bytes: Uint8Array, start: number): RawItem[] {
  const out: RawItem[] = [];
  for (let at = start; at < bytes.length;) {
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    expect(bytes[at + 1]).toBe(0);
    out.push({ type: bytes[at]!, body: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return out;
}

function rawItem(type: number, body: number[]): number[] {
  return [type, 0, body.length >>> 8, body.length & 0xff, ...body];
}

const request: AssociateRequest = {
  protocolVersion: 1,
  calledAeTitle: 'ANY-SCP',
  callingAeTitle: 'LIGHTBOX',
  applicationContext: DICOM_APPLICATION_CONTEXT,
  presentationContexts: [
    { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
    { id: 3, abstractSyntax: CT, transferSyntaxes: [EXPLICIT, IMPLICIT] },
  ],
  user: {
    maxLength: 16384,
    implementationClassUid: IMPLEMENTATION_UID,
    implementationVersionName: 'LIGHTBOX_010',
    asyncOperations: { invoked: 5, performed: 1 },
    roles: [
      { sopClassUid: CT, scu: false, scp: true },
      { sopClassUid: VERIFICATION, scu: true, scp: false },
    ],
    extendedNegotiation: [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', info: Uint8Array.of(1, 1, 0) }],
    userIdentity: {
      type: 2,
      positiveResponseRequested: true,
      primaryField: Uint8Array.from(ascii('alice')),
      secondaryField: Uint8Array.from(ascii('s3cret')),
    },
  },
};

/** The minimal request body: fixed header, application context, user information with max length only. */
function requestBody(items: number[]): Uint8Array {
  return new ByteBuilder()
    .uint16(1)
    .uint16(0)
    .bytes(Uint8Array.from(ascii('ANY-SCP         ')))
    .bytes(Uint8Array.from(ascii('LIGHTBOX        ')))
    .bytes(new Uint8Array(32))
    .bytes(Uint8Array.from(rawItem(0x10, ascii(DICOM_APPLICATION_CONTEXT))))
    .bytes(Uint8Array.from(items))
    .build();
}

describe('encodeAssociateRequest', () => {
  const bytes = encodeAssociateRequest(request);

  it('writes the fixed fields of PS3.8 Table 9-11', () => {
    expect(bytes[0]).toBe(0x01);
    expect(bytes[1]).toBe(0x00);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(2)).toBe(bytes.length - 6);
    expect(Array.from(bytes.subarray(6, 10))).toEqual([0x00, 0x01, 0x00, 0x00]);
    expect(text(bytes.subarray(10, 26))).toBe('ANY-SCP         ');
    expect(text(bytes.subarray(26, 42))).toBe('LIGHTBOX        ');
    expect(bytes.subarray(42, 74).every((b) => b === 0)).toBe(true);
  });

  it('writes the application context, presentation context and user information items in order', () => {
    const items = rawItems(bytes, 74);
    expect(items.map((i) => i.type)).toEqual([0x10, 0x20, 0x20, 0x50]);
    expect(text(items[0]!.body)).toBe(DICOM_APPLICATION_CONTEXT);
    const ct = items[2]!.body;
    expect(Array.from(ct.subarray(0, 4))).toEqual([0x03, 0x00, 0x00, 0x00]);
    expect(rawItems(ct, 4).map((i) => [i.type, text(i.body)])).toEqual([
      [0x30, CT],
      [0x40, EXPLICIT],
      [0x40, IMPLICIT],
    ]);
  });

  it('writes the user information sub-items with the layouts of PS3.7 Annex D.3.3', () => {
    const user = rawItems(rawItems(bytes, 74)[3]!.body, 0);
    expect(user.map((i) => i.type)).toEqual([0x51, 0x52, 0x53, 0x54, 0x54, 0x55, 0x56, 0x58]);
    const body = (index: number): number[] => Array.from(user[index]!.body);
    expect(body(0)).toEqual([0x00, 0x00, 0x40, 0x00]);
    expect(body(1)).toEqual(ascii(IMPLEMENTATION_UID));
    expect(body(2)).toEqual([0x00, 0x05, 0x00, 0x01]);
    expect(body(3)).toEqual([0x00, CT.length, ...ascii(CT), 0x00, 0x01]);
    expect(body(4)).toEqual([0x00, VERIFICATION.length, ...ascii(VERIFICATION), 0x01, 0x00]);
    expect(body(5)).toEqual(ascii('LIGHTBOX_010'));
    expect(body(6)).toEqual([0x00, 27, ...ascii('1.2.840.10008.5.1.4.1.2.2.1'), 1, 1, 0]);
    expect(body(7)).toEqual([0x02, 0x01, 0x00, 0x05, ...ascii('alice'), 0x00, 0x06, ...ascii('s3cret')]);
  });

  it('cuts AE titles and the implementation version name to 16 characters', () => {
    const long = encodeAssociateRequest({
      ...request,
      calledAeTitle: 'A'.repeat(20),
      user: { ...request.user, implementationVersionName: 'V'.repeat(20) },
    });
    expect(text(long.subarray(10, 26))).toBe('A'.repeat(16));
    expect(decodeAssociateRequest(long.subarray(6)).user.implementationVersionName).toBe('V'.repeat(16));
  });
});

describe('decodeAssociateRequest', () => {
  it('decodes every field it encoded', () => {
    expect(decodeAssociateRequest(encodeAssociateRequest(request).subarray(6))).toEqual(request);
  });

  it('strips trailing NUL padding from UIDs and NUL padding from AE titles', () => {
    const body = requestBody([]);
    body.set(ascii('ANY-SCP\0\0\0\0\0\0\0\0\0'), 4);
    const padded = Uint8Array.from([
      ...body,
      ...rawItem(0x20, [
        1,
        0,
        0,
        0,
        ...rawItem(0x30, ascii(`${VERIFICATION}\0`)),
        ...rawItem(0x40, ascii(`${IMPLICIT}\0`)),
      ]),
      ...rawItem(0x50, [
        ...rawItem(0x51, [0, 0, 0x10, 0]),
        ...rawItem(0x52, ascii(`${IMPLEMENTATION_UID}\0`)),
      ]),
    ]);
    const decoded = decodeAssociateRequest(padded);
    expect(decoded.calledAeTitle).toBe('ANY-SCP');
    expect(decoded.presentationContexts).toEqual([
      { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
    ]);
    expect(decoded.user.implementationClassUid).toBe(IMPLEMENTATION_UID);
    expect(decoded.user.maxLength).toBe(4096);
  });

  it('skips unknown user information sub-items and reads a user identity without secondary field', () => {
    const decoded = decodeAssociateRequest(
      requestBody(
        rawItem(0x50, [
          ...rawItem(0x51, [0, 0, 0, 0]),
          ...rawItem(0x57, [0, 2, 0x31, 0x32, 0, 0, 0, 0]),
          ...rawItem(0x7f, [1, 2, 3]),
          ...rawItem(0x58, [0x01, 0x00, 0x00, 0x03, ...ascii('bob')]),
        ]),
      ),
    );
    expect(decoded.user).toEqual({
      maxLength: 0,
      implementationClassUid: '',
      roles: [],
      extendedNegotiation: [],
      userIdentity: {
        type: 1,
        positiveResponseRequested: false,
        primaryField: Uint8Array.from(ascii('bob')),
        secondaryField: new Uint8Array(0),
      },
    });
  });

  it('refuses an item whose length runs past the end of the PDU', () => {
    const body = requestBody(rawItem(0x50, rawItem(0x51, [0, 0, 0, 0])));
    expect(() => decodeAssociateRequest(body.subarray(0, body.length - 1))).toThrow(PduError);
  });

  it('refuses a presentation context answer item (0x21) with abort reason "unexpected PDU parameter"', () => {
    const body = requestBody([...rawItem(0x21, [1, 0, 0, 0]), ...rawItem(0x50, rawItem(0x51, [0, 0, 0, 0]))]);
    expect(() => decodeAssociateRequest(body)).toThrow(
      expect.objectContaining({ name: 'PduError', abort: AbortReason.UnexpectedPduParameter }),
    );
  });

  it('refuses a request without user information', () => {
    expect(() => decodeAssociateRequest(requestBody([]))).toThrow(PduError);
  });
});

describe('A-ASSOCIATE-AC', () => {
  const accept: AssociateAccept = {
    protocolVersion: 1,
    calledAeTitle: 'ANY-SCP',
    callingAeTitle: 'LIGHTBOX',
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: [
      { id: 1, result: PresentationContextResult.Acceptance, transferSyntax: IMPLICIT },
      { id: 3, result: PresentationContextResult.AbstractSyntaxNotSupported, transferSyntax: EXPLICIT },
      { id: 5, result: PresentationContextResult.TransferSyntaxesNotSupported, transferSyntax: IMPLICIT },
    ],
    user: {
      maxLength: 0,
      implementationClassUid: IMPLEMENTATION_UID,
      roles: [{ sopClassUid: CT, scu: false, scp: true }],
      extendedNegotiation: [],
      userIdentityResponse: Uint8Array.of(0xde, 0xad),
    },
  };
  const bytes = encodeAssociateAccept(accept);

  it('writes type 02 and a presentation context item 0x21 with ID, result and one transfer syntax', () => {
    expect(bytes[0]).toBe(0x02);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(2)).toBe(bytes.length - 6);
    const items = rawItems(bytes, 74);
    expect(items.map((i) => i.type)).toEqual([0x10, 0x21, 0x21, 0x21, 0x50]);
    const rejected = items[2]!.body;
    expect(Array.from(rejected.subarray(0, 4))).toEqual([0x03, 0x00, 0x03, 0x00]);
    expect(rawItems(rejected, 4).map((i) => [i.type, text(i.body)])).toEqual([[0x40, EXPLICIT]]);
    const user = rawItems(items[4]!.body, 0);
    expect(user.map((i) => [i.type, Array.from(i.body)]).at(-1)).toEqual([0x59, [0x00, 0x02, 0xde, 0xad]]);
  });

  it('decodes every field it encoded and tells accepted contexts from rejected ones', () => {
    const decoded = decodeAssociateAccept(bytes.subarray(6));
    expect(decoded).toEqual(accept);
    expect(decoded.presentationContexts.map(isAccepted)).toEqual([true, false, false]);
  });

  it('refuses a proposed presentation context item (0x20) in an A-ASSOCIATE-AC', () => {
    const body = Uint8Array.from([...requestBody(rawItem(0x20, [1, 0, 0, 0])), ...rawItem(0x50, [])]);
    expect(() => decodeAssociateAccept(body)).toThrow(PduError);
  });
});

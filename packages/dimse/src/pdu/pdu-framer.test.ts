import { describe, expect, it } from 'vitest';
import { encodeAbort, encodeReleaseRequest } from './control-pdus.js';
import { encodePresentationDataValue } from './p-data-pdu.js';
import { PduError } from './pdu-error.js';
import { PduFramer, type ReceivedPdu } from './pdu-framer.js';
import { AbortReason } from './pdu-type.js';

const dataPdu = Buffer.concat(
  encodePresentationDataValue(
    1,
    false,
    true,
    Uint8Array.from({ length: 40 }, (_, i) => i),
  ),
);
const stream = Buffer.concat([encodeReleaseRequest(), dataPdu, encodeAbort(AbortReason.User)]);

function summary(pdus: ReceivedPdu[]): Array<[number, number[]]> {
  return pdus.map((p) => [p.type, Array.from(p.body)]);
}

const expected = summary([
  { type: 0x05, body: Uint8Array.of(0, 0, 0, 0) },
  { type: 0x04, body: dataPdu.subarray(6) },
  { type: 0x07, body: Uint8Array.of(0, 0, 0, 0) },
]);

describe('PduFramer', () => {
  it('returns every PDU of a chunk holding several', () => {
    expect(summary(new PduFramer(1000).push(stream))).toEqual(expected);
  });

  it('reassembles PDUs fed one byte at a time', () => {
    const framer = new PduFramer(1000);
    const out: ReceivedPdu[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...framer.push(stream.subarray(i, i + 1)));
    expect(summary(out)).toEqual(expected);
  });

  it('gives the same PDUs wherever the stream is cut in two or three', () => {
    for (let a = 0; a <= stream.length; a++) {
      for (const b of [a, a + 1, a + 5, a + 11, stream.length]) {
        if (b > stream.length) continue;
        const framer = new PduFramer(1000);
        const out = [
          ...framer.push(stream.subarray(0, a)),
          ...framer.push(stream.subarray(a, b)),
          ...framer.push(stream.subarray(b)),
        ];
        expect(summary(out), `cut at ${a} and ${b}`).toEqual(expected);
      }
    }
  });

  it('returns nothing until the whole body has arrived', () => {
    const framer = new PduFramer(1000);
    expect(framer.push(dataPdu.subarray(0, 3))).toEqual([]);
    expect(framer.push(dataPdu.subarray(3, dataPdu.length - 1))).toEqual([]);
    expect(summary(framer.push(dataPdu.subarray(dataPdu.length - 1)))).toEqual([expected[1]]);
  });

  it('returns a PDU with an empty body', () => {
    expect(summary(new PduFramer(10).push(Buffer.from([0x05, 0, 0, 0, 0, 0])))).toEqual([[0x05, []]]);
  });

  it('accepts a body of exactly the maximum length', () => {
    const framer = new PduFramer(4);
    expect(summary(framer.push(Buffer.from(encodeReleaseRequest())))).toEqual([[0x05, [0, 0, 0, 0]]]);
  });

  it('refuses an oversized PDU from its header alone, before its body is buffered', () => {
    const framer = new PduFramer(1024);
    const header = Buffer.from([0x04, 0x00, 0x00, 0x00, 0x04, 0x01]); // body of 1025 bytes
    let error: unknown;
    try {
      framer.push(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PduError);
    expect((error as PduError).abort).toEqual(AbortReason.InvalidPduParameterValue);
  });

  it('refuses an oversized PDU whose header is split across chunks', () => {
    const framer = new PduFramer(100);
    expect(framer.push(Buffer.from([0x04, 0x00, 0xff]))).toEqual([]);
    expect(() => framer.push(Buffer.from([0xff, 0xff, 0xff]))).toThrow(PduError);
  });
});

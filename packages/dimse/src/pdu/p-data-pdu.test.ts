import { describe, expect, it } from 'vitest';
import { decodePresentationDataValues, encodePresentationDataValue } from './p-data-pdu.js';
import { PduError } from './pdu-error.js';

function pdv(contextId: number, control: number, data: number[]): number[] {
  const length = data.length + 2;
  return [
    (length >>> 24) & 0xff,
    (length >>> 16) & 0xff,
    (length >>> 8) & 0xff,
    length & 0xff,
    contextId,
    control,
    ...data,
  ];
}

describe('encodePresentationDataValue', () => {
  it('writes the P-DATA-TF header and the PDV item header in front of the data', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5);
    const [head, body] = encodePresentationDataValue(3, false, false, data);
    expect(Array.from(head)).toEqual([
      0x04,
      0x00,
      0x00,
      0x00,
      0x00,
      0x0b, // P-DATA-TF, length 6 + 5
      0x00,
      0x00,
      0x00,
      0x07,
      0x03,
      0x00, // PDV length 2 + 5, context 3, control
    ]);
    expect(body).toBe(data);
  });

  it('sets bit 0 of the message control header for a command and bit 1 for the last fragment', () => {
    const control = (command: boolean, last: boolean): number =>
      encodePresentationDataValue(1, command, last, new Uint8Array(0))[0][11]!;
    expect(control(false, false)).toBe(0x00);
    expect(control(true, false)).toBe(0x01);
    expect(control(false, true)).toBe(0x02);
    expect(control(true, true)).toBe(0x03);
  });

  it('produces a PDU whose body decodes back to the same PDV', () => {
    const data = Uint8Array.of(9, 8, 7);
    const [head, body] = encodePresentationDataValue(5, true, true, data);
    const whole = Uint8Array.from([...head, ...body]);
    expect(decodePresentationDataValues(whole.subarray(6))).toEqual([
      { contextId: 5, command: true, last: true, data: Uint8Array.of(9, 8, 7) },
    ]);
  });
});

describe('decodePresentationDataValues', () => {
  it('splits a body holding several PDVs and reads their control bits', () => {
    const body = Uint8Array.from([
      ...pdv(1, 0x03, [0xaa, 0xbb]),
      ...pdv(3, 0x00, [0xcc]),
      ...pdv(3, 0x02, []),
    ]);
    const values = decodePresentationDataValues(body);
    expect(values.map((v) => [v.contextId, v.command, v.last, Array.from(v.data)])).toEqual([
      [1, true, true, [0xaa, 0xbb]],
      [3, false, false, [0xcc]],
      [3, false, true, []],
    ]);
  });

  it('refuses a PDV item length below 2', () => {
    expect(() => decodePresentationDataValues(Uint8Array.of(0, 0, 0, 1, 1, 0))).toThrow(PduError);
  });

  it('refuses a PDV item that runs past the end of the PDU', () => {
    expect(() => decodePresentationDataValues(Uint8Array.of(0, 0, 0, 9, 1, 0, 1, 2))).toThrow(PduError);
  });

  it('refuses a P-DATA-TF without any PDV', () => {
    expect(() => decodePresentationDataValues(new Uint8Array(0))).toThrow(PduError);
  });
});

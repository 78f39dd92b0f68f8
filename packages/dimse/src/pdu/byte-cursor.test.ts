import { describe, expect, it } from 'vitest';
import { aeTitleBytes, aeTitleText, ByteCursor, uidText } from './byte-cursor.js';
import { PduError } from './pdu-error.js';

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('AE title fields', () => {
  it('pads an AE title to 16 bytes with spaces', () => {
    const bytes = aeTitleBytes('ANY-SCP');
    expect(bytes).toHaveLength(16);
    expect(latin1(bytes)).toBe('ANY-SCP         ');
  });

  it('reads an AE title without leading or trailing spaces and NULs, keeping inner spaces', () => {
    const field = Uint8Array.from(Buffer.from('  MY SCP\0\0\0\0\0\0\0\0', 'latin1'));
    expect(field).toHaveLength(16);
    expect(aeTitleText(field)).toBe('MY SCP');
  });
});

describe('uidText', () => {
  it('strips the trailing NUL padding of a UID', () => {
    expect(uidText(Uint8Array.from(Buffer.from('1.2.840.10008.1.1\0', 'latin1')))).toBe('1.2.840.10008.1.1');
  });

  it('strips trailing spaces as well and leaves a UID without padding alone', () => {
    expect(uidText(Uint8Array.from(Buffer.from('1.2.3 \0 ', 'latin1')))).toBe('1.2.3');
    expect(uidText(Uint8Array.from(Buffer.from('1.2.3', 'latin1')))).toBe('1.2.3');
  });
});

describe('ByteCursor', () => {
  it('reads big-endian fields and reports what remains', () => {
    const cursor = new ByteCursor(Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08));
    expect(cursor.uint8('a')).toBe(0x01);
    expect(cursor.uint16('b')).toBe(0x0203);
    expect(cursor.uint32('c')).toBe(0x04050607);
    expect(cursor.remaining).toBe(1);
  });

  it('refuses to read past its end even when the underlying bytes go on', () => {
    const cursor = new ByteCursor(Uint8Array.of(1, 2, 3, 4, 5, 6), 1, 3);
    expect(Array.from(cursor.take(2, 'pair'))).toEqual([2, 3]);
    expect(() => cursor.uint8('next byte')).toThrow(PduError);
    expect(() => cursor.uint8('next byte')).toThrow('PDU too short for next byte');
  });
});

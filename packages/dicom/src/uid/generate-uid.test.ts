import { describe, expect, it } from 'vitest';
import { runPython } from '../test-support/node.js';
import { generateUid, isStorableUid, isValidUid } from './generate-uid.js';

/** UIDs (PS3.5 §9.1, §B.2), with Debian's pydicom `UID.is_valid` as a second opinion on validity. */

describe('generateUid', () => {
  const uids = Array.from({ length: 5000 }, generateUid);

  it('gives valid, unique 2.25 UIDs of at most 64 characters', () => {
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) {
      expect(uid).toMatch(/^2\.25\.(0|[1-9][0-9]*)$/);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(isValidUid(uid)).toBe(true);
    }
  });

  it('encodes a version 4, variant 1 UUID (RFC 4122 §4.4) as one integer below 2^128', () => {
    for (const uid of uids.slice(0, 500)) {
      const value = BigInt(uid.slice(5));
      expect(value < 2n ** 128n).toBe(true);
      expect((value >> 76n) & 0xfn).toBe(4n);
      expect((value >> 62n) & 0x3n).toBe(2n);
    }
    // The bits are random: over many UIDs every one of the 122 random bits is set sometimes and clear sometimes.
    let anySet = 0n;
    let allSet = (1n << 128n) - 1n;
    for (const uid of uids) {
      anySet |= BigInt(uid.slice(5));
      allSet &= BigInt(uid.slice(5));
    }
    const fixed = (0xfn << 76n) | (0x3n << 62n);
    expect(anySet | fixed).toBe((1n << 128n) - 1n);
    expect(allSet & ~fixed).toBe(0n);
  });
});

describe('isValidUid', () => {
  const candidates = [
    '0',
    '1.2.840.10008.1.2.1',
    '2.25.0',
    '1.0.2',
    `1.2.${'3'.repeat(60)}`, // 64 characters
    `1.2.${'3'.repeat(61)}`, // 65 characters
    '',
    '.',
    '1.',
    '.1',
    '1..2',
    '01.2',
    '1.02',
    '1.2.00',
    '1.2.a',
    '1.2.3 ',
    ' 1.2.3',
    '1.2.3\0',
    '1,2,3',
    '-1.2',
    '1.2.+3',
    '١.٢', // Arabic-Indic digits
  ];

  it('agrees with pydicom on every candidate', () => {
    const pydicom = runPython<boolean[]>(
      'import json, sys\nfrom pydicom.uid import UID\nprint(json.dumps([UID(u).is_valid for u in json.loads(sys.argv[1])]))',
      [JSON.stringify(candidates)],
    );
    // pydicom's UID() strips surrounding spaces first (it treats them as padding); isValidUid judges the
    // value as given, so a UID with spaces is invalid here and callers trim padding before asking.
    const expected = candidates.map((c, i) => [c, c.trim() === c ? pydicom[i] : false]);
    expect(candidates.map((c) => [c, isValidUid(c)])).toEqual(expected);
  });

  it('rejects leading zeros, empty components, more than 64 characters and padding', () => {
    expect(isValidUid('1.2.840.10008.1.2.1')).toBe(true);
    expect(isValidUid('1.02')).toBe(false);
    expect(isValidUid('1..2')).toBe(false);
    expect(isValidUid(`1.${'2'.repeat(62)}`)).toBe(true);
    expect(isValidUid(`1.${'2'.repeat(63)}`)).toBe(false);
    expect(isValidUid('1.2.3\0')).toBe(false);
  });
});

describe('isStorableUid', () => {
  it('accepts the UIDs devices send that PS3.5 forbids, and nothing that is not digits and dots', () => {
    expect(
      ['1.2.840.10008.1.2.1', '999.999.2.19940822.083000', '1.02', '1..2', '1.'].map(isStorableUid),
    ).toEqual([true, true, true, true, true]);
    expect(['', '.', '..', '1.2.a', '1.2.3 ', '1,2', `1.${'2'.repeat(63)}`].map(isStorableUid)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

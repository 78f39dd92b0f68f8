import { describe, expect, it } from 'vitest';
import { canonicalCharacterSetTerm, isKnownCharacterSet } from './index.js';

describe('isKnownCharacterSet', () => {
  it('accepts every Defined Term of PS3.3 Tables C.12-2 to C.12-5, and empty values', () => {
    const terms = [
      ...[100, 101, 109, 110, 144, 127, 126, 138, 148, 203, 13, 166].flatMap((n) => [
        `ISO_IR ${n}`,
        `ISO 2022 IR ${n}`,
      ]),
      ...['ISO 2022 IR 6', 'ISO 2022 IR 87', 'ISO 2022 IR 159', 'ISO 2022 IR 149', 'ISO 2022 IR 58'],
      ...['ISO_IR 192', 'GB18030', 'GBK'],
    ];
    for (const term of terms) expect(isKnownCharacterSet([term]), term).toBe(true);
    expect(isKnownCharacterSet([])).toBe(true);
    expect(isKnownCharacterSet([''])).toBe(true);
    expect(isKnownCharacterSet(['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'])).toBe(true);
  });

  it('forgives the spelling slips decodeText forgives', () => {
    expect(isKnownCharacterSet(['ISO IR 100', 'iso-ir 144', 'ISO_2022-IR 100', ' ISO_IR 192 '])).toBe(true);
    expect(canonicalCharacterSetTerm('ISO_2022_IR+126')).toBe('ISO 2022 IR 126');
    expect(canonicalCharacterSetTerm('iso ir 192')).toBe('ISO_IR 192');
    expect(canonicalCharacterSetTerm('ISO_IR 6')).toBe('');
    expect(canonicalCharacterSetTerm('')).toBe('');
  });

  it('rejects anything else', () => {
    expect(isKnownCharacterSet(['UNSUPPORTED'])).toBe(false);
    expect(isKnownCharacterSet(['ISO 2022 IR 100', 'ISO 2022 IR 146'])).toBe(false);
    expect(isKnownCharacterSet(['ISO_IR 87'])).toBe(false); // JIS X 0208 exists only with code extensions
    expect(isKnownCharacterSet(['UTF-8'])).toBe(false);
    expect(canonicalCharacterSetTerm('ISO_IR 999')).toBeUndefined();
  });
});

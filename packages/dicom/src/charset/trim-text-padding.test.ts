import { describe, expect, it } from 'vitest';
import { trimTextPadding } from './index.js';

describe('trimTextPadding', () => {
  it('removes trailing spaces and NULs, and leading spaces of SH, LO, PN, UC, CS…', () => {
    expect(trimTextPadding('  Doe^John \u0000', 'PN')).toBe('Doe^John');
    expect(trimTextPadding(' ABC ', 'LO')).toBe('ABC');
    expect(trimTextPadding(' ABC ', 'UC')).toBe('ABC');
    expect(trimTextPadding('ORIGINAL ', 'CS')).toBe('ORIGINAL');
  });

  it('keeps leading spaces of LT, ST, UT (significant there), UR and UI', () => {
    expect(trimTextPadding('  indented text  ', 'LT')).toBe('  indented text');
    expect(trimTextPadding(' x ', 'ST')).toBe(' x');
    expect(trimTextPadding(' x \u0000', 'UT')).toBe(' x');
    expect(trimTextPadding('1.2.3\u0000', 'UI')).toBe('1.2.3');
  });

  it('keeps inner spaces and other characters', () => {
    expect(trimTextPadding('a  b', 'LO')).toBe('a  b');
    expect(trimTextPadding('\tx\t', 'LO')).toBe('\tx\t');
    expect(trimTextPadding('    ', 'SH')).toBe('');
    expect(trimTextPadding('', 'SH')).toBe('');
  });
});

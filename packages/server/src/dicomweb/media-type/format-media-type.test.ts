import { describe, expect, it } from 'vitest';
import { formatMediaType } from './format-media-type.js';
import { parseMediaType } from './parse-media-type.js';

describe('formatMediaType', () => {
  it('quotes values that are not tokens, as in PS3.18 §8.7.3 examples', () => {
    expect(
      formatMediaType('multipart', 'related', {
        type: 'application/dicom',
        'transfer-syntax': '1.2.840.10008.1.2.1',
        boundary: 'abc_DEF-123',
      }),
    ).toBe(
      'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1; boundary=abc_DEF-123',
    );
    expect(formatMediaType('application', 'dicom+json')).toBe('application/dicom+json');
  });

  it('escapes quotes and backslashes and round-trips through parseMediaType', () => {
    const params = new Map([
      ['a', 'say "hi" \\ bye'],
      ['b', ''],
      ['c', 'x;y,z'],
    ]);
    const formatted = formatMediaType('text', 'plain', params);
    expect(formatted).toBe('text/plain; a="say \\"hi\\" \\\\ bye"; b=""; c="x;y,z"');
    expect(parseMediaType(formatted)?.params).toEqual(params);
  });

  it('throws for what a header cannot carry', () => {
    expect(() => formatMediaType('text plain', 'x')).toThrow(TypeError);
    expect(() => formatMediaType('text', 'plain', { 'a b': 'c' })).toThrow(TypeError);
    expect(() => formatMediaType('text', 'plain', { a: 'line\r\nbreak' })).toThrow(TypeError);
    expect(() => formatMediaType('text', 'plain', { a: 'snow ☃' })).toThrow(TypeError);
  });
});

import { describe, expect, it } from 'vitest';
import { parseAccept, type AcceptEntry } from './parse-accept.js';

const summary = (entries: AcceptEntry[]): string[] =>
  entries.map(
    (e) =>
      `${e.type}/${e.subtype}${[...e.params].map(([k, v]) => `;${k}=${v}`).join('')}` +
      (e.q === 1 ? '' : ` q=${e.q}`),
  );

describe('parseAccept', () => {
  it('treats an absent or blank header as */*', () => {
    for (const header of [undefined, '', '  \t ']) {
      expect(parseAccept(header)).toEqual([{ type: '*', subtype: '*', params: new Map(), q: 1 }]);
    }
  });

  it('parses the DICOMweb media types of PS3.18 §8.7.3', () => {
    const header =
      'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1, ' +
      'multipart/related; type="application/octet-stream"; transfer-syntax=*;q=0.9, ' +
      'application/dicom+json;q=0.5, image/jpeg;q=0.4';
    const entries = parseAccept(header);
    expect(entries).toEqual([
      {
        type: 'multipart',
        subtype: 'related',
        params: new Map([
          ['type', 'application/dicom'],
          ['transfer-syntax', '1.2.840.10008.1.2.1'],
        ]),
        q: 1,
      },
      {
        type: 'multipart',
        subtype: 'related',
        params: new Map([
          ['type', 'application/octet-stream'],
          ['transfer-syntax', '*'],
        ]),
        q: 0.9,
      },
      { type: 'application', subtype: 'dicom+json', params: new Map(), q: 0.5 },
      { type: 'image', subtype: 'jpeg', params: new Map(), q: 0.4 },
    ]);
  });

  it('sorts by q, then specificity, then header order', () => {
    const header = '*/*;q=0.1, image/*, text/plain, image/png;q=0.5, text/plain;format=flowed, image/jpeg';
    expect(summary(parseAccept(header))).toEqual([
      'text/plain;format=flowed',
      'text/plain',
      'image/jpeg',
      'image/*',
      'image/png q=0.5',
      '*/* q=0.1',
    ]);
  });

  it('leaves out q=0 entries and skips malformed ones', () => {
    const header =
      'image/jpeg;q=0, image/png;q=0.000, text, /html, */html, text/html;q=2, text/html;q=-1, ' +
      'text/html;q=abc, a/b;x, ,, application/dicom; boundary=x; boundary=y, application/dicom+xml';
    expect(summary(parseAccept(header))).toEqual(['application/dicom+xml']);
  });

  it('reads a weight written without its leading 0, as Java sends it', () => {
    expect(summary(parseAccept('text/html, *; q=.2, */*; q=.2'))).toEqual(['text/html', '*/* q=0.2']);
  });

  it('does not split on commas inside quoted strings', () => {
    expect(summary(parseAccept('a/b; x="1, 2", c/d'))).toEqual(['a/b;x=1, 2', 'c/d']);
    expect(summary(parseAccept('a/b; x="say \\"hi, there\\"", c/d'))).toEqual([
      'a/b;x=say "hi, there"',
      'c/d',
    ]);
  });

  it('drops accept extensions after q, lower-cases names and keeps values', () => {
    expect(parseAccept('Image/JPEG; Quality=High; Q=0.8; ext=1')).toEqual([
      { type: 'image', subtype: 'jpeg', params: new Map([['quality', 'High']]), q: 0.8 },
    ]);
  });

  it('accepts q values with whitespace and up to any number of decimals', () => {
    expect(summary(parseAccept('a/b ; q = 0.25 , c/d;q=1.000, e/f;q=0.12345'))).toEqual([
      'c/d',
      'a/b q=0.25',
      'e/f q=0.12345',
    ]);
  });

  it('returns an empty list when every entry is malformed or refused', () => {
    expect(parseAccept('garbage, image/jpeg;q=0')).toEqual([]);
  });
});

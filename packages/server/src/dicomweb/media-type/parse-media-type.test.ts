import { describe, expect, it } from 'vitest';
import { isToken, parseMediaType } from './parse-media-type.js';

const params = (value: string): Record<string, string> | undefined => {
  const parsed = parseMediaType(value);
  return parsed && Object.fromEntries(parsed.params);
};

describe('parseMediaType', () => {
  it('parses a STOW-RS Content-Type with a quoted type and a bare boundary (PS3.18 §8.6.1.2)', () => {
    expect(parseMediaType('multipart/related; type="application/dicom"; boundary=abc-123')).toEqual({
      type: 'multipart',
      subtype: 'related',
      params: new Map([
        ['type', 'application/dicom'],
        ['boundary', 'abc-123'],
      ]),
    });
  });

  it('unquotes a quoted boundary that holds characters outside token', () => {
    expect(params('multipart/related; boundary="a:b,c=d?e (f)"; type="application/dicom"')).toEqual({
      boundary: 'a:b,c=d?e (f)',
      type: 'application/dicom',
    });
  });

  it('lower-cases type, subtype and parameter names but keeps values as given', () => {
    const parsed = parseMediaType('Multipart/Related; Type="Application/DICOM"; BOUNDARY=AbC');
    expect(parsed?.type).toBe('multipart');
    expect(parsed?.subtype).toBe('related');
    expect(Object.fromEntries(parsed?.params ?? [])).toEqual({ type: 'Application/DICOM', boundary: 'AbC' });
  });

  it('unescapes quoted-pairs (RFC 9110 §5.6.4)', () => {
    expect(params('text/plain; title="a \\"quoted\\" \\\\ word; not a param"')).toEqual({
      title: 'a "quoted" \\ word; not a param',
    });
    expect(params('text/plain; x=""')).toEqual({ x: '' });
  });

  it('keeps transfer-syntax UIDs and * as bare values', () => {
    expect(
      params('multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.4.50'),
    ).toEqual({ type: 'application/octet-stream', 'transfer-syntax': '1.2.840.10008.1.2.4.50' });
    expect(params('application/dicom; transfer-syntax=*')).toEqual({ 'transfer-syntax': '*' });
  });

  it('accepts wildcards as tokens', () => {
    expect(parseMediaType('*/*')).toMatchObject({ type: '*', subtype: '*' });
    expect(parseMediaType('image/*')).toMatchObject({ type: 'image', subtype: '*' });
  });

  it('tolerates extra whitespace, tabs and empty parameters', () => {
    expect(parseMediaType('  application/dicom+json  ')).toMatchObject({
      type: 'application',
      subtype: 'dicom+json',
    });
    expect(params('multipart / related ;\ttype = "application/dicom" ;; ; boundary=x ;')).toEqual({
      type: 'application/dicom',
      boundary: 'x',
    });
    expect(params('text/plain;')).toEqual({});
  });

  it('accepts an unquoted value that is not a token (type=application/dicom)', () => {
    expect(params('multipart/related; type=application/dicom; boundary=a:b')).toEqual({
      type: 'application/dicom',
      boundary: 'a:b',
    });
  });

  it('collapses identical duplicate parameters and rejects conflicting ones', () => {
    expect(params('multipart/related; boundary=x; BOUNDARY="x"')).toEqual({ boundary: 'x' });
    expect(parseMediaType('multipart/related; boundary=x; boundary=y')).toBeUndefined();
  });

  it.each([
    '',
    '   ',
    'multipart',
    'multipart/',
    '/related',
    'multipart related',
    'multipart/related boundary=x',
    'multipart/related; boundary',
    'multipart/related; boundary=',
    'multipart/related; =x',
    'multipart/related; boundary="unterminated',
    'multipart/related; boundary="bad\\',
    'multipart/related; boundary="a"b',
    'multipart/related; boundary=a b',
    'multipart/related; boundary="a\u0001b"',
    'multi part/related',
    'multipart/rel@ted',
    'text/plain, text/html',
    'text/plain; x=a"b"',
  ])('rejects the malformed %j', (value) => {
    expect(parseMediaType(value)).toBeUndefined();
  });
});

describe('isToken', () => {
  it('accepts tchars and rejects separators', () => {
    expect(isToken('1.2.840.10008.1.2.1')).toBe(true);
    expect(isToken("!#$%&'*+-.^_`|~az09")).toBe(true);
    expect(isToken('')).toBe(false);
    expect(isToken('application/dicom')).toBe(false);
    expect(isToken('a b')).toBe(false);
    expect(isToken('é')).toBe(false);
  });
});

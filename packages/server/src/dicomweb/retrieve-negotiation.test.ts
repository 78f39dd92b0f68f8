import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/app-error.js';
import { negotiateFrames, negotiateInstances } from './retrieve-negotiation.js';

const EXPLICIT = '1.2.840.10008.1.2.1';
const JPEG_LS = '1.2.840.10008.1.2.4.80';

describe('negotiateInstances (PS3.18 §8.7.3)', () => {
  const any = () => true;
  it('defaults to multipart Explicit VR Little Endian', () => {
    expect(negotiateInstances(undefined, any, false)).toEqual({ multipart: true, transferSyntax: EXPLICIT });
    expect(negotiateInstances('*/*', any, false)).toEqual({ multipart: true, transferSyntax: EXPLICIT });
    expect(negotiateInstances('multipart/related; type="application/dicom"', any, false)).toEqual({
      multipart: true,
      transferSyntax: EXPLICIT,
    });
  });

  it('honours transfer-syntax, including * for as stored', () => {
    expect(
      negotiateInstances('multipart/related; type="application/dicom"; transfer-syntax=*', any, false)
        .transferSyntax,
    ).toBe('*');
    expect(
      negotiateInstances(
        `multipart/related; type="application/dicom"; transfer-syntax=${JPEG_LS}`,
        any,
        false,
      ).transferSyntax,
    ).toBe(JPEG_LS);
  });

  it('passes over what cannot be produced and answers 406 when nothing is left', () => {
    const onlyStored = (ts: string) => ts === '*';
    const accept = `multipart/related; type="application/dicom"; transfer-syntax=${JPEG_LS}, multipart/related; type="application/dicom"; transfer-syntax=*; q=0.5`;
    expect(negotiateInstances(accept, onlyStored, false).transferSyntax).toBe('*');
    expect(() => negotiateInstances('image/jpeg', any, false)).toThrow(AppError);
  });

  it('offers a bare application/dicom body for a single instance only', () => {
    expect(negotiateInstances('application/dicom', any, true)).toEqual({
      multipart: false,
      transferSyntax: EXPLICIT,
    });
    expect(() => negotiateInstances('application/dicom', any, false)).toThrow(AppError);
  });
});

describe('negotiateFrames (PS3.18 §8.7.3.3)', () => {
  it('sends uncompressed frames by default, decoding when it must and can', () => {
    expect(negotiateFrames(undefined, EXPLICIT, false)).toBe(EXPLICIT);
    expect(negotiateFrames('multipart/related; type="application/octet-stream"', JPEG_LS, true)).toBe(
      EXPLICIT,
    );
    expect(() =>
      negotiateFrames('multipart/related; type="application/octet-stream"', JPEG_LS, false),
    ).toThrow(AppError);
  });

  it('sends the stored bitstream for its media type or transfer-syntax=*', () => {
    expect(negotiateFrames('multipart/related; type="image/jls"', JPEG_LS, true)).toBe(JPEG_LS);
    expect(
      negotiateFrames('multipart/related; type="application/octet-stream"; transfer-syntax=*', JPEG_LS, true),
    ).toBe(JPEG_LS);
    expect(() => negotiateFrames('multipart/related; type="image/jp2"', JPEG_LS, false)).toThrow(AppError);
  });
});

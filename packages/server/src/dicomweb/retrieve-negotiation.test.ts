import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/app-error.js';
import {
  acceptsMultipart,
  acceptsOctetStream,
  asksForBulkData,
  negotiateFrames,
  negotiateInstances,
} from './retrieve-negotiation.js';

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

/** The transfer syntax {@link negotiateFrames} chooses for frames in a multipart body. */
const framesSyntax = (accept: string | undefined, stored: string, canDecode: boolean): string =>
  negotiateFrames(accept, stored, canDecode).transferSyntax;

describe('negotiateFrames (PS3.18 §8.7.3.3)', () => {
  it('sends uncompressed frames by default, decoding when it must and can', () => {
    expect(framesSyntax(undefined, EXPLICIT, false)).toBe(EXPLICIT);
    expect(framesSyntax('multipart/related; type="application/octet-stream"', JPEG_LS, true)).toBe(EXPLICIT);
    expect(() => framesSyntax('multipart/related; type="application/octet-stream"', JPEG_LS, false)).toThrow(
      AppError,
    );
  });

  it('sends the stored bitstream for its media type or transfer-syntax=*', () => {
    expect(framesSyntax('multipart/related; type="image/jls"', JPEG_LS, true)).toBe(JPEG_LS);
    expect(
      framesSyntax('multipart/related; type="application/octet-stream"; transfer-syntax=*', JPEG_LS, true),
    ).toBe(JPEG_LS);
    expect(() => framesSyntax('multipart/related; type="image/jp2"', JPEG_LS, false)).toThrow(AppError);
  });

  it('answers */* as stored when decoding cannot or should not happen (video, lossy), never as native', () => {
    const MPEG4 = '1.2.840.10008.1.2.4.102';
    const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
    const JPX = '1.2.840.10008.1.2.4.92';
    expect(framesSyntax('*/*', MPEG4, false)).toBe(MPEG4);
    expect(framesSyntax(undefined, JPEG_BASELINE, true)).toBe(JPEG_BASELINE);
    expect(framesSyntax('*/*', JPEG_LS, true)).toBe(EXPLICIT);
    // Fragments are never read as native pixels: JPX undecodable is refused for octet-stream, sent as image/jpx.
    expect(() => framesSyntax('multipart/related; type="application/octet-stream"', JPX, false)).toThrow(
      AppError,
    );
    expect(framesSyntax('multipart/related; type="image/jpx"', JPX, false)).toBe(JPX);
    expect(framesSyntax('*/*', JPX, false)).toBe(JPX);
  });
});

describe('bulk data of a study, series or instance (PS3.18 §10.4.1.1.5, Table 10.4.4-1)', () => {
  const octet = 'multipart/related; type="application/octet-stream"';
  it('takes octet-stream on an instance resource for its bulk data only when nothing asks for DICOM', () => {
    expect(asksForBulkData(octet, false)).toBe(true);
    expect(asksForBulkData(`${octet}; transfer-syntax=*`, true)).toBe(true);
    expect(asksForBulkData(`application/dicom, ${octet}`, false)).toBe(true);
    expect(asksForBulkData(`application/dicom, ${octet}`, true)).toBe(false);
    expect(asksForBulkData(`${octet}, multipart/related; type="application/dicom"; q=0.1`, false)).toBe(
      false,
    );
    expect(asksForBulkData(`${octet}, */*;q=0.1`, false)).toBe(false);
    expect(asksForBulkData(undefined, false)).toBe(false);
    expect(asksForBulkData('multipart/related', false)).toBe(false);
    expect(asksForBulkData('multipart/related; type="image/jpeg"', false)).toBe(false);
  });

  it('accepts octet-stream parts for */*, an open or octet-stream multipart, little endian or as stored', () => {
    for (const accept of [
      undefined,
      '*/*',
      'multipart/related',
      'multipart/*',
      octet,
      `${octet}; transfer-syntax=*`,
    ])
      expect(acceptsOctetStream(accept), String(accept)).toBe(true);
    for (const accept of [
      'application/octet-stream',
      'multipart/related; type="image/jpeg"',
      `${octet}; transfer-syntax=1.2.840.10008.1.2.2`,
      'application/dicom+json',
    ])
      expect(acceptsOctetStream(accept), accept).toBe(false);
  });

  it('accepts a multipart body for */* and any multipart/related, nothing else', () => {
    expect(acceptsMultipart('multipart/related; type="image/jpeg"')).toBe(true);
    expect(acceptsMultipart('*/*')).toBe(true);
    expect(acceptsMultipart('application/dicom+json, image/*')).toBe(false);
  });
});

describe('negotiateFrames for one frame: single-part media types (PS3.18 §8.7.3)', () => {
  it('sends a bare part of a single-part type that can carry the frame, multipart otherwise', () => {
    expect(negotiateFrames('application/octet-stream', EXPLICIT, false, true)).toEqual({
      transferSyntax: EXPLICIT,
      multipart: false,
    });
    expect(negotiateFrames('image/jls', JPEG_LS, true, true)).toEqual({
      transferSyntax: JPEG_LS,
      multipart: false,
    });
    expect(negotiateFrames('application/octet-stream', JPEG_LS, true, true)).toEqual({
      transferSyntax: EXPLICIT,
      multipart: false,
    });
    expect(negotiateFrames('*/*', EXPLICIT, false, true)).toEqual({
      transferSyntax: EXPLICIT,
      multipart: true,
    });
  });

  it('passes single-part types over for several frames, and refuses one that cannot carry the frame', () => {
    expect(() => negotiateFrames('application/octet-stream', EXPLICIT, false, false)).toThrow(AppError);
    expect(() => negotiateFrames('image/jp2', JPEG_LS, false, true)).toThrow(AppError);
    // A bare body is of the type asked for: octet-stream "as stored" cannot carry a JPEG-LS bitstream.
    expect(() =>
      negotiateFrames('application/octet-stream; transfer-syntax=*', JPEG_LS, false, true),
    ).toThrow(AppError);
  });
});

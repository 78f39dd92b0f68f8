import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import {
  frameRequestHeaders,
  loaderMetadata,
  NATIVE_LITTLE_ENDIAN_FRAMES,
  needsNativeLittleEndian,
  registerFrameRetrieval,
} from './frame-retrieval';

/** An image's metadata as the archive gives it (PS3.18 DICOM JSON), with what the tests vary. */
function image(
  bitsAllocated: number,
  syntax: string,
  photometric: string,
  modality?: string,
  samplesPerPixel = photometric.startsWith('MONOCHROME') ? 1 : 3,
): DicomJson {
  return {
    [JsonTag.BitsAllocated]: { vr: 'US', Value: [bitsAllocated] },
    [JsonTag.SamplesPerPixel]: { vr: 'US', Value: [samplesPerPixel] },
    '00083002': { vr: 'UI', Value: [syntax] },
    '00280004': { vr: 'CS', Value: [photometric] },
    ...(modality !== undefined ? { [JsonTag.Modality]: { vr: 'CS', Value: [modality] } } : {}),
  };
}

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const RLE = '1.2.840.10008.1.2.5';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

describe('loaderMetadata', () => {
  it('names a secondary capture without Modality OT, for Cornerstone reads it as text', () => {
    const capture = image(8, JPEG_BASELINE, 'RGB');
    expect(loaderMetadata(capture)[JsonTag.Modality]).toEqual({ vr: 'CS', Value: ['OT'] });
    expect(loaderMetadata({ ...capture, [JsonTag.Modality]: { vr: 'CS' } })[JsonTag.Modality]?.Value).toEqual(
      ['OT'],
    );
    expect(capture[JsonTag.Modality]).toBeUndefined();
  });
  it('leaves an image with a Modality as it is', () => {
    const ct = image(16, LITTLE_ENDIAN, 'MONOCHROME2', 'CT');
    expect(loaderMetadata(ct)).toBe(ct);
    const photograph: DicomJson = {
      ...image(8, LITTLE_ENDIAN, 'YBR_FULL', 'XC'),
      '00280006': { vr: 'US', Value: [1] },
    };
    expect(loaderMetadata(photograph)).toBe(photograph);
  });
  it('describes colour of more than 8 bits as RGB side by side, which the viewer brings to 8 bits', () => {
    const capture: DicomJson = {
      ...image(16, LITTLE_ENDIAN, 'YBR_FULL', 'OT'),
      '00280006': { vr: 'US', Value: [1] },
    };
    const given = loaderMetadata(capture);
    expect(given['00280004']?.Value).toEqual(['RGB']);
    expect(given['00280006']?.Value).toEqual([0]);
    expect(capture['00280004']?.Value).toEqual(['YBR_FULL']);
    expect(loaderMetadata(image(16, '1.2.840.10008.1.2.4.90', 'YBR_RCT'))[JsonTag.Modality]?.Value).toEqual([
      'OT',
    ]);
  });
});

describe('needsNativeLittleEndian', () => {
  it('asks the server to decode 32-bit pixels in big endian or RLE (RT Dose)', () => {
    expect(needsNativeLittleEndian(image(32, BIG_ENDIAN, 'MONOCHROME2', 'RTDOSE'))).toBe(true);
    expect(needsNativeLittleEndian(image(32, RLE, 'MONOCHROME2', 'RTDOSE'))).toBe(true);
  });
  it('asks for 32-bit pixels of a syntax the server cannot decode as stored (it would answer 406)', () => {
    expect(needsNativeLittleEndian(image(32, '1.2.840.10008.1.2.4.90', 'MONOCHROME2', 'RTDOSE'))).toBe(false);
    expect(needsNativeLittleEndian(image(32, '', 'MONOCHROME2', 'RTDOSE'))).toBe(false);
  });
  it('asks the server to decode colour JPEG without a colour transform (Photometric RGB)', () => {
    expect(needsNativeLittleEndian(image(8, JPEG_BASELINE, 'RGB'))).toBe(true);
    expect(needsNativeLittleEndian(image(8, JPEG_BASELINE, 'YBR_FULL_422'))).toBe(false);
  });
  it('asks the server to decode 16-bit RLE colour (the browser filled only its first third)', () => {
    expect(needsNativeLittleEndian(image(16, RLE, 'RGB', 'OT'))).toBe(true);
    expect(needsNativeLittleEndian(image(16, RLE, 'MONOCHROME2', 'CT'))).toBe(false);
    expect(needsNativeLittleEndian(image(16, LITTLE_ENDIAN, 'RGB', 'OT'))).toBe(false);
  });
  it('lets the browser decode what its decoders read right', () => {
    expect(needsNativeLittleEndian(image(16, BIG_ENDIAN, 'MONOCHROME2', 'MR'))).toBe(false);
    expect(needsNativeLittleEndian(image(8, RLE, 'RGB', 'OT'))).toBe(false);
    expect(needsNativeLittleEndian(image(16, LITTLE_ENDIAN, 'MONOCHROME2', 'CT'))).toBe(false);
  });
});

describe('frameRequestHeaders', () => {
  it('accepts native little endian only for the frames registered as needing it', () => {
    registerFrameRetrieval([
      {
        sopInstanceUid: 'a',
        frame: 1,
        imageId: 'wadors:/a/frames/1',
        metadata: image(32, RLE, 'MONOCHROME2'),
      },
      {
        sopInstanceUid: 'b',
        frame: 1,
        imageId: 'wadors:/b/frames/1',
        metadata: image(16, RLE, 'MONOCHROME2'),
      },
    ]);
    expect(frameRequestHeaders('wadors:/a/frames/1')).toEqual({ Accept: NATIVE_LITTLE_ENDIAN_FRAMES });
    expect(frameRequestHeaders('wadors:/b/frames/1')).toBeUndefined();
    expect(NATIVE_LITTLE_ENDIAN_FRAMES).toContain(`transfer-syntax=${LITTLE_ENDIAN}`);
  });
});

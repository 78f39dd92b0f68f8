import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import {
  eightBitColour,
  fromDecoder,
  registerWideColour,
  wideColourOf,
  wideColourOfImage,
  type WideColour,
} from './colour-samples';

const LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const RLE = '1.2.840.10008.1.2.5';
const JPEG_2000 = '1.2.840.10008.1.2.4.90';

/** An image's pixel description as the archive gives it (PS3.18 DICOM JSON). */
function image(
  samplesPerPixel: number,
  bitsAllocated: number,
  photometric: string,
  more: { bitsStored?: number; planar?: number; syntax?: string } = {},
): DicomJson {
  return {
    [JsonTag.SamplesPerPixel]: { vr: 'US', Value: [samplesPerPixel] },
    [JsonTag.BitsAllocated]: { vr: 'US', Value: [bitsAllocated] },
    '00280004': { vr: 'CS', Value: [photometric] },
    ...(more.bitsStored !== undefined ? { '00280101': { vr: 'US', Value: [more.bitsStored] } } : {}),
    ...(more.planar !== undefined ? { '00280006': { vr: 'US', Value: [more.planar] } } : {}),
    '00083002': { vr: 'UI', Value: [more.syntax ?? LITTLE_ENDIAN] },
  };
}

const RGB16: WideColour = { bitsStored: 16, ybrFull: false, planar: false };

describe('wideColourOf', () => {
  it('finds RGB of 16 and 32 bits, with the bits it stores', () => {
    expect(wideColourOf(image(3, 16, 'RGB', { bitsStored: 16, planar: 0 }))).toEqual(RGB16);
    expect(wideColourOf(image(3, 32, 'RGB', { syntax: RLE }))).toEqual({ ...RGB16, bitsStored: 32 });
    expect(wideColourOf(image(3, 16, 'RGB', { bitsStored: 12 }))?.bitsStored).toBe(12);
  });
  it('takes JPEG 2000 colour (YBR_RCT, YBR_ICT) as RGB, its decoders undoing the transform', () => {
    expect(wideColourOf(image(3, 16, 'YBR_RCT', { syntax: JPEG_2000 }))).toEqual(RGB16);
    expect(wideColourOf(image(3, 16, 'YBR_ICT', { syntax: JPEG_2000 }))?.ybrFull).toBe(false);
    expect(wideColourOf(image(3, 16, 'YBR_FULL'))?.ybrFull).toBe(true);
  });
  it('reads planes where the frame arrives as stored, never from a decoder', () => {
    expect(wideColourOf(image(3, 16, 'RGB', { planar: 1 }))?.planar).toBe(true);
    expect(wideColourOf(image(3, 16, 'RGB', { planar: 1, syntax: '1.2.840.10008.1.2.2' }))?.planar).toBe(
      true,
    );
    expect(wideColourOf(image(3, 16, 'RGB', { planar: 1, syntax: RLE }))?.planar).toBe(false);
    expect(wideColourOf(image(3, 16, 'RGB', { planar: 1, syntax: JPEG_2000 }))?.planar).toBe(false);
  });
  it('leaves 8-bit colour, greyscale and palette colour to Cornerstone', () => {
    expect(wideColourOf(image(3, 8, 'RGB'))).toBeUndefined();
    expect(wideColourOf(image(3, 8, 'YBR_FULL_422'))).toBeUndefined();
    expect(wideColourOf(image(1, 16, 'MONOCHROME2'))).toBeUndefined();
    expect(wideColourOf(image(1, 16, 'PALETTE COLOR'))).toBeUndefined();
    expect(wideColourOf({})).toBeUndefined();
  });
});

describe('eightBitColour', () => {
  it("scales 16-bit samples to 0–255: v × 257 is v again (pydicom's 16-bit RGB test image)", () => {
    const shown = eightBitColour(
      new Uint16Array([65535, 0, 0, 16448, 16448, 16448, 32896, 49344, 32639]),
      RGB16,
    );
    expect([...shown]).toEqual([255, 0, 0, 64, 64, 64, 128, 192, 127]);
    expect(shown).toBeInstanceOf(Uint8Array);
  });
  it('scales 32-bit samples (v × 16843009 is v) and 12 bits stored (4095 is white)', () => {
    const thirtyTwo = { ...RGB16, bitsStored: 32 };
    expect([...eightBitColour(new Uint32Array([4294967295, 1077952576, 0]), thirtyTwo)]).toEqual([
      255, 64, 0,
    ]);
    const twelve = { ...RGB16, bitsStored: 12 };
    expect([...eightBitColour(new Uint16Array([4095, 2048, 0]), twelve)]).toEqual([255, 128, 0]);
  });
  it('ignores bits above Bits Stored', () => {
    const twelve = { ...RGB16, bitsStored: 12 };
    expect([...eightBitColour(new Uint16Array([0xf000 | 4095, 0x1000, 0x8000 | 2048]), twelve)]).toEqual([
      255, 0, 128,
    ]);
  });
  it('clamps samples a decoder gives beyond Bits Stored to the largest value, never wraps them', () => {
    const twelve = { ...RGB16, bitsStored: 12 };
    // JPEG 2000 whose precision exceeds Bits Stored: 4096 and above are brighter than 4095, not black.
    expect([...eightBitColour(new Uint16Array([4096, 0x8000 | 2048, 65535]), twelve, true)]).toEqual([
      255, 255, 255,
    ]);
    expect([...eightBitColour(new Uint16Array([4095, 2048, 0]), twelve, true)]).toEqual([255, 128, 0]);
    // The same samples as stored: the bits above are masked off.
    expect([...eightBitColour(new Uint16Array([4096, 0x8000 | 2048, 65535]), twelve)]).toEqual([0, 128, 255]);
  });
  it('knows decoder output by the syntax the frame came in: native and RLE frames are as stored', () => {
    expect(fromDecoder(JPEG_2000)).toBe(true);
    expect(fromDecoder('1.2.840.10008.1.2.4.201')).toBe(true); // HTJ2K
    expect(fromDecoder('1.2.840.10008.1.2.4.80')).toBe(true); // JPEG-LS
    expect(fromDecoder('1.2.840.10008.1.2.4.70')).toBe(true); // JPEG Lossless
    expect(fromDecoder(LITTLE_ENDIAN)).toBe(false);
    expect(fromDecoder('1.2.840.10008.1.2')).toBe(false);
    expect(fromDecoder('1.2.840.10008.1.2.2')).toBe(false);
    expect(fromDecoder('1.2.840.10008.1.2.1.99')).toBe(false);
    expect(fromDecoder(RLE)).toBe(false);
    expect(fromDecoder(undefined)).toBe(false);
  });
  it('keeps 8 bits stored in 16 as they are', () => {
    const values = [0, 1, 64, 127, 128, 254, 255, 17, 200];
    expect([...eightBitColour(new Uint16Array(values), { ...RGB16, bitsStored: 8 })]).toEqual(values);
  });
  it('puts planar samples (all red, then green, then blue) side by side', () => {
    const planar = { ...RGB16, planar: true };
    // Two pixels: red then white.
    const shown = eightBitColour(new Uint16Array([65535, 65535, 0, 65535, 0, 65535]), planar);
    expect([...shown]).toEqual([255, 0, 0, 255, 255, 255]);
  });
  it('turns YBR_FULL into RGB at the sample range, its colour differences centred on half of it', () => {
    const ybr = { ...RGB16, ybrFull: true };
    // Grey, black, and the red of PS3.3 C.7.6.3.1.2 (8-bit Y 76, Cb 85, Cr 255) × 257.
    const shown = eightBitColour(
      new Uint16Array([32896, 32768, 32768, 0, 32768, 32768, 19532, 21845, 65535]),
      ybr,
    );
    expect([...shown.slice(0, 6)]).toEqual([128, 128, 128, 0, 0, 0]);
    const [red, green, blue] = shown.slice(6);
    expect(red).toBeGreaterThanOrEqual(254);
    expect(green).toBeLessThanOrEqual(1);
    expect(blue).toBeLessThanOrEqual(1);
  });
});

describe('registerWideColour', () => {
  it('remembers the frames to bring to 8 bits, and only those', () => {
    registerWideColour([
      { sopInstanceUid: 'a', frame: 2, imageId: 'wadors:/a/frames/2', metadata: image(3, 16, 'RGB') },
      { sopInstanceUid: 'b', frame: 1, imageId: 'wadors:/b/frames/1', metadata: image(3, 8, 'RGB') },
    ]);
    expect(wideColourOfImage('wadors:/a/frames/2')).toEqual(RGB16);
    expect(wideColourOfImage('wadors:/b/frames/1')).toBeUndefined();
  });
});

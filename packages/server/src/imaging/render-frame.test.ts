import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { PixelDescription } from '../archive/frame-index.js';
import { renderFrame, type RenderOptions } from './render-frame.js';

const ct: PixelDescription = {
  rows: 2,
  columns: 4,
  samplesPerPixel: 1,
  bitsAllocated: 16,
  bitsStored: 12,
  pixelRepresentation: 1,
  photometricInterpretation: 'MONOCHROME2',
  planarConfiguration: 0,
  rescaleSlope: 1,
  rescaleIntercept: -1024,
};

function int16(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt16(i * 2, v, true));
  return out;
}

async function grey(png: Buffer): Promise<number[]> {
  expect((await sharp(png).metadata()).channels).toBe(1);
  const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return [...data];
}

const base: RenderOptions = { rescaleSlope: 1, rescaleIntercept: -1024, format: 'png', quality: 90 };

describe('renderFrame (PS3.3 §C.11.2.1.2)', () => {
  it('applies the modality LUT and a LINEAR window to stored values', async () => {
    // Stored 1024 + HU: -1000 (air), -160, 0 (water), 40, 240, 1000 (bone), and 12-bit sign extension.
    const stored = [24, 864, 1024, 1064, 1264, 2024, 1024, 1024];
    const png = await renderFrame(int16(stored), ct, {
      ...base,
      window: { center: 40, width: 400, function: 'LINEAR' },
    });
    const values = await grey(png);
    // y = ((x - (c - 0.5)) / (w - 1) + 0.5) × 255: water (0 HU) 102.3, 40 HU 127.8.
    expect(values.slice(0, 6)).toEqual([0, 0, 102, 128, 255, 255]);
  });

  it('uses the stored window when the request gives none, and the full range when there is none', async () => {
    const stored = [1024, 1024, 1024, 1024, 0, 0, 2047, 2047];
    const withStored = await grey(
      await renderFrame(int16(stored), ct, {
        ...base,
        storedWindow: { center: 0, width: 4, function: 'LINEAR' },
      }),
    );
    expect(withStored.slice(0, 4)).toEqual([170, 170, 170, 170]); // ((0 + 0.5) / 3 + 0.5) × 255
    const fullRange = await grey(await renderFrame(int16(stored), ct, base));
    expect([fullRange[4], fullRange[6]]).toEqual([0, 255]);
  });

  it('inverts MONOCHROME1 and honours LINEAR_EXACT', async () => {
    const stored = [1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024];
    const exact = await grey(
      await renderFrame(int16(stored), ct, {
        ...base,
        window: { center: 0, width: 100, function: 'LINEAR_EXACT' },
      }),
    );
    expect(exact[0]).toBe(128);
    const inverted = await grey(
      await renderFrame(
        int16(stored),
        { ...ct, photometricInterpretation: 'MONOCHROME1' },
        { ...base, window: { center: 0, width: 100, function: 'LINEAR_EXACT' } },
      ),
    );
    expect(inverted[0]).toBe(127);
  });

  it('converts YBR_FULL colour to RGB and fits the viewport', async () => {
    const pixel: PixelDescription = {
      ...ct,
      samplesPerPixel: 3,
      bitsAllocated: 8,
      bitsStored: 8,
      pixelRepresentation: 0,
      photometricInterpretation: 'YBR_FULL',
      rows: 1,
      columns: 1,
    };
    const png = await renderFrame(Uint8Array.of(76, 85, 255), pixel, { ...base, rescaleIntercept: 0 });
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([...data].map((v) => Math.round(v / 4))).toEqual([255, 0, 0].map((v) => Math.round(v / 4)));
    const small = await renderFrame(int16(new Array(8).fill(1024)), ct, {
      ...base,
      format: 'jpeg',
      viewport: { width: 2, height: 2 },
    });
    expect((await sharp(small).metadata()).width).toBe(2);
  });

  it('renders a PALETTE COLOR image through its palette, values outside the table clamped', async () => {
    const pixel: PixelDescription = {
      ...ct,
      bitsAllocated: 8,
      bitsStored: 8,
      pixelRepresentation: 0,
      photometricInterpretation: 'PALETTE COLOR',
      rows: 1,
      columns: 4,
    };
    // Entries for stored values 10, 11 and 12: red, green, blue.
    const palette = {
      firstMapped: 10,
      red: Uint8Array.of(255, 0, 0),
      green: Uint8Array.of(0, 255, 0),
      blue: Uint8Array.of(0, 0, 255),
    };
    const png = await renderFrame(Uint8Array.of(10, 11, 12, 200), pixel, { ...base, palette });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect([...data]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255]);
    await expect(renderFrame(Uint8Array.of(10, 11, 12, 200), pixel, base)).rejects.toThrow(/palette/);
  });

  it('renders 16-bit RGB by the top 8 of its stored bits', async () => {
    const pixel: PixelDescription = {
      ...ct,
      samplesPerPixel: 3,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 0,
      photometricInterpretation: 'RGB',
      rows: 1,
      columns: 1,
    };
    const samples = new Uint8Array(6);
    const view = new DataView(samples.buffer);
    [0xffff, 0x8000, 0x0100].forEach((v, i) => view.setUint16(i * 2, v, true));
    const png = await renderFrame(samples, pixel, base);
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([...data]).toEqual([255, 128, 1]);
  });

  it('renders 32-bit RGB by the top 8 of its stored bits', async () => {
    const pixel: PixelDescription = {
      ...ct,
      samplesPerPixel: 3,
      bitsAllocated: 32,
      bitsStored: 32,
      pixelRepresentation: 0,
      photometricInterpretation: 'RGB',
      rows: 1,
      columns: 1,
    };
    const samples = new Uint8Array(12);
    const view = new DataView(samples.buffer);
    [0xffffffff, 0x80000000, 0x01000000].forEach((v, i) => view.setUint32(i * 4, v, true));
    const png = await renderFrame(samples, pixel, base);
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([...data]).toEqual([255, 128, 1]);
  });

  it('applies the object VOI LUT when no window is given, and a window before it', async () => {
    // Modality values -1024 … -1021 (stored 0 … 3); a 4-entry LUT from -1024 of 8-bit outputs.
    const voiLut = { firstMapped: -1024, bits: 8, data: Uint16Array.of(0, 200, 100, 255) };
    const out = await grey(await renderFrame(int16([0, 1, 2, 3, 0, 1, 2, 3]), ct, { ...base, voiLut }));
    expect(out.slice(0, 4)).toEqual([0, 200, 100, 255]);
    const windowed = await grey(
      await renderFrame(int16([0, 1, 2, 3, 0, 1, 2, 3]), ct, {
        ...base,
        voiLut,
        window: { center: -1022.5, width: 4, function: 'LINEAR_EXACT' },
      }),
    );
    expect(windowed.slice(0, 4)).toEqual([32, 96, 159, 223]); // the window, not the LUT
  });

  it('renders a 1-bit bitmap (a segmentation) black and white, first pixel in the lowest bit', async () => {
    const pixel: PixelDescription = {
      ...ct,
      bitsAllocated: 1,
      bitsStored: 1,
      pixelRepresentation: 0,
      rows: 2,
      columns: 4,
    };
    const out = await grey(
      await renderFrame(Uint8Array.of(0b10100101), pixel, { ...base, rescaleIntercept: 0 }),
    );
    expect(out).toEqual([255, 0, 255, 0, 0, 255, 0, 255]);
  });
});

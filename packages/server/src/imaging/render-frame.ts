import sharp from 'sharp';
import type { PixelDescription } from '../archive/frame-index.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { applyPalette, type Palette } from './palette-color.js';
import { applyVoiLut, type VoiLut } from './voi-lut.js';

/** A VOI window (PS3.3 §C.11.2.1.2). */
export interface VoiWindow {
  center: number;
  width: number;
  /** LINEAR (default), LINEAR_EXACT or SIGMOID. */
  function: string;
}

/** How to render: window, modality LUT, output size and format (PS3.18 §8.3.5 rendered query parameters). */
export interface RenderOptions {
  /** Window from the request, else the object's first window, else the frame's full range. */
  window?: VoiWindow;
  /** Windows stored in the object (WindowCenter/WindowWidth), used when the request gives none. */
  storedWindow?: VoiWindow;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Output size (fit inside, aspect kept; one side may be left to the aspect ratio); region to crop first. */
  viewport?: {
    width?: number;
    height?: number;
    region?: { x: number; y: number; width: number; height: number };
    /** Mirror the (cropped) image left–right and/or top–bottom (a negative viewport sw/sh). */
    flip?: { horizontal: boolean; vertical: boolean };
  };
  format: 'jpeg' | 'png' | 'gif';
  /** The palette of a PALETTE COLOR image (read from its header by the caller). */
  palette?: Palette;
  /** The object's VOI LUT (PS3.3 C.11.2.1.1), used when neither the request nor the object gives a window. */
  voiLut?: VoiLut;
  /** JPEG quality 1–100. */
  quality: number;
}

/** Stored values of a monochrome frame as numbers, masked to BitsStored and sign-extended. */
function storedValues(pixels: Uint8Array, pixel: PixelDescription): Float64Array {
  const count = pixel.rows * pixel.columns;
  const out = new Float64Array(count);
  if (pixel.bitsAllocated === 1) {
    // A bitmap (segmentations, overlays as images): the first pixel in the lowest bit (PS3.5 8.1.1).
    for (let i = 0; i < count; i++) out[i] = ((pixels[i >> 3] ?? 0) >> (i & 7)) & 1;
    return out;
  }
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const bytes = pixel.bitsAllocated / 8;
  const bits = Math.min(pixel.bitsStored, 32);
  const signed = pixel.pixelRepresentation === 1;
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  for (let i = 0; i < count; i++) {
    const o = i * bytes;
    let v = bytes === 1 ? view.getUint8(o) : bytes === 2 ? view.getUint16(o, true) : view.getUint32(o, true);
    v = bits >= 32 ? v : v & mask;
    if (signed && v >= signBit) v -= 2 * signBit;
    out[i] = v;
  }
  return out;
}

// PS3.3 §C.11.2.1.2.1 (LINEAR), §C.11.2.1.3.1 (LINEAR_EXACT), §C.11.2.1.3.2 (SIGMOID); output 0–255.
function windowValue(x: number, w: VoiWindow): number {
  const { center: c, width } = w;
  if (w.function === 'SIGMOID') return 255 / (1 + Math.exp((-4 * (x - c)) / width));
  if (w.function === 'LINEAR_EXACT') {
    if (x <= c - width / 2) return 0;
    if (x > c + width / 2) return 255;
    return ((x - c) / width + 0.5) * 255;
  }
  if (x <= c - 0.5 - (width - 1) / 2) return 0;
  if (x > c - 0.5 + (width - 1) / 2) return 255;
  return ((x - (c - 0.5)) / (width - 1) + 0.5) * 255;
}

function renderMonochrome(pixels: Uint8Array, pixel: PixelDescription, options: RenderOptions): Uint8Array {
  const values = storedValues(pixels, pixel);
  const { rescaleSlope: m, rescaleIntercept: b } = options;
  const invert = pixel.photometricInterpretation === 'MONOCHROME1';
  let window = options.window ?? options.storedWindow;
  const lut = options.voiLut;
  if ((window === undefined || window.width <= 0) && lut !== undefined) {
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const g = Math.round(applyVoiLut(values[i]! * m + b, lut));
      out[i] = invert ? 255 - g : g;
    }
    return out;
  }
  if (window === undefined || window.width <= 0) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      const x = v * m + b;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    window = { center: (min + max) / 2, width: Math.max(max - min, 1), function: 'LINEAR_EXACT' };
  }
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const g = Math.round(windowValue(values[i]! * m + b, window));
    out[i] = invert ? 255 - g : g;
  }
  return out;
}

// PS3.3 §C.7.6.3.1.2: YBR_FULL to RGB.
function ybrToRgb(y: number, cb: number, cr: number): [number, number, number] {
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  return [
    clamp(y + 1.402 * (cr - 128)),
    clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)),
    clamp(y + 1.772 * (cb - 128)),
  ];
}

/** 16- and 32-bit colour samples as 8-bit (the top 8 of BitsStored); 8-bit ones as they are. */
function eightBitSamples(pixels: Uint8Array, pixel: PixelDescription): Uint8Array {
  if (pixel.bitsAllocated === 8) return pixels;
  const size = pixel.bitsAllocated / 8;
  if (size !== 2 && size !== 4)
    throw new AppError(ErrorCode.NotAcceptable, 'only 8-, 16- and 32-bit colour images can be rendered');
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const shift = Math.max(0, Math.min(pixel.bitsStored, pixel.bitsAllocated) - 8);
  const out = new Uint8Array(Math.floor(pixels.byteLength / size));
  for (let i = 0; i < out.length; i++) {
    const sample = size === 2 ? view.getUint16(i * 2, true) : view.getUint32(i * 4, true);
    out[i] = Math.min(255, Math.floor(sample / 2 ** shift));
  }
  return out;
}

function renderColor(stored: Uint8Array, pixel: PixelDescription): Uint8Array {
  const count = pixel.rows * pixel.columns;
  const pixels = eightBitSamples(stored, pixel);
  const out = new Uint8Array(count * 3);
  const planar = pixel.planarConfiguration === 1;
  const ybr =
    pixel.photometricInterpretation.startsWith('YBR_FULL') &&
    pixel.photometricInterpretation !== 'YBR_FULL_422';
  for (let i = 0; i < count; i++) {
    const a = planar ? pixels[i]! : pixels[i * 3]!;
    const b = planar ? pixels[count + i]! : pixels[i * 3 + 1]!;
    const c = planar ? pixels[2 * count + i]! : pixels[i * 3 + 2]!;
    const [r, g, bl] = ybr ? ybrToRgb(a, b, c) : [a, b, c];
    out[i * 3] = r;
    out[i * 3 + 1] = g;
    out[i * 3 + 2] = bl;
  }
  return out;
}

/**
 * Renders one native frame (little endian) to JPEG, PNG or GIF: modality LUT (rescale), VOI window,
 * MONOCHROME1 inversion, colour conversion or a palette, crop and fit to the viewport (PS3.18 §8.3.5,
 * PS3.3 §C.11).
 */
export async function renderFrame(
  pixels: Uint8Array,
  pixel: PixelDescription,
  options: RenderOptions,
): Promise<Buffer> {
  const monochrome = pixel.samplesPerPixel === 1;
  if (!monochrome && pixel.samplesPerPixel !== 3) {
    throw new AppError(
      ErrorCode.NotAcceptable,
      `images with ${pixel.samplesPerPixel} samples per pixel cannot be rendered`,
    );
  }
  const palette = monochrome && pixel.photometricInterpretation === 'PALETTE COLOR';
  if (palette && options.palette === undefined) {
    throw new AppError(ErrorCode.NotAcceptable, 'a PALETTE COLOR image needs its palette to be rendered');
  }
  // A palette maps stored values to colours; no modality LUT or window applies (PS3.3 C.7.6.3.1.2).
  const raw = palette
    ? applyPalette(storedValues(pixels, pixel), options.palette!)
    : monochrome
      ? renderMonochrome(pixels, pixel, options)
      : renderColor(pixels, pixel);
  const grey = monochrome && !palette;
  let image = sharp(raw, { raw: { width: pixel.columns, height: pixel.rows, channels: grey ? 1 : 3 } });
  const viewport = options.viewport;
  if (viewport?.region !== undefined) {
    const r = viewport.region;
    if (
      r.x < 0 ||
      r.y < 0 ||
      r.width < 1 ||
      r.height < 1 ||
      r.x + r.width > pixel.columns ||
      r.y + r.height > pixel.rows
    ) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        `viewport: the region ${r.x},${r.y},${r.width},${r.height} is not inside the ${pixel.columns}×${pixel.rows} image`,
        'viewport',
      );
    }
    image = image.extract({ left: r.x, top: r.y, width: r.width, height: r.height });
  }
  // sharp extracts before it mirrors, so the region is the one asked for in the source's coordinates.
  if (viewport?.flip?.horizontal === true) image = image.flop();
  if (viewport?.flip?.vertical === true) image = image.flip();
  if (viewport !== undefined && (viewport.width !== undefined || viewport.height !== undefined)) {
    image = image.resize(viewport.width, viewport.height, { fit: 'inside' });
  }
  // Grey images stay one channel (sharp would otherwise write sRGB).
  if (grey) image = image.toColourspace('b-w');
  if (options.format === 'png') return image.png().toBuffer();
  if (options.format === 'gif') return image.gif().toBuffer();
  return image.jpeg({ quality: options.quality }).toBuffer();
}

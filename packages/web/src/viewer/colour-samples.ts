import { JsonTag, numberOf, textOf, type DicomJson } from '../dicomweb/dicom-json';
import type { StackFrame } from './series-stack';

/**
 * Colour images of more than 8 bits a sample (RGB secondary captures of 16 or 32 bits, JPEG 2000 colour
 * of 12 or 16), shown as 8-bit colour.
 *
 * Cornerstone3D draws colour as 8-bit: its image loader gives every colour image the window 256/128 and
 * turns YBR and planar samples into a Uint8ClampedArray, so anything above 255 was drawn saturated. A VOI
 * window over 0 to 2^BitsStored − 1 would reach the GPU's shader, but not the CPU path (it draws colour
 * through the 8-bit canvas of the image), not YBR or planar samples (clamped before any window applies),
 * and it would be lost whenever a viewport resets its VOI to the image's. So each sample is scaled to
 * 0–255 once, when the frame is decoded: from then on the image is 8-bit colour to every part of the
 * viewer (window, inversion, exports, CPU drawing) and is shown as such. A display shows 8 bits a
 * colour anyway; only windowing within a narrow range of values loses the finer steps.
 */

/** Attributes read here that the web app's JsonTag does not name. */
const PhotometricInterpretation = '00280004';
const PlanarConfiguration = '00280006';
const BitsStored = '00280101';
const AvailableTransferSyntaxUID = '00083002';

/**
 * Photometric interpretations whose decoded samples are red, green and blue: JPEG 2000's decoders undo
 * the reversible and irreversible component transforms (YBR_RCT, YBR_ICT) themselves.
 */
const RGB_SAMPLES = ['RGB', 'YBR_RCT', 'YBR_ICT'];

/**
 * Syntaxes whose frames reach the browser as stored, their samples in the order Planar Configuration
 * says (native, deflated, encapsulated uncompressed). The decoders of compressed syntaxes give samples
 * side by side, and so does the server for the frames it decodes (RLE).
 */
const AS_STORED = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.1.98',
];

/** RLE Lossless: its decoder gives back the stored bytes of each sample, the bits above Bits Stored too. */
const RLE = '1.2.840.10008.1.2.5';

/**
 * Whether a frame that arrived in a transfer syntax (the one its response named) comes out of a decoder
 * as values rather than as stored words: JPEG, JPEG-LS, JPEG 2000 and HTJ2K give each sample at the
 * codestream's precision, which may exceed Bits Stored. Native and RLE frames hold the samples as stored.
 */
export function fromDecoder(transferSyntaxUid: string | undefined): boolean {
  return (
    transferSyntaxUid !== undefined &&
    transferSyntaxUid !== '' &&
    !AS_STORED.includes(transferSyntaxUid) &&
    transferSyntaxUid !== RLE
  );
}

/** How the samples of a colour image of more than 8 bits are laid out and what they mean. */
export interface WideColour {
  /** Bits Stored: each sample runs from 0 to 2^bitsStored − 1. */
  bitsStored: number;
  /** Luminance and two colour differences (YBR_FULL), rather than red, green and blue. */
  ybrFull: boolean;
  /** The frame holds all red samples, then all green, then all blue (Planar Configuration 1). */
  planar: boolean;
}

/**
 * The colour layout of an instance whose samples must be brought to 8 bits before Cornerstone sees them:
 * three samples of more than 8 bits allocated, RGB or YBR_FULL. Undefined for every other image (8-bit
 * colour and greyscale are left as they are; YBR_FULL_422 and YBR_PARTIAL exist only in 8-bit JPEG).
 */
export function wideColourOf(instance: DicomJson): WideColour | undefined {
  if (numberOf(instance, JsonTag.SamplesPerPixel) !== 3) return undefined;
  const bitsAllocated = numberOf(instance, JsonTag.BitsAllocated) ?? 8;
  if (bitsAllocated <= 8) return undefined;
  const photometric = textOf(instance, PhotometricInterpretation);
  if (!RGB_SAMPLES.includes(photometric) && photometric !== 'YBR_FULL') return undefined;
  const bitsStored = numberOf(instance, BitsStored) ?? bitsAllocated;
  return {
    bitsStored: Math.min(Math.max(bitsStored, 1), bitsAllocated),
    ybrFull: photometric === 'YBR_FULL',
    planar:
      numberOf(instance, PlanarConfiguration) === 1 &&
      AS_STORED.includes(textOf(instance, AvailableTransferSyntaxUID)),
  };
}

/**
 * What Cornerstone's image loader is told of such an instance: RGB samples side by side, so that it
 * hands the decoded samples over untouched instead of converting them into 8 bits, clamped, itself;
 * {@link eightBitColour} then does what the true Photometric Interpretation and Planar Configuration ask.
 */
export function asInterleavedRgb(instance: DicomJson): DicomJson {
  return {
    ...instance,
    [PhotometricInterpretation]: { vr: 'CS', Value: ['RGB'] },
    [PlanarConfiguration]: { vr: 'US', Value: [0] },
  };
}

/**
 * The decoded samples of a frame as 8-bit RGB, side by side: each sample scaled from 0..2^BitsStored − 1
 * to 0..255 and rounded (so a 16-bit 64 × 257 is the 8-bit 64), YBR_FULL turned into RGB first (PS3.3
 * C.7.6.3.1.2, its offsets at half the sample range). In samples as stored, bits above Bits Stored are
 * not part of the sample (PS3.5 8.1.1) and are ignored; a decoder's samples (`decoded`, see
 * {@link fromDecoder}) are values, and one above the largest Bits Stored holds is that largest.
 */
export function eightBitColour(samples: ArrayLike<number>, colour: WideColour, decoded = false): Uint8Array {
  const pixels = Math.floor(samples.length / 3);
  const shown = new Uint8Array(pixels * 3);
  const span = 2 ** colour.bitsStored;
  const largest = span - 1;
  const half = span / 2;
  const toDisplay = 255 / largest;
  const stored = decoded
    ? (value: number): number => Math.min(Math.max(value, 0), largest)
    : (value: number): number => Math.max(0, value % span);
  const byte = (value: number): number => Math.round(Math.min(Math.max(value, 0), largest) * toDisplay);
  // Where a pixel's three samples lie: side by side, or one in each plane.
  const step = colour.planar ? 1 : 3;
  const [second, third] = colour.planar ? [pixels, 2 * pixels] : [1, 2];
  for (let pixel = 0, at = 0, out = 0; pixel < pixels; pixel++, at += step, out += 3) {
    const first = stored(samples[at]!);
    const middle = stored(samples[at + second]!);
    const last = stored(samples[at + third]!);
    if (colour.ybrFull) {
      const blue = middle - half;
      const red = last - half;
      shown[out] = byte(first + 1.402 * red);
      shown[out + 1] = byte(first - 0.344136 * blue - 0.714136 * red);
      shown[out + 2] = byte(first + 1.772 * blue);
    } else {
      shown[out] = byte(first);
      shown[out + 1] = byte(middle);
      shown[out + 2] = byte(last);
    }
  }
  return shown;
}

/** The colour layout of each frame that must be brought to 8 bits, by image ID. */
const wideColourOfFrame = new Map<string, WideColour>();

/** Remembers which frames of a series are colour of more than 8 bits a sample. */
export function registerWideColour(frames: readonly StackFrame[]): void {
  for (const frame of frames) {
    const colour = wideColourOf(frame.metadata);
    if (colour !== undefined) wideColourOfFrame.set(frame.imageId, colour);
  }
}

/** The colour layout of a frame to bring to 8 bits, or undefined for any other frame. */
export function wideColourOfImage(imageId: string): WideColour | undefined {
  return wideColourOfFrame.get(imageId);
}

/** Pixel description of one frame (from the data set: Rows, Columns, SamplesPerPixel, BitsAllocated, BitsStored, PixelRepresentation, PhotometricInterpretation, PlanarConfiguration). */
export interface FrameInfo {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  planarConfiguration: number;
}

/** A decoded frame: native little-endian pixels (interleaved samples, PlanarConfiguration 0), and the photometric interpretation they now have (e.g. YBR_FULL_422 JPEG → RGB). */
export interface DecodedFrame {
  pixels: Uint8Array;
  photometricInterpretation: string;
  planarConfiguration: 0;
  bitsAllocated: number;
}

/** Largest decoded frame accepted (1 GiB): a guard against data sets that claim absurd dimensions. */
export const MAX_FRAME_BYTES = 1 << 30;

/** Bytes of one native frame (PS3.5 §8.1.1): bit-packed for BitsAllocated 1, else whole bytes per sample. */
export function frameByteLength(info: FrameInfo): number {
  const samples = info.rows * info.columns * info.samplesPerPixel;
  return info.bitsAllocated === 1 ? Math.ceil(samples / 8) : samples * (info.bitsAllocated / 8);
}

import { CodecError, CodecFailure } from './codec-error.js';
import type { FrameInfo } from './frame-info.js';

const HEADER_LENGTH = 64;
const MAX_SEGMENTS = 15;

function corrupt(detail: string): CodecError {
  return new CodecError(CodecFailure.Corrupt, `RLE: ${detail}`);
}

/**
 * Decodes one RLE Lossless frame (PS3.5 Annex G) to native little-endian pixels, samples interleaved.
 *
 * The frame starts with a 64-byte header (G.4): the number of segments and up to 15 segment offsets.
 * There is one segment per byte of each sample, most significant byte first (G.2), each a PackBits
 * stream (G.3.2) that yields Rows × Columns bytes.
 */
export function decodeRle(encoded: Uint8Array, info: FrameInfo): Uint8Array {
  const { bitsAllocated, samplesPerPixel } = info;
  if (bitsAllocated % 8 !== 0 || bitsAllocated === 0 || bitsAllocated > 64) {
    throw new CodecError(
      CodecFailure.Unsupported,
      `RLE: BitsAllocated ${bitsAllocated} cannot be RLE encoded`,
    );
  }
  const bytesPerSample = bitsAllocated / 8;
  const segmentCount = samplesPerPixel * bytesPerSample;
  if (segmentCount > MAX_SEGMENTS) {
    throw new CodecError(
      CodecFailure.Unsupported,
      `RLE: ${segmentCount} segments needed, at most 15 allowed`,
    );
  }
  if (encoded.length < HEADER_LENGTH) throw corrupt('the frame is shorter than its 64-byte header');
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const declared = view.getUint32(0, true);
  if (declared !== segmentCount) {
    throw corrupt(`the header declares ${declared} segments, the pixel description needs ${segmentCount}`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segmentCount; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  for (let s = 0; s < segmentCount; s++) {
    const start = offsets[s]!;
    if (start < HEADER_LENGTH || start >= encoded.length || (s > 0 && start < offsets[s - 1]!)) {
      throw corrupt(`segment ${s + 1} starts at ${start}, outside the frame`);
    }
  }

  const pixelCount = info.rows * info.columns;
  const out = new Uint8Array(pixelCount * segmentCount);
  // Each segment is decoded straight into its place: every segmentCount-th byte, starting at the byte
  // of its sample that it holds (MSB segment first → highest address in little endian).
  for (let s = 0; s < segmentCount; s++) {
    const end = s + 1 < segmentCount ? offsets[s + 1]! : encoded.length;
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    unpackBits(encoded, offsets[s]!, end, out, sample * bytesPerSample + byteInSample, segmentCount, s + 1);
  }
  return out;
}

// PS3.5 G.3.2: a header byte n in 0..127 copies the next n+1 bytes; -1..-127 repeats the next byte
// 1-n times; -128 is skipped. Output beyond Rows × Columns (padding runs) is dropped.
function unpackBits(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  first: number,
  stride: number,
  segmentNumber: number,
): void {
  const stop = first + (out.length / stride) * stride;
  let i = start;
  let at = first;
  while (at < stop) {
    if (i >= end) throw corrupt(`segment ${segmentNumber} ends after ${(at - first) / stride} bytes`);
    const header = src[i++]!;
    if (header < 128) {
      const length = header + 1;
      if (i + length > end) throw corrupt(`segment ${segmentNumber} ends inside a literal run`);
      const runEnd = Math.min(at + length * stride, stop);
      if (stride === 1 && length > 8) {
        out.set(src.subarray(i, i + (runEnd - at)), at);
        at = runEnd;
      } else {
        for (let k = i; at < runEnd; at += stride) out[at] = src[k++]!;
      }
      i += length;
    } else if (header > 128) {
      if (i >= end) throw corrupt(`segment ${segmentNumber} ends inside a replicate run`);
      const value = src[i++]!;
      const runEnd = Math.min(at + (257 - header) * stride, stop);
      if (stride === 1) {
        out.fill(value, at, runEnd);
        at = runEnd;
      } else {
        for (; at < runEnd; at += stride) out[at] = value;
      }
    }
  }
}

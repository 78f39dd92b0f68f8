/**
 * RLE Lossless encoding of one frame (PS3.5 Annex G), so that synthetic RLE objects hold real, decodable
 * pixel data.
 */
import { ByteWriter } from './encode.js';

// PS3.5 §G.3.1: PackBits, each row on its own; runs of 2-128 equal bytes, literals of 1-128 bytes.
function packBits(row: Uint8Array, out: number[]): void {
  let i = 0;
  while (i < row.length) {
    let run = 1;
    while (i + run < row.length && run < 128 && row[i + run] === row[i]) run++;
    if (run >= 2) {
      out.push(257 - run, row[i]!);
      i += run;
      continue;
    }
    let end = i + 1;
    while (end < row.length && end - i < 128 && !(end + 1 < row.length && row[end] === row[end + 1])) end++;
    out.push(end - i - 1);
    for (let j = i; j < end; j++) out.push(row[j]!);
    i = end;
  }
}

/**
 * Encodes a native frame (little-endian samples, interleaved when there are several: Planar Configuration
 * 0) as an RLE Lossless frame: a 64-byte header and one segment per sample byte, most significant first.
 */
export function rleEncodeFrame(
  frame: Uint8Array,
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: number,
): Uint8Array {
  const bytesPerSample = bitsAllocated / 8;
  const segmentCount = samplesPerPixel * bytesPerSample;
  if (segmentCount > 15) throw new Error('RLE allows at most 15 segments');
  const segments: Uint8Array[] = [];
  const row = new Uint8Array(columns);
  for (let sample = 0; sample < samplesPerPixel; sample++) {
    for (let byte = bytesPerSample - 1; byte >= 0; byte--) {
      const segment: number[] = [];
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < columns; c++) {
          row[c] = frame[((r * columns + c) * samplesPerPixel + sample) * bytesPerSample + byte]!;
        }
        packBits(row, segment);
      }
      if (segment.length % 2 === 1) segment.push(0); // §G.5: segments have even length
      segments.push(Uint8Array.from(segment));
    }
  }
  const out = new ByteWriter();
  out.u32(segmentCount, true);
  let offset = 64;
  for (let i = 0; i < 15; i++) {
    out.u32(i < segmentCount ? offset : 0, true);
    if (i < segmentCount) offset += segments[i]!.length;
  }
  for (const segment of segments) out.bytes(segment);
  return out.result();
}

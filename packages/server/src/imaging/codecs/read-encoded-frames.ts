import { frameRanges, type DataSet } from '@lightbox/dicom';

const PIXEL_DATA = 0x7fe00010;

/**
 * The encoded bytes of each frame of encapsulated pixel data read into memory (`readPixelData: true`):
 * the frame's fragments concatenated (PS3.5 §A.4). Undefined when the pixel data is not encapsulated,
 * was not read, or its frames cannot be told apart.
 */
export function readEncodedFrames(dataSet: DataSet): Uint8Array[] | undefined {
  const fragments = dataSet.get(PIXEL_DATA)?.encapsulated?.fragments;
  const ranges = frameRanges(dataSet);
  if (fragments === undefined || ranges === undefined || !ranges.encapsulated) return undefined;
  const byOffset = new Map(fragments.map((fragment) => [fragment.offset, fragment.bytes]));
  const frames: Uint8Array[] = [];
  for (const frame of ranges.frames) {
    const parts: Uint8Array[] = [];
    for (const range of frame) {
      const bytes = byOffset.get(range.offset);
      if (bytes === undefined) return undefined;
      parts.push(bytes);
    }
    if (parts.length === 1) {
      frames.push(parts[0]!);
      continue;
    }
    const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    frames.push(out);
  }
  return frames;
}

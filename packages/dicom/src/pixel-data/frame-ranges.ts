import type { DataSet, Fragment } from '../data-set.js';
import { isVideoTransferSyntax } from '../transfer-syntax.js';
import { getNumber, getString } from '../values/read-values.js';

/** A run of bytes in the stored object. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** Where each frame's bytes lie in the stored object: one list of ranges (fragments) per frame. */
export interface FrameRanges {
  /** True for encapsulated (compressed) pixel data: a frame's ranges are its fragments, in order. */
  encapsulated: boolean;
  /** Ranges of frame i at index i (frames are numbered from 1 in DICOMweb, from 0 here). */
  frames: ByteRange[][];
}

const PIXEL_DATA = 0x7fe00010;
const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;

function uint32s(bytes: Uint8Array, le: boolean): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(view.getUint32(i, le));
  return out;
}

function uint64s(bytes: Uint8Array, le: boolean): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(Number(view.getBigUint64(i, le)));
  return out;
}

/**
 * Locates every frame of the pixel data of a data set read with offsets recorded, so that single frames
 * can be served by byte range without reading the whole object. Returns undefined when there is no
 * pixel data, or when encapsulated frames cannot be told apart (several fragments per frame and no
 * offset table).
 *
 * Native pixel data: frame i starts at i × Rows × Columns × SamplesPerPixel × BitsAllocated / 8.
 * Encapsulated (PS3.5 §A.4): the Extended Offset Table if present and consistent with the fragments,
 * else the Basic Offset Table if so, else one fragment per frame, else all fragments make the only frame. A video (`transferSyntaxUid` an MPEG-2,
 * MPEG-4 or HEVC syntax, PS3.5 §8.2.5–8.2.8) is one stream however many frames it holds: all its
 * fragments are its only "frame", the unit DICOMweb sends it as.
 */
export function frameRanges(dataSet: DataSet, transferSyntaxUid?: string): FrameRanges | undefined {
  const pixelData = dataSet.get(PIXEL_DATA);
  if (pixelData === undefined) return undefined;
  const frameCount = Math.max(1, getNumber(dataSet, 0x00280008) ?? 1);
  if (pixelData.encapsulated === undefined) {
    if (pixelData.offset < 0) return undefined;
    const rows = getNumber(dataSet, 0x00280010) ?? 0;
    const columns = getNumber(dataSet, 0x00280011) ?? 0;
    const samples = getNumber(dataSet, 0x00280002) ?? 1;
    const bitsAllocated = getNumber(dataSet, 0x00280100) ?? 16;
    // PS3.3 C.7.6.3.1.2: YBR_FULL_422 (and the retired YBR_PARTIAL_422) store each pair of pixels as
    // Y1 Y2 Cb Cr, i.e. two samples per pixel although Samples per Pixel is 3.
    const subsampled = samples === 3 && /^YBR_(FULL|PARTIAL)_422$/.test(getString(dataSet, 0x00280004) ?? '');
    const frameBits = rows * columns * (subsampled ? 2 : samples) * bitsAllocated;
    if (frameBits === 0 || frameBits % 8 !== 0) return undefined; // 1-bit frames need not start on a byte
    const frameBytes = frameBits / 8;
    const frames: ByteRange[][] = [];
    for (let i = 0; i < frameCount; i++) {
      const start = i * frameBytes;
      if (start + frameBytes > pixelData.length) break;
      frames.push([{ offset: pixelData.offset + start, length: frameBytes }]);
    }
    return { encapsulated: false, frames };
  }
  const { fragments, basicOffsetTable } = pixelData.encapsulated;
  if (fragments.length === 0) return undefined;
  if (transferSyntaxUid !== undefined && isVideoTransferSyntax(transferSyntaxUid))
    return { encapsulated: true, frames: [fragments.map(range)] };
  const le = dataSet.littleEndian;
  const eot = dataSet.get(EXTENDED_OFFSET_TABLE)?.bytes;
  const eotLengths = dataSet.get(EXTENDED_OFFSET_TABLE_LENGTHS)?.bytes;
  const tables = [
    eot !== undefined && eot.length > 0 && eotLengths !== undefined ? uint64s(eot, le) : undefined,
    basicOffsetTable.length > 0 ? uint32s(basicOffsetTable, le) : undefined,
  ];
  for (const offsets of tables) {
    const frames = offsets === undefined ? undefined : byOffsets(fragments, offsets, frameCount);
    if (frames !== undefined) return { encapsulated: true, frames };
  }
  if (frameCount === 1) return { encapsulated: true, frames: [fragments.map(range)] };
  if (fragments.length === frameCount)
    return { encapsulated: true, frames: fragments.map((f) => [range(f)]) };
  return undefined;
}

function range(fragment: Fragment): ByteRange {
  return { offset: fragment.offset, length: fragment.length };
}

/**
 * The frames an offset table gives, or undefined when the table cannot be right: offset table values
 * count from the first byte of the first fragment's item tag (PS3.5 §A.4), so each must be the start of
 * an item, in increasing order from 0, one per frame. Writers do get them wrong (e.g. offsets that miss
 * the items by a few bytes, or one entry too many), and a wrong table would cut frames in the middle of
 * a codestream; the caller then falls back to one fragment per frame.
 */
function byOffsets(fragments: Fragment[], offsets: number[], frameCount: number): ByteRange[][] | undefined {
  if (offsets.length !== frameCount || offsets[0] !== 0) return undefined;
  const base = fragments[0]!.offset - 8;
  const frames: ByteRange[][] = offsets.map(() => []);
  let frame = -1;
  for (const fragment of fragments) {
    const itemStart = fragment.offset - 8 - base;
    if (frame + 1 < offsets.length && itemStart >= offsets[frame + 1]!) {
      if (itemStart !== offsets[frame + 1]) return undefined;
      frame++;
    }
    frames[frame]!.push(range(fragment));
  }
  return frame === offsets.length - 1 ? frames : undefined;
}

import { describe, expect, it } from 'vitest';
import { CodecError } from './codec-error.js';
import { decodeRle } from './decode-rle.js';
import type { FrameInfo } from './frame-info.js';

// PS3.5 G.4: a 64-byte header (segment count, 15 offsets), then the PackBits segments.
function rleFrame(segments: number[][]): Uint8Array {
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    offset += segment.length;
  });
  return Uint8Array.from([...header, ...segments.flat()]);
}

function info(rows: number, columns: number, samplesPerPixel: number, bitsAllocated: number): FrameInfo {
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored: bitsAllocated,
    pixelRepresentation: 0,
    photometricInterpretation: samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2',
    planarConfiguration: 0,
  };
}

const replicate = (count: number, value: number) => [257 - count, value]; // header byte -(count-1)
const literal = (...values: number[]) => [values.length - 1, ...values];

describe('decodeRle', () => {
  it('decodes literal and replicate runs, skipping the -128 no-op', () => {
    const frame = rleFrame([[...literal(1, 2, 3), 128, ...replicate(3, 9)]]);
    expect([...decodeRle(frame, info(2, 3, 1, 8))]).toEqual([1, 2, 3, 9, 9, 9]);
  });

  it('puts the most significant byte segment first and writes little endian (G.2)', () => {
    const frame = rleFrame([literal(0x12, 0xab), literal(0x34, 0xcd)]);
    expect([...decodeRle(frame, info(1, 2, 1, 16))]).toEqual([0x34, 0x12, 0xcd, 0xab]);
  });

  it('interleaves one segment per sample (colour by pixel)', () => {
    const frame = rleFrame([replicate(2, 10), replicate(2, 20), literal(30, 31)]);
    expect([...decodeRle(frame, info(1, 2, 3, 8))]).toEqual([10, 20, 30, 10, 20, 31]);
  });

  it('decodes 32-bit samples from four segments', () => {
    const frame = rleFrame([literal(1), literal(2), literal(3), literal(4)]);
    expect([...decodeRle(frame, info(1, 1, 1, 32))]).toEqual([4, 3, 2, 1]);
  });

  it('drops what a segment decodes beyond Rows × Columns (padding runs)', () => {
    const frame = rleFrame([[...replicate(5, 7), 0]]);
    expect([...decodeRle(frame, info(2, 2, 1, 8))]).toEqual([7, 7, 7, 7]);
  });

  it('decodes long runs across the whole frame', () => {
    const segment: number[] = [];
    for (let i = 0; i < 8; i++) segment.push(...replicate(128, i));
    const out = decodeRle(rleFrame([segment]), info(32, 32, 1, 8));
    expect(out.length).toBe(1024);
    expect(out[0]).toBe(0);
    expect(out[1023]).toBe(7);
  });

  it.each([
    ['a frame shorter than its header', new Uint8Array(10), info(1, 1, 1, 8)],
    [
      'a segment count that contradicts the pixel description',
      rleFrame([literal(1), literal(2)]),
      info(1, 1, 1, 8),
    ],
    ['a segment that ends early', rleFrame([literal(1, 2)]), info(2, 2, 1, 8)],
    ['a literal run past the end', rleFrame([[5, 1, 2]]), info(2, 3, 1, 8)],
    ['a replicate run without its value', rleFrame([[0xfe]]), info(1, 3, 1, 8)],
  ])('rejects %s as corrupt', (_name, frame, frameInfo) => {
    expect(() => decodeRle(frame, frameInfo)).toThrow(CodecError);
    try {
      decodeRle(frame, frameInfo);
    } catch (error) {
      expect((error as CodecError).reason).toBe('corrupt');
    }
  });

  it('rejects a segment offset outside the frame', () => {
    const frame = rleFrame([literal(1)]);
    new DataView(frame.buffer).setUint32(4, 5000, true);
    expect(() => decodeRle(frame, info(1, 1, 1, 8))).toThrow(/outside the frame/);
  });

  it('refuses pixel layouts RLE cannot hold', () => {
    expect(() => decodeRle(rleFrame([literal(1)]), info(1, 8, 1, 1))).toThrow(
      expect.objectContaining({ reason: 'unsupported' }),
    );
  });
});

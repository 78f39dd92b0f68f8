import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tag } from '../dictionary/index.js';
import { readPart10, type Part10Object } from '../reader/read-part10.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import {
  concatBytes,
  resolveSyntheticImageOptions,
  syntheticFrame,
  syntheticFrameFragments,
  syntheticImage,
  textElement,
  type SyntheticImageOptions,
} from '../test-support/index.js';
import { pydicomFiles, runPython } from '../test-support/node.js';
import { frameRanges, type ByteRange } from './frame-ranges.js';

/**
 * Frame ranges against Debian's pydicom: for encapsulated Pixel Data its fragments and
 * `generate_pixel_data` frames (PS3.5 §A.4), for native Pixel Data the frame length of
 * `get_expected_length` (which knows YBR_FULL_422 and friends); the bytes of the file at our ranges must be
 * pydicom's frame bytes (compared by SHA-256). Synthetic objects cover the offset table cases.
 */

const ORACLE = String.raw`
import hashlib, json, sys, pydicom
from pydicom.encaps import generate_pixel_data, generate_pixel_data_fragment, get_frame_offsets
from pydicom.filebase import DicomBytesIO
from pydicom.pixel_data_handlers.util import get_expected_length
out = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path, force=True)
    if 'PixelData' not in ds:
        continue
    if 'Rows' not in ds:
        out[path] = {'noGeometry': True}
        continue
    try:
        frames = int(ds.get('NumberOfFrames', 1) or 1)
    except ValueError:
        continue
    ts = ds.file_meta.get('TransferSyntaxUID') if hasattr(ds, 'file_meta') else None
    sha = lambda b: hashlib.sha256(b).hexdigest()
    if ts is not None and ts.is_compressed:
        fp = DicomBytesIO(ds.PixelData)
        fp.is_little_endian = True
        has_bot, offsets = get_frame_offsets(fp)
        fragments = len(list(generate_pixel_data_fragment(fp)))
        try:
            data = [sha(b''.join(f)) for f in generate_pixel_data(ds.PixelData, frames)]
        except ValueError as e:
            data = None
        out[path] = {'encapsulated': True, 'numberOfFrames': frames, 'fragments': fragments, 'hasBot': has_bot, 'frames': data}
    else:
        length = get_expected_length(ds, 'bytes') // frames
        out[path] = {'encapsulated': False, 'numberOfFrames': frames, 'frameLength': length,
                     'frames': [sha(ds.PixelData[i * length:(i + 1) * length]) for i in range(frames)]}
print(json.dumps(out))
`;

interface OracleFrames {
  noGeometry?: boolean;
  encapsulated: boolean;
  numberOfFrames: number;
  fragments?: number;
  hasBot?: boolean;
  frameLength?: number;
  frames: string[] | null;
}

const BROKEN = new Set(['MR_truncated.dcm', 'rtplan_truncated.dcm', 'SC_rgb_jpeg.dcm', 'no_meta.dcm']);
const files = pydicomFiles().filter((f) => !BROKEN.has(f.name));
let oracle: Record<string, OracleFrames>;

beforeAll(() => {
  oracle = runPython(
    ORACLE,
    files.map((f) => f.path),
  );
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function bytesAt(source: Uint8Array, ranges: readonly ByteRange[]): Uint8Array {
  return concatBytes(ranges.map((r) => source.subarray(r.offset, r.offset + r.length)));
}

describe('pydicom files', () => {
  it('has native and encapsulated, single and multi-frame cases', () => {
    const cases = Object.values(oracle);
    expect(cases.filter((c) => c.encapsulated && c.numberOfFrames > 1).length).toBeGreaterThanOrEqual(4);
    expect(cases.filter((c) => !c.encapsulated && c.numberOfFrames > 1).length).toBeGreaterThanOrEqual(2);
  });

  for (const file of files) {
    it(`${file.dir}/${file.name}`, async () => {
      const expected = oracle[file.path];
      const bytes = new Uint8Array(readFileSync(file.path));
      const parsed: Part10Object = await readPart10(bytes, { allowMissingPreamble: true });
      const ranges = frameRanges(parsed.dataSet);
      if (expected === undefined) {
        // No Pixel Data (or a Number of Frames that is not a number, badVR.dcm).
        if (!parsed.dataSet.has(Tag.PixelData)) expect(ranges).toBeUndefined();
        return;
      }
      if (expected.noGeometry) {
        // Pixel Data without Rows and Columns (meta_missing_tsyntax.dcm, nested_priv_SQ.dcm): no frames.
        expect(ranges).toBeUndefined();
        return;
      }
      expect(ranges).toBeDefined();
      expect(ranges!.encapsulated).toBe(expected.encapsulated);
      const source = parsed.deflated
        ? new Uint8Array(inflateRawSync(bytes.subarray(parsed.dataSetOffset)))
        : bytes;
      if (expected.encapsulated) {
        expect(parsed.dataSet.get(Tag.PixelData)!.encapsulated!.fragments).toHaveLength(expected.fragments!);
      }
      expect(ranges!.frames).toHaveLength(expected.numberOfFrames);
      expect(ranges!.frames.map((r) => sha256(bytesAt(source, r)))).toEqual(expected.frames);
    });
  }
});

describe('native pixel data', () => {
  const cases: [string, SyntheticImageOptions][] = [
    ['16-bit little endian, 5 frames', { frames: 5, rows: 7, columns: 9 }],
    ['16-bit big endian, 3 frames', { frames: 3, transferSyntaxUid: TransferSyntaxUid.ExplicitVRBigEndian }],
    [
      '8-bit implicit, odd size, 3 frames',
      {
        frames: 3,
        bitsAllocated: 8,
        rows: 5,
        columns: 3,
        transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian,
      },
    ],
    ['32-bit, 2 frames', { frames: 2, bitsAllocated: 32, bitsStored: 32, rows: 4, columns: 4 }],
    ['RGB 8-bit, 4 frames', { frames: 4, samplesPerPixel: 3, bitsAllocated: 8, rows: 6, columns: 5 }],
    ['one frame without Number of Frames', { rows: 10, columns: 10 }],
  ];
  for (const [name, options] of cases) {
    it(name, async () => {
      const o = resolveSyntheticImageOptions(options);
      const bytes = syntheticImage(o);
      const ranges = frameRanges((await readPart10(bytes)).dataSet)!;
      expect(ranges.encapsulated).toBe(false);
      expect(ranges.frames).toHaveLength(o.frames);
      ranges.frames.forEach((r, i) => {
        expect(r).toHaveLength(1);
        expect(bytesAt(bytes, r), `frame ${i}`).toEqual(syntheticFrame(o, i));
      });
    });
  }

  it('stops at the frames that are actually there', async () => {
    const o = resolveSyntheticImageOptions({
      frames: 3,
      rows: 4,
      columns: 4,
      extra: [textElement(Tag.NumberOfFrames, 'IS', '5')],
    });
    const ranges = frameRanges((await readPart10(syntheticImage(o))).dataSet)!;
    expect(ranges.frames).toHaveLength(3);
  });

  it('YBR_FULL_422 frames are 2 bytes per pixel, not 3 (PS3.3 C.7.6.3.1.2)', async () => {
    // Two frames of 4 x 4 pixels: each pair of pixels is Y1 Y2 Cb Cr.
    const frame = (f: number) => Uint8Array.from({ length: 32 }, (_, i) => (f * 64 + i) & 0xff);
    const o = resolveSyntheticImageOptions({
      rows: 4,
      columns: 4,
      samplesPerPixel: 3,
      bitsAllocated: 8,
      photometricInterpretation: 'YBR_FULL_422',
      frames: 2,
      // The builder would write 3 samples per pixel: give it the subsampled frames instead.
      extra: [
        { tag: Tag.PixelData, vr: 'OB', length: 64, offset: -1, bytes: concatBytes([frame(0), frame(1)]) },
      ],
    });
    const bytes = syntheticImage(o);
    const ranges = frameRanges((await readPart10(bytes)).dataSet)!;
    expect(ranges.frames).toHaveLength(2);
    expect(bytesAt(bytes, ranges.frames[0]!)).toEqual(frame(0));
    expect(bytesAt(bytes, ranges.frames[1]!)).toEqual(frame(1));
  });

  it('cannot place 1-bit frames that do not start on a byte, and needs the offsets of the source', async () => {
    const o = resolveSyntheticImageOptions({ rows: 3, columns: 3, bitsAllocated: 8 });
    const parsed = await readPart10(syntheticImage(o), { readPixelData: true });
    parsed.dataSet.set({ ...parsed.dataSet.get(Tag.BitsAllocated)!, bytes: Uint8Array.of(1, 0) });
    expect(frameRanges(parsed.dataSet)).toBeUndefined();
    const built = await readPart10(syntheticImage(o), { readPixelData: true });
    built.dataSet.set({ ...built.dataSet.get(Tag.PixelData)!, offset: -1 });
    expect(frameRanges(built.dataSet)).toBeUndefined();
  });
});

describe('encapsulated pixel data', () => {
  const jpeg = TransferSyntaxUid.JPEGBaseline8Bit;
  const cases: [string, SyntheticImageOptions][] = [
    ['with a Basic Offset Table, one fragment per frame', { transferSyntaxUid: jpeg, frames: 4 }],
    [
      'with a Basic Offset Table, three fragments per frame',
      { transferSyntaxUid: jpeg, frames: 3, fragmentsPerFrame: 3 },
    ],
    [
      'without an offset table, one fragment per frame',
      { transferSyntaxUid: jpeg, frames: 5, basicOffsetTable: false },
    ],
    [
      'one frame in several fragments, no offset table',
      { transferSyntaxUid: jpeg, fragmentsPerFrame: 4, basicOffsetTable: false },
    ],
    [
      'one frame in several fragments, with an offset table',
      { transferSyntaxUid: jpeg, fragmentsPerFrame: 4 },
    ],
    ['with an Extended Offset Table', { transferSyntaxUid: jpeg, frames: 6, extendedOffsetTable: true }],
    [
      'RLE, real compression, 3 frames',
      { transferSyntaxUid: TransferSyntaxUid.RLELossless, frames: 3, samplesPerPixel: 3, bitsAllocated: 8 },
    ],
  ];
  for (const [name, options] of cases) {
    it(name, async () => {
      const o = resolveSyntheticImageOptions({ rows: 16, columns: 12, ...options });
      const bytes = syntheticImage(o);
      const parsed = await readPart10(bytes);
      const ranges = frameRanges(parsed.dataSet)!;
      expect(ranges.encapsulated).toBe(true);
      expect(ranges.frames).toHaveLength(o.frames);
      ranges.frames.forEach((r, i) => {
        expect(r).toHaveLength(syntheticFrameFragments(o, i).length);
        expect(bytesAt(bytes, r), `frame ${i}`).toEqual(syntheticFrame(o, i));
      });
    });
  }

  it('a video is one stream of all its fragments, however many frames it holds (PS3.5 §8.2.7)', async () => {
    const o = resolveSyntheticImageOptions({
      transferSyntaxUid: jpeg,
      fragmentsPerFrame: 3,
      basicOffsetTable: false,
      rows: 16,
      columns: 12,
      extra: [textElement(Tag.NumberOfFrames, 'IS', '150')],
    });
    const bytes = syntheticImage(o);
    const parsed = await readPart10(bytes);
    // As JPEG, 150 frames in 3 fragments cannot be told apart; as MPEG-4 they are one stream.
    expect(frameRanges(parsed.dataSet, jpeg)).toBeUndefined();
    const video = frameRanges(parsed.dataSet, TransferSyntaxUid.MPEG4HP41)!;
    expect(video.frames).toHaveLength(1);
    expect(video.frames[0]).toHaveLength(3);
    expect(bytesAt(bytes, video.frames[0]!)).toEqual(syntheticFrame(o, 0));
    expect(frameRanges(parsed.dataSet, TransferSyntaxUid.HEVCMP51)!.frames).toHaveLength(1);
    expect(frameRanges(parsed.dataSet, TransferSyntaxUid.MPEG2MPMLF)!.frames).toHaveLength(1);
  });

  it('ignores an offset table that misses the items, and takes one fragment per frame', async () => {
    // As in a GDCM example XA: every offset after the first lands a few bytes off its item.
    const o = resolveSyntheticImageOptions({ transferSyntaxUid: jpeg, frames: 4, rows: 16, columns: 12 });
    const bytes = syntheticImage(o).slice();
    const pixel = (await readPart10(bytes)).dataSet.get(Tag.PixelData)!;
    const table = pixel.encapsulated!.fragments[0]!.offset - 8 - 4 * o.frames;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 1; i < o.frames; i++)
      view.setUint32(table + 4 * i, view.getUint32(table + 4 * i, true) + 3, true);
    const ranges = frameRanges((await readPart10(bytes)).dataSet)!;
    expect(ranges.frames).toHaveLength(4);
    ranges.frames.forEach((r, i) => expect(bytesAt(bytes, r), `frame ${i}`).toEqual(syntheticFrame(o, i)));
  });

  it('several fragments per frame and no offset table: frames cannot be told apart', async () => {
    const o = resolveSyntheticImageOptions({
      transferSyntaxUid: jpeg,
      frames: 2,
      fragmentsPerFrame: 2,
      basicOffsetTable: false,
    });
    expect(frameRanges((await readPart10(syntheticImage(o))).dataSet)).toBeUndefined();
  });

  it("the builder's encapsulation equals pydicom's encapsulate() and encapsulate_extended()", async () => {
    const frames = [0, 1, 2].map((i) => syntheticFrame({ rows: 4, columns: 6, frames: 3 }, i));
    const [bot, extended, offsets, lengths] = runPython<string[]>(
      String.raw`
import json, sys
from pydicom.encaps import encapsulate, encapsulate_extended
frames = [bytes.fromhex(h) for h in json.loads(sys.argv[1])]
e = encapsulate_extended(frames)
print(json.dumps([encapsulate(frames, fragments_per_frame=2, has_bot=True).hex(), e[0].hex(), e[1].hex(), e[2].hex()]))
`,
      [JSON.stringify(frames.map((f) => Buffer.from(f).toString('hex')))],
    );
    const encapsulated = async (options: SyntheticImageOptions) => {
      const bytes = syntheticImage({ transferSyntaxUid: jpeg, rows: 4, columns: 6, frames: 3, ...options });
      const { dataSet } = await readPart10(bytes);
      const pixel = dataSet.get(Tag.PixelData)!;
      // From the offset table item to the last fragment (pydicom writes no sequence delimiter).
      const start = pixel.offset;
      const end = bytes.length - 8;
      return { hex: Buffer.from(bytes.subarray(start, end)).toString('hex'), dataSet };
    };
    expect((await encapsulated({ fragmentsPerFrame: 2 })).hex).toBe(bot);
    const withEot = await encapsulated({ extendedOffsetTable: true });
    expect(withEot.hex).toBe(extended);
    expect(Buffer.from(withEot.dataSet.get(Tag.ExtendedOffsetTable)!.bytes!).toString('hex')).toBe(offsets);
    expect(Buffer.from(withEot.dataSet.get(Tag.ExtendedOffsetTableLengths)!.bytes!).toString('hex')).toBe(
      lengths,
    );
  });
});

import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DataElement, DataSet } from '../data-set.js';
import { Tag } from '../dictionary/index.js';
import { frameRanges } from '../pixel-data/frame-ranges.js';
import { tagToHex } from '../tag.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import {
  asAsync,
  chunksOf,
  dataSetSnapshot,
  extractRanges,
  randomChunks,
  resolveSyntheticImageOptions,
  syntheticFrame,
  syntheticImage,
  syntheticImageLayout,
  syntheticImageStream,
} from '../test-support/index.js';
import { pydicomFiles } from '../test-support/node.js';
import { readPart10, type Part10Object, type Part10ReadOptions } from './read-part10.js';

/**
 * Streaming: the reader must give the same result whatever the chunking of its input, keep values above
 * the threshold out of memory with offsets that point at their bytes, stop early on request, and read
 * objects far larger than memory would allow it to hold.
 */

// The genuinely broken files are covered in read-part10-pydicom.test.ts.
const BROKEN = new Set(['MR_truncated.dcm', 'rtplan_truncated.dcm', 'SC_rgb_jpeg.dcm', 'no_meta.dcm']);
const files = pydicomFiles().filter((f) => !BROKEN.has(f.name));

function snapshot(result: Part10Object) {
  return { ...result, meta: dataSetSnapshot(result.meta), dataSet: dataSetSnapshot(result.dataSet) };
}

const OPTIONS: Part10ReadOptions = {
  allowMissingPreamble: true,
  readPixelData: true,
  bulkDataThreshold: 256,
};

describe('chunking does not change the result', () => {
  for (const file of files) {
    it(`${file.dir}/${file.name}`, async () => {
      const bytes = new Uint8Array(readFileSync(file.path));
      const whole = snapshot(await readPart10(bytes, OPTIONS));
      expect(snapshot(await readPart10(chunksOf(bytes, 1), OPTIONS)), '1-byte chunks').toEqual(whole);
      expect(snapshot(await readPart10(asAsync(chunksOf(bytes, 7)), OPTIONS)), '7-byte chunks').toEqual(
        whole,
      );
      expect(snapshot(await readPart10(chunksOf(bytes, 4096), OPTIONS)), '4 KiB chunks').toEqual(whole);
      for (const seed of [1, 2, 3]) {
        expect(
          snapshot(await readPart10(asAsync(randomChunks(bytes, seed, 64)), OPTIONS)),
          `seed ${seed}`,
        ).toEqual(whole);
      }
    });
  }

  it('a Node file stream with 7-byte reads gives the same as one buffer', async () => {
    for (const name of ['CT_small.dcm', 'image_dfl.dcm', 'JPEG2000.dcm', 'MR_small_bigendian.dcm']) {
      const file = files.find((f) => f.name === name)!;
      const whole = snapshot(await readPart10(new Uint8Array(readFileSync(file.path)), OPTIONS));
      const stream = createReadStream(file.path, { highWaterMark: 7 });
      expect(snapshot(await readPart10(stream, OPTIONS)), name).toEqual(whole);
    }
  });
});

describe('large values read into memory from small chunks', () => {
  it('take time linear in the number of chunks (a 512 KiB value from 1-byte chunks)', async () => {
    // Regression: ByteSource consumed chunks with Array#shift, O(n) each, so this took ~100 s.
    const o = resolveSyntheticImageOptions({ rows: 512, columns: 512, bitsAllocated: 16 });
    const bytes = syntheticImage(o);
    const started = performance.now();
    const result = await readPart10(chunksOf(bytes, 1), { readPixelData: true });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(Buffer.compare(result.dataSet.get(Tag.PixelData)!.bytes!, syntheticFrame(o, 0))).toBe(0);
  }, 60_000);
});

describe('bulk data left in the source', () => {
  function* walk(dataSet: DataSet): Generator<DataElement> {
    for (const element of dataSet.elements.values()) {
      yield element;
      for (const item of element.items ?? []) yield* walk(item);
    }
  }

  for (const file of files.filter((f) => !f.name.includes('dfl'))) {
    it(`${file.dir}/${file.name}: values above 16 bytes are not held and their offsets point at them`, async () => {
      const bytes = new Uint8Array(readFileSync(file.path));
      const lazy = await readPart10(asAsync(randomChunks(bytes, 9, 100)), {
        allowMissingPreamble: true,
        bulkDataThreshold: 16,
      });
      let left = 0;
      for (const element of walk(lazy.dataSet)) {
        if (element.items !== undefined) continue;
        if (element.encapsulated !== undefined) {
          for (const f of element.encapsulated.fragments) expect(f.bytes).toBeUndefined();
          continue;
        }
        const where = tagToHex(element.tag);
        if (element.length > 16 || element.tag === Tag.PixelData) {
          expect(element.bytes, where).toBeUndefined();
          left++;
        } else {
          expect(element.bytes, where).toEqual(
            bytes.subarray(element.offset, element.offset + element.length),
          );
        }
        expect(element.offset + element.length, where).toBeLessThanOrEqual(bytes.length);
      }
      // The lazy tree is the eager one minus the values: same offsets and lengths everywhere.
      const eager = await readPart10(bytes, {
        allowMissingPreamble: true,
        bulkDataThreshold: Infinity,
        readPixelData: true,
      });
      const eagerByTag = new Map([...walk(eager.dataSet)].map((e) => [`${e.tag}@${e.offset}`, e]));
      for (const element of walk(lazy.dataSet)) {
        const twin = eagerByTag.get(`${element.tag}@${element.offset}`);
        expect(twin, tagToHex(element.tag)).toBeDefined();
        expect(twin!.length).toBe(element.length);
        if (element.bytes === undefined && twin!.bytes !== undefined) {
          expect(bytes.subarray(element.offset, element.offset + element.length)).toEqual(twin!.bytes);
        }
      }
      if (bytes.length > 2000) expect(left).toBeGreaterThan(0);
    });
  }
});

describe('stopAtTag', () => {
  it('stops before Pixel Data without pulling the rest of the stream', async () => {
    const o = resolveSyntheticImageOptions({ rows: 256, columns: 256, frames: 8 });
    const bytes = syntheticImage(o);
    const { pixelDataValueOffset } = syntheticImageLayout(o);
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunksOf(bytes, 1000)) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const result = await readPart10(source(), { stopAtTag: Tag.PixelData });
    expect(result.stoppedAt).toBe(Tag.PixelData);
    expect(result.dataSet.has(Tag.PixelData)).toBe(false);
    expect(result.dataSet.has(Tag.PixelRepresentation)).toBe(true);
    expect(pulled).toBeLessThan(pixelDataValueOffset + 1000);
    expect(pulled).toBeLessThan(bytes.length / 10);
  });

  it('stops at the first element at or after the tag, even when the tag is absent', async () => {
    const bytes = syntheticImage({});
    const result = await readPart10(bytes, { stopAtTag: 0x00100021 });
    expect(result.stoppedAt).toBe(Tag.PatientBirthDate);
    expect(result.dataSet.has(Tag.PatientID)).toBe(true);
    expect(result.dataSet.has(Tag.PatientBirthDate)).toBe(false);
    expect([...result.dataSet.elements.keys()].every((t) => t < 0x00100021)).toBe(true);
  });

  it('applies to the top level only, not to elements inside sequences', async () => {
    const full = await readPart10(
      new Uint8Array(readFileSync(files.find((f) => f.name === 'CT_small.dcm')!.path)),
    );
    const stopped = await readPart10(
      new Uint8Array(readFileSync(files.find((f) => f.name === 'CT_small.dcm')!.path)),
      {
        stopAtTag: 0x00101003,
      },
    );
    // (0010,1002) Other Patient IDs Sequence holds (0010,0020) and (0010,0022), below the stop tag anyway;
    // its items are read in full.
    expect(dataSetSnapshot(stopped.dataSet).elements.at(-1)).toEqual(
      dataSetSnapshot(full.dataSet).elements.find((e) => e.tag === '00101002'),
    );
    expect(stopped.stoppedAt).toBe(0x00101010);
  });
});

describe('a 200 MB multi-frame object', () => {
  it('is read from a stream with bounded memory and its frame ranges are right', async () => {
    const frames = 400;
    const o = resolveSyntheticImageOptions({
      rows: 512,
      columns: 512,
      bitsAllocated: 16,
      frames,
      pixelValue: (f, r, c) => (f * 131 + r * 7 + c) & 0xfff,
    });
    const layout = syntheticImageLayout(o);
    expect(layout.totalLength).toBeGreaterThan(200 * 1024 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let streamed = 0;
    async function* watched(): AsyncGenerator<Uint8Array> {
      for await (const chunk of syntheticImageStream(o)) {
        streamed += chunk.length;
        peak = Math.max(peak, process.memoryUsage().rss);
        yield chunk;
      }
    }
    const result = await readPart10(watched());
    expect(streamed).toBe(layout.totalLength);
    expect(peak - before, 'RSS growth while reading').toBeLessThan(100 * 1024 * 1024);

    const pixelData = result.dataSet.get(Tag.PixelData)!;
    expect(pixelData.bytes).toBeUndefined();
    expect(pixelData.offset).toBe(layout.pixelDataValueOffset);
    expect(pixelData.length).toBe(frames * 512 * 512 * 2);
    const ranges = frameRanges(result.dataSet)!;
    expect(ranges.encapsulated).toBe(false);
    expect(ranges.frames).toHaveLength(frames);
    ranges.frames.forEach((frame, i) => {
      expect(frame).toEqual([
        { offset: layout.pixelDataValueOffset + i * 512 * 512 * 2, length: 512 * 512 * 2 },
      ]);
    });
    // The bytes at the ranges of a few frames, cut from a second pass over the stream, are those frames.
    const sample = [0, 1, 199, 398, 399];
    const cut = await extractRanges(
      syntheticImageStream(o),
      sample.map((i) => ranges.frames[i]!),
    );
    sample.forEach((frame, i) => expect(cut[i]!.length).toBe(512 * 512 * 2));
    sample.forEach((frame, i) =>
      expect(Buffer.compare(cut[i]!, syntheticFrame(o, frame)), `frame ${frame}`).toBe(0),
    );
  }, 120_000);

  it('an encapsulated (RLE) multi-frame stream gives fragment ranges that hold each frame', async () => {
    const o = resolveSyntheticImageOptions({
      transferSyntaxUid: TransferSyntaxUid.RLELossless,
      rows: 128,
      columns: 96,
      frames: 30,
      fragmentsPerFrame: 2,
    });
    const result = await readPart10(syntheticImageStream(o));
    const ranges = frameRanges(result.dataSet)!;
    expect(ranges.encapsulated).toBe(true);
    expect(ranges.frames).toHaveLength(30);
    const cut = await extractRanges(syntheticImageStream(o), ranges.frames);
    cut.forEach((bytes, i) => expect(Buffer.compare(bytes, syntheticFrame(o, i)), `frame ${i}`).toBe(0));
  });
});

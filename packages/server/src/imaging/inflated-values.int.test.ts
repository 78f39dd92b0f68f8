import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  generateUid,
  getString,
  readPart10,
  Tag,
  TransferSyntaxUid,
  type BulkReference,
  type DataSet,
} from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { stowObjects } from '../test-support/dicomweb-client.js';
import { pydicomCopy } from '../test-support/pydicom-copy.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { until } from '../test-support/until.js';
import { InflatedValues } from './inflated-values.js';
import { transcodeInstance } from './transcode-instance.js';

const run = promisify(execFile);
const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };

/** A deflated object as stored: where its file lies, its inflated data set and the values it leaves in it. */
interface Deflated {
  instance: StoredInstance;
  file: string;
  stored: Buffer;
  dataSetOffset: number;
  /** The whole data set, inflated here (offsets of references are positions in it). */
  inflated: Buffer;
  /** Every top-level value left in the stream (threshold 0), in stream order. */
  refs: Array<BulkReference & { tag: number }>;
  pixelData: BulkReference;
}

/** Descriptors of this process (the server runs in it) open on `file`. */
async function handlesOn(file: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    try {
      if ((await readlink(`/proc/self/fd/${fd}`)) === file) count += 1;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

async function released(file: string): Promise<void> {
  await until(async () => (await handlesOn(file)) === 0, `the handles on ${file} to close`, 5_000);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; chunks: number[] }> {
  const pieces: Buffer[] = [];
  for await (const chunk of source) pieces.push(Buffer.from(chunk)); // copied: chunks may be reused
  return { bytes: Buffer.concat(pieces), chunks: pieces.map((p) => p.length) };
}

/** Rejects if `promise` has not settled within `ms` (a hang must fail the test, not time it out). */
function settlesWithin<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function swapped(bytes: Uint8Array, unit: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i + unit <= out.length; i += unit) out.subarray(i, i + unit).reverse();
  return out;
}

for (const encryptAtRest of [false, true]) {
  describe(`InflatedValues: the values of a deflated stored object, from a second inflation of it (objects ${encryptAtRest ? 'sealed' : 'in the clear'})`, () => {
    let lb: TestLightbox;
    let work: string;

    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-inflated-'));
      const config = path.join(work, 'lightbox.json');
      await writeFile(config, JSON.stringify({ archive: { encryptAtRest } }));
      lb = await startTestLightbox('sqlite', { LIGHTBOX_CONFIG: config });
    });
    afterAll(async () => {
      await lb?.stop();
      if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    /** Finds a blob under the data directory by its key. */
    async function blobFile(key: string): Promise<string> {
      const entries = await readdir(lb.dataDir, { recursive: true });
      const found = entries.find((entry) => entry === key || entry.endsWith(`/${key}`));
      if (found === undefined) throw new Error(`blob ${key} not found under ${lb.dataDir}`);
      return realpath(path.join(lb.dataDir, found));
    }

    /** Stores a deflated object (through STOW-RS, as any other) and describes it as stored. */
    async function store(bytes: Uint8Array): Promise<Deflated> {
      expect(await stowObjects(lb, [bytes])).toBe(200);
      const object = await readPart10(bytes, { bulkDataThreshold: 0 });
      expect(object.deflated).toBe(true);
      const header = await readPart10(bytes);
      const uid = getString(header.dataSet, Tag.SOPInstanceUID)!;
      const study = getString(header.dataSet, Tag.StudyInstanceUID)!;
      const { instances } = await lb.running.services.archive.prepareInstances(
        { studyUid: study, sopInstanceUid: uid },
        actor,
      );
      const instance = instances.find((i) => i.sopInstanceUid === uid)!;
      expect(instance.transferSyntaxUid).toBe(TransferSyntaxUid.DeflatedExplicitVRLittleEndian);
      const file = await blobFile(instance.blobKey);
      // In the clear, the file is the object as received; sealed, it is its encryption.
      if (!encryptAtRest) expect((await readFile(file)).equals(Buffer.from(bytes))).toBe(true);
      const stored = Buffer.from(bytes);
      const refs = topLevelRefs(object.dataSet);
      return {
        instance,
        file,
        stored,
        dataSetOffset: object.dataSetOffset,
        inflated: inflateRawSync(stored.subarray(object.dataSetOffset)),
        refs,
        pixelData: refs.find((r) => r.tag === Tag.PixelData)!,
      };
    }

    function topLevelRefs(dataSet: DataSet): Deflated['refs'] {
      const refs: Deflated['refs'] = [];
      for (const element of dataSet.sortedElements()) {
        if (element.bytes === undefined && element.items === undefined && element.offset >= 0) {
          if (element.length > 0)
            refs.push({ tag: element.tag, offset: element.offset, length: element.length, swapUnit: 1 });
        }
      }
      return refs;
    }

    /** A 256 × 256 16-bit image (128 KiB of pixel data: many inflated chunks), deflated by our test encoder. */
    const syntheticDeflated = () =>
      syntheticImage({
        rows: 256,
        columns: 256,
        studyInstanceUid: generateUid(),
        sopInstanceUid: generateUid(),
        transferSyntaxUid: TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
        // Not a plain ramp: each byte of the pixel data differs from its neighbours.
        pixelValue: (_frame, row, column) => (row * 7919 + column * 104_729) & 0xfff,
        extra: [textElement(0x00081030, 'LO', 'Deflated study description')],
      });

    /**
     * 1024 × 1024 samples of noise (about 1.5 MB deflated): more than the read-ahead of the object's
     * stream, so that a stream left open is seen as a handle still open on the file.
     */
    const bigDeflated = () =>
      syntheticImage({
        rows: 1024,
        columns: 1024,
        studyInstanceUid: generateUid(),
        sopInstanceUid: generateUid(),
        transferSyntaxUid: TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
        pixelValue: (_frame, row, column) => (Math.imul(row * 1024 + column, 2_654_435_761) >>> 20) & 0xfff,
      });

    const valueOf = (object: Deflated, ref: BulkReference) =>
      object.inflated.subarray(ref.offset, ref.offset + ref.length);

    it('reads every value in stream order, the pixel data across many chunks, byte for byte', async () => {
      const object = await store(syntheticDeflated());
      expect(object.refs.length).toBeGreaterThan(10);
      const values = new InflatedValues(lb.running.services.archive, object.instance, object.dataSetOffset);
      try {
        for (const ref of object.refs) {
          const { bytes } = await collect(values.read(ref));
          expect(bytes.equals(valueOf(object, ref)), ref.tag.toString(16)).toBe(true);
        }
      } finally {
        await values.close();
      }
      // The pixel data read fully (a parse that keeps it) is what came out.
      const full = await readPart10(object.stored, { readPixelData: true });
      expect(
        Buffer.from(full.dataSet.get(Tag.PixelData)!.bytes!).equals(valueOf(object, object.pixelData)),
      ).toBe(true);
      await released(object.file);
    });

    it('reads values stored out of order: a value before the last one read opens the object again, the old one closed', async () => {
      const copy = await pydicomCopy(work, 'MR_small.dcm', { newStudy: true, newSeries: true });
      const deflatedFile = path.join(work, `${generateUid()}.dcm`);
      await run('dcmconv', ['+td', copy.file, deflatedFile]);
      const object = await store(await readFile(deflatedFile));
      const values = new InflatedValues(lb.running.services.archive, object.instance, object.dataSetOffset);
      try {
        // The pixel data (last), then values before it, each earlier than the one before.
        const order = [object.pixelData, ...[...object.refs].reverse(), object.pixelData, object.refs[0]!];
        for (const ref of order) {
          const { bytes } = await collect(values.read(ref));
          expect(bytes.equals(valueOf(object, ref)), `value at ${ref.offset}`).toBe(true);
        }
        // A value read again at once, and part of one value after a later one.
        const last = object.refs.at(-2)!;
        expect((await collect(values.read(last))).bytes.equals(valueOf(object, last))).toBe(true);
        expect((await collect(values.read(last))).bytes.equals(valueOf(object, last))).toBe(true);
        const inner = { offset: object.pixelData.offset + 100, length: 50, swapUnit: 1 as const };
        expect((await collect(values.read(inner))).bytes.equals(valueOf(object, inner))).toBe(true);
      } finally {
        await values.close();
      }
      await released(object.file);

      // Each reopening closes the object it replaces: one handle at most stays open on a large one.
      const big = await store(bigDeflated());
      const reader = new InflatedValues(lb.running.services.archive, big.instance, big.dataSetOffset);
      try {
        const head = { offset: big.pixelData.offset, length: 1_000, swapUnit: 1 as const };
        for (const ref of [head, big.refs[1]!, head, big.refs[0]!, head]) {
          expect((await collect(reader.read(ref))).bytes.equals(valueOf(big, ref))).toBe(true);
          expect(await handlesOn(big.file)).toBeGreaterThanOrEqual(1); // still being read
        }
        await until(async () => (await handlesOn(big.file)) === 1, 'the replaced handles to close', 5_000);
      } finally {
        await reader.close();
      }
      await released(big.file);
    });

    it('swaps each unit for another byte order, whole units in every chunk whatever the chunk boundaries', async () => {
      const object = await store(syntheticDeflated());
      const values = new InflatedValues(lb.running.services.archive, object.instance, object.dataSetOffset);
      try {
        const pixels = { ...object.pixelData, swapUnit: 2 as const };
        const words = await collect(values.read(pixels));
        expect(words.bytes.equals(swapped(valueOf(object, pixels), 2))).toBe(true);
        expect(words.chunks.length).toBeGreaterThan(1);
        expect(words.chunks.every((length) => length % 2 === 0)).toBe(true);
        // Ranges starting at every alignment, so that inflated chunks split units.
        for (const unit of [4, 8] as const) {
          for (let shift = 0; shift < unit; shift++) {
            const ref = { offset: object.pixelData.offset + shift, length: unit * 9_001, swapUnit: unit };
            const { bytes, chunks } = await collect(values.read(ref));
            expect(bytes.equals(swapped(valueOf(object, ref), unit)), `unit ${unit}, shift ${shift}`).toBe(
              true,
            );
            expect(
              chunks.every((length) => length % unit === 0),
              `unit ${unit}, shift ${shift}`,
            ).toBe(true);
          }
        }
        // A length that is not a whole number of units: the whole units swapped, the rest as it is.
        const ragged = { offset: object.pixelData.offset + 3, length: 4 * 5_000 + 3, swapUnit: 4 as const };
        const { bytes } = await collect(values.read(ragged));
        const expected = valueOf(object, ragged);
        expect(bytes.subarray(0, 20_000).equals(swapped(expected.subarray(0, 20_000), 4))).toBe(true);
        expect(bytes.subarray(20_000).equals(expected.subarray(20_000))).toBe(true);
      } finally {
        await values.close();
      }
      await released(object.file);
    });

    // The file on disk is rewritten: only where it is the object itself.
    if (!encryptAtRest)
      it('rejects at a corrupt deflate stream instead of hanging, and releases the file', async () => {
        const object = await store(syntheticDeflated());
        // The data set deflated again up to the pixel data, flushed to a block boundary, then an invalid
        // block (BTYPE 11): the values before it inflate, the pixel data cannot.
        const good = object.inflated.subarray(0, object.pixelData.offset + 1_000);
        const corrupt = Buffer.concat([
          object.stored.subarray(0, object.dataSetOffset),
          deflateRawSync(good, { finishFlush: constants.Z_FULL_FLUSH }),
          Buffer.alloc(64, 0xff),
        ]);
        await writeFile(object.file, corrupt);
        const values = new InflatedValues(lb.running.services.archive, object.instance, object.dataSetOffset);
        try {
          // In stream order: what comes back is the stored value (the inflater may fail before the
          // corrupt block is reached by the reader, never return other bytes), and the pixel data fails.
          const readAll = async () => {
            for (const ref of object.refs) {
              const { bytes } = await collect(values.read(ref));
              expect(bytes.equals(valueOf(object, ref)), ref.tag.toString(16)).toBe(true);
            }
          };
          await expect(settlesWithin(readAll())).rejects.toThrow(/invalid block type/);
          // Read again, from the start: a failure again, not a hang and not other bytes.
          await expect(settlesWithin(collect(values.read(object.refs[0]!)).then(readAll))).rejects.toThrow();
        } finally {
          await values.close();
        }
        await released(object.file);

        // Corrupt from its first byte: the first value already fails.
        await writeFile(
          object.file,
          Buffer.concat([object.stored.subarray(0, object.dataSetOffset), Buffer.alloc(4_096, 0xff)]),
        );
        const broken = new InflatedValues(lb.running.services.archive, object.instance, object.dataSetOffset);
        try {
          await expect(settlesWithin(collect(broken.read(object.refs[0]!)))).rejects.toThrow();
        } finally {
          await broken.close();
        }
        await released(object.file);
      });

    if (!encryptAtRest)
      it('rejects a value the inflated data set ends before (ProcessingFailure), and a truncated object, releasing the file', async () => {
        const object = await store(syntheticDeflated());
        const end = object.inflated.length;
        const values = new InflatedValues(lb.running.services.archive, object.instance, object.dataSetOffset);
        try {
          const past = settlesWithin(collect(values.read({ offset: end + 10, length: 4, swapUnit: 1 })));
          await expect(past).rejects.toBeInstanceOf(AppError);
          await expect(past).rejects.toMatchObject({ code: ErrorCode.ProcessingFailure });
          await expect(past).rejects.toThrow(
            `the deflated data set of ${object.instance.sopInstanceUid} ends before a value it declares`,
          );
          // A value that begins inside the data set and runs past its end: its bytes, then the failure.
          const straddling = values.read({ offset: end - 6, length: 100, swapUnit: 1 });
          const received: Uint8Array[] = [];
          await expect(
            settlesWithin(
              (async () => {
                for await (const chunk of straddling) received.push(Uint8Array.from(chunk));
              })(),
            ),
          ).rejects.toThrow('ends before a value it declares');
          expect(Buffer.concat(received).equals(object.inflated.subarray(end - 6))).toBe(true);
        } finally {
          await values.close();
        }
        await released(object.file);

        // The stored object cut short inside its deflate stream.
        await writeFile(object.file, object.stored.subarray(0, object.dataSetOffset + 2_000));
        const truncated = new InflatedValues(
          lb.running.services.archive,
          object.instance,
          object.dataSetOffset,
        );
        try {
          await expect(settlesWithin(collect(truncated.read(object.pixelData)))).rejects.toThrow();
        } finally {
          await truncated.close();
        }
        await released(object.file);
      });

    it('closing while the consumer is mid-value releases the object; a later read starts over, correct', async () => {
      const object = await store(bigDeflated());
      const values = new InflatedValues(lb.running.services.archive, object.instance, object.dataSetOffset);
      // The consumer stops after the first chunk (the output went away): the generator returns, then close.
      const reading = values.read(object.pixelData);
      const first = await reading.next();
      expect(first.done).toBe(false);
      expect((first.value as Uint8Array).length).toBeLessThan(object.pixelData.length);
      expect(await handlesOn(object.file)).toBe(1);
      await reading.return(undefined);
      await values.close();
      await released(object.file);

      // Closed with a value half read and its generator still suspended.
      const again = values.read(object.pixelData);
      await again.next();
      await values.close();
      await released(object.file);
      // The reader is usable again: the whole value from its beginning.
      expect(
        (await collect(values.read(object.pixelData))).bytes.equals(valueOf(object, object.pixelData)),
      ).toBe(true);
      await values.close();
      await values.close(); // twice is harmless
      await released(object.file);
    });

    it('transcodeInstance streams a deflated object as Explicit VR Little Endian, and releases it when the output stops halfway', async () => {
      const object = await store(bigDeflated());
      const whole = await transcodeInstance(
        lb.running.services.archive,
        object.instance,
        TransferSyntaxUid.ExplicitVRLittleEndian,
      );
      const { bytes } = await collect(whole.body);
      const native = await readPart10(bytes, { readPixelData: true });
      expect(native.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      expect(
        Buffer.from(native.dataSet.get(Tag.PixelData)!.bytes!).equals(valueOf(object, object.pixelData)),
      ).toBe(true);
      await released(object.file);

      const partial = await transcodeInstance(
        lb.running.services.archive,
        object.instance,
        TransferSyntaxUid.ImplicitVRLittleEndian,
      );
      const body = partial.body[Symbol.asyncIterator]();
      let seen = 0;
      // Into the pixel data (the header is small), then the output goes away.
      while (seen < object.pixelData.offset + 20_000) {
        const next = await body.next();
        expect(next.done).toBe(false);
        seen += (next.value as Uint8Array).length;
      }
      await body.return?.();
      await released(object.file);
    });
  });
}

import { pipeline, Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { BulkReference } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** Drops the first `count` bytes of a stream (a deflated object's preamble and File Meta Information). */
async function* skipBytes(source: AsyncIterable<Uint8Array>, count: number): AsyncGenerator<Uint8Array> {
  let left = count;
  for await (const chunk of source) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/**
 * The values of a deflated object (Deflated Explicit VR Little Endian, PS3.5 §A.5) that its parse left in
 * the stream: their offsets are positions in the inflated data set, which no byte range of the stored
 * object can reach. The object is opened and inflated once more and read forward, value after value, so
 * that only the chunk being copied is in memory; a value that lies before the last one read (elements
 * stored out of order) opens the object again.
 */
export class InflatedValues {
  private stored: Readable | undefined;
  private inflated: AsyncIterator<Uint8Array> | undefined;
  private position = 0;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly archive: Archive,
    private readonly instance: StoredInstance,
    /** Where the deflated data set begins in the stored object (past its File Meta Information). */
    private readonly dataSetOffset: number,
  ) {}

  /** Streams the bytes of one value, swapped to the other byte order when its reference asks. */
  async *read(ref: BulkReference): AsyncGenerator<Uint8Array> {
    if (this.inflated === undefined || ref.offset < this.position) await this.reopen();
    await this.skipTo(ref.offset);
    let left = ref.length;
    // A swap needs whole units in one chunk: carry a partial unit over to the next.
    let carry: Uint8Array = new Uint8Array(0);
    while (left > 0) {
      const bytes = await this.take(left);
      left -= bytes.length;
      if (ref.swapUnit === 1) {
        yield bytes;
        continue;
      }
      const joined = carry.length > 0 ? Buffer.concat([carry, bytes]) : Uint8Array.from(bytes);
      const whole = joined.length - (joined.length % ref.swapUnit);
      swapUnits(joined.subarray(0, whole), ref.swapUnit);
      carry = joined.subarray(whole);
      if (whole > 0) yield joined.subarray(0, whole);
    }
    if (carry.length > 0) yield carry;
  }

  /** Releases the stored object (also when the output stopped halfway). */
  async close(): Promise<void> {
    const inflated = this.inflated;
    this.inflated = undefined;
    await inflated?.return?.();
    this.stored?.destroy();
    this.stored = undefined;
  }

  private async reopen(): Promise<void> {
    await this.close();
    this.stored = await this.archive.openObject(this.instance);
    // pipeline() carries a storage error to the inflater, and closing the inflater closes the object.
    const inflater = pipeline(
      Readable.from(skipBytes(this.stored, this.dataSetOffset)),
      createInflateRaw(),
      () => undefined, // errors surface where the inflated bytes are read
    );
    this.inflated = (inflater as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    this.position = 0;
    this.pending = new Uint8Array(0);
  }

  private async skipTo(offset: number): Promise<void> {
    while (this.position < offset) await this.take(offset - this.position);
  }

  /** Up to `most` bytes from the current position (at least one). */
  private async take(most: number): Promise<Uint8Array> {
    while (this.pending.length === 0) {
      const next = await this.inflated!.next();
      if (next.done === true) {
        throw new AppError(
          ErrorCode.ProcessingFailure,
          `the deflated data set of ${this.instance.sopInstanceUid} ends before a value it declares`,
        );
      }
      this.pending = next.value;
    }
    const bytes = this.pending.subarray(0, Math.min(most, this.pending.length));
    this.pending = this.pending.subarray(bytes.length);
    this.position += bytes.length;
    return bytes;
  }
}

function swapUnits(bytes: Uint8Array, unit: number): void {
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    for (let a = i, b = i + unit - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

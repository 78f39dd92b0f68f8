/**
 * The data set of one incoming DIMSE message as an async iterable of its PDV fragments, as they arrive.
 * It applies backpressure: when more than `highWaterMark` bytes wait unread, `push` returns false and the
 * association pauses its socket until the reader catches up (issue #3: never buffer a whole object).
 */
export class DataSetStream implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private queuedBytes = 0;
  private ended = false;
  private discarding = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private iterated = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly onDrain: () => void,
  ) {}

  /** True once the last fragment has arrived (or the stream failed). */
  get finished(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /** Adds a fragment; false when the reader is behind and the sender should pause. */
  push(chunk: Uint8Array): boolean {
    if (this.discarding || this.finished) return true;
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    this.signal();
    return this.queuedBytes < this.highWaterMark;
  }

  /** The last fragment has been pushed. */
  end(): void {
    this.ended = true;
    this.signal();
  }

  /** The association ended before the last fragment: the reader gets this error. */
  fail(error: Error): void {
    if (this.finished) return;
    this.failure = error;
    this.signal();
  }

  /** The reader has stopped: drop what is queued and what still arrives. */
  discard(): void {
    this.discarding = true;
    this.chunks.length = 0;
    this.queuedBytes = 0;
    this.onDrain();
  }

  /** Reads the whole data set into one buffer; for small ones (identifiers), refused above `maxBytes`. */
  async readAll(maxBytes: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this) {
      total += chunk.length;
      if (total > maxBytes) throw new Error(`data set larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    if (this.iterated) throw new Error('a data set stream can be read only once');
    this.iterated = true;
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        const wasFull = this.queuedBytes >= this.highWaterMark;
        this.queuedBytes -= chunk.length;
        if (wasFull && this.queuedBytes < this.highWaterMark) this.onDrain();
        yield chunk;
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

import { DicomParseError, ParseFailure } from '../parse-error.js';

/**
 * Pull-based reader over an async sequence of byte chunks.
 *
 * It holds only the chunks not yet consumed, so skipping a large value (pixel data) never buffers it.
 * Synchronous reads require that `fill(n)` reported the bytes available first; the parser checks
 * `available` before awaiting so that the common case costs no promise.
 */
const CONSUMED = new Uint8Array(0);

export class ByteSource {
  // Unread chunks are chunks[first..]; consumed slots are cleared and the array compacted now and then
  // (Array.prototype.shift is O(n): shifting per chunk made reading a large value quadratic in its chunks).
  private chunks: Uint8Array[] = [];
  private first = 0;
  private head = 0;
  private buffered = 0;
  private ended = false;
  /** Absolute position (in bytes from the start of the stream) of the next unread byte. */
  position = 0;

  /** @param iterator - the chunks, in order; empty chunks are allowed */
  constructor(private readonly iterator: AsyncIterator<Uint8Array>) {}

  /** Number of bytes buffered and ready to read synchronously. */
  get available(): number {
    return this.buffered;
  }

  /** Buffers at least `n` bytes; resolves false when the stream ends before that. */
  async fill(n: number): Promise<boolean> {
    while (this.buffered < n) {
      if (this.ended) return false;
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
    return true;
  }

  /** Like {@link fill}, but throws a truncation error when the bytes never come. */
  async require(n: number): Promise<void> {
    if (this.buffered >= n) return;
    if (!(await this.fill(n))) {
      throw new DicomParseError(ParseFailure.Truncated, `stream ended, ${n} bytes needed`, this.position);
    }
  }

  /** The byte `i` positions ahead, without consuming it; requires `available > i`. */
  peekByte(i: number): number {
    let index = this.head + i;
    for (let c = this.first; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      if (index < chunk.length) return chunk[index]!;
      index -= chunk.length;
    }
    throw new RangeError('peek beyond buffered bytes');
  }

  /** A little- or big-endian unsigned 16-bit integer `i` bytes ahead, without consuming. */
  peekUint16(i: number, littleEndian: boolean): number {
    const a = this.peekByte(i);
    const b = this.peekByte(i + 1);
    return littleEndian ? a | (b << 8) : (a << 8) | b;
  }

  /** Reads an unsigned 16-bit integer; requires 2 bytes available. */
  readUint16(littleEndian: boolean): number {
    const chunk = this.chunks[this.first]!;
    const h = this.head;
    let value: number;
    if (chunk.length - h >= 2) {
      value = littleEndian ? chunk[h]! | (chunk[h + 1]! << 8) : (chunk[h]! << 8) | chunk[h + 1]!;
      this.advance(2);
    } else {
      value = this.peekUint16(0, littleEndian);
      this.advance(2);
    }
    return value;
  }

  /** Reads an unsigned 32-bit integer; requires 4 bytes available. */
  readUint32(littleEndian: boolean): number {
    const chunk = this.chunks[this.first]!;
    const h = this.head;
    if (chunk.length - h >= 4) {
      const value = littleEndian
        ? (chunk[h]! | (chunk[h + 1]! << 8) | (chunk[h + 2]! << 16) | (chunk[h + 3]! << 24)) >>> 0
        : ((chunk[h]! << 24) | (chunk[h + 1]! << 16) | (chunk[h + 2]! << 8) | chunk[h + 3]!) >>> 0;
      this.advance(4);
      return value;
    }
    const lo = this.readUint16(littleEndian);
    const hi = this.readUint16(littleEndian);
    return littleEndian ? (lo | (hi << 16)) >>> 0 : ((lo << 16) | hi) >>> 0;
  }

  /** Reads a tag (two 16-bit halves); requires 4 bytes available. */
  readTag(littleEndian: boolean): number {
    const group = this.readUint16(littleEndian);
    const element = this.readUint16(littleEndian);
    return ((group << 16) | element) >>> 0;
  }

  /** Reads `n` bytes into a new array (a copy: the result never pins a large chunk); requires them available. */
  read(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[this.first]!;
      const take = Math.min(n - written, chunk.length - this.head);
      out.set(chunk.subarray(this.head, this.head + take), written);
      written += take;
      this.advance(take);
    }
    return out;
  }

  /** Reads exactly `n` bytes, waiting for them; throws on truncation. */
  async readBytes(n: number): Promise<Uint8Array> {
    await this.require(n);
    return this.read(n);
  }

  /** Discards `n` bytes without buffering them all; throws on truncation. */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0) await this.require(1);
      const take = Math.min(left, this.chunks[this.first]!.length - this.head);
      this.advance(take);
      left -= take;
    }
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return this.buffered === 0 && !(await this.fill(1));
  }

  /** Hands over every unread byte (buffered first, then the rest of the stream) as a new sequence. */
  async *rest(): AsyncGenerator<Uint8Array> {
    while (this.first < this.chunks.length) {
      const chunk = this.chunks[this.first]!;
      this.chunks[this.first++] = CONSUMED;
      const part = chunk.subarray(this.head);
      this.head = 0;
      this.buffered -= part.length;
      this.position += part.length;
      if (part.length > 0) yield part;
    }
    this.chunks.length = 0;
    this.first = 0;
    if (this.ended) return;
    for (;;) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        return;
      }
      this.position += next.value.length;
      yield next.value;
    }
  }

  private advance(n: number): void {
    this.head += n;
    this.buffered -= n;
    this.position += n;
    while (this.first < this.chunks.length && this.head >= this.chunks[this.first]!.length) {
      this.head -= this.chunks[this.first]!.length;
      this.chunks[this.first++] = CONSUMED;
    }
    if (this.first === this.chunks.length) {
      this.chunks.length = 0;
      this.first = 0;
    } else if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

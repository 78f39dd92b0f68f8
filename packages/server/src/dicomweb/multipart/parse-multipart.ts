import { MultipartError, MultipartFailure, type MultipartFailureReason } from './multipart-error.js';

/** One body part of a `multipart/related` message, yielded by {@link parseMultipart}. */
export interface MultipartPart {
  /** The part's headers, names lower-cased; repeated headers are joined with `, ` (RFC 9110 §5.3). */
  headers: Map<string, string>;
  /** The `content-type` header, if any (RFC 2046 §5.1.1: absent means `text/plain; charset=US-ASCII`). */
  contentType?: string;
  /**
   * The part's bytes, streamed: views into the source's chunks (do not modify them), never buffered
   * whole. Readable once. Throws a {@link MultipartError} (e.g. `truncated`) if the message is broken
   * inside this part, so a consumer writing it to disk must discard what it wrote.
   */
  body: AsyncIterable<Buffer>;
}

/** Limits that bound what {@link parseMultipart} holds in memory and yields. */
export interface MultipartLimits {
  /** Most bytes from a boundary delimiter to the blank line ending the part's headers; default 16 KiB. */
  maxHeaderBytes?: number;
  /** Most parts in one message; default 100 000. */
  maxParts?: number;
}

const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
const DEFAULT_MAX_PARTS = 100_000;
// Lenient for boundaries we read (RFC 2046 §5.1.1 allows 70 bchars): any printable ASCII, so CR never
// occurs inside the delimiter — the body scan relies on that.
const READABLE_BOUNDARY = /^[\x20-\x7e]{1,200}$/;
const CR = 0x0d;
const CRLF = Buffer.from('\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parses a `multipart/related` body (RFC 2387, RFC 2046 §5.1), e.g. a STOW-RS request (PS3.18 §8.6.1),
 * yielding its parts one at a time while streaming each part's body.
 *
 * Memory stays bounded whatever the part sizes: body chunks are handed on as they arrive (views into the
 * source's chunks), holding back only a tail shorter than the delimiter that could be its start, and
 * nothing is read from `source` before the consumer asks for more. Requesting the next part drains what
 * the consumer left unread of the current one. Preamble, epilogue and transport padding are ignored; the
 * body may begin directly with `--boundary`. After the close delimiter the epilogue is read to the end and
 * discarded. `source` is never closed here: a caller that stops early owns what is left of it.
 *
 * Throws {@link MultipartError} for a bad boundary, a stream that ends before the close delimiter
 * (`truncated`, from the part body being read if there is one), an oversized header section, too many
 * parts, malformed header lines, or a delimiter line with other text after the boundary.
 */
export async function* parseMultipart(
  source: AsyncIterable<Buffer | Uint8Array>,
  boundary: string,
  limits: MultipartLimits = {},
): AsyncGenerator<MultipartPart, void, undefined> {
  if (boundary === '') throw new MultipartError(MultipartFailure.MissingBoundary, 'no multipart boundary', 0);
  if (!READABLE_BOUNDARY.test(boundary)) {
    throw new MultipartError(MultipartFailure.InvalidBoundary, 'invalid multipart boundary', 0);
  }
  const maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxParts = limits.maxParts ?? DEFAULT_MAX_PARTS;
  const scanner = new DelimiterScanner(source[Symbol.asyncIterator](), boundary);

  // Preamble: everything before the first delimiter (RFC 2046 §5.1.1), discarded.
  while ((await scanner.nextBodyPiece()) !== null);

  let count = 0;
  for (;;) {
    const head = await scanner.readPartHead(maxHeaderBytes);
    if (head === null) return;
    if (++count > maxParts) scanner.fail(MultipartFailure.TooManyParts, `more than ${maxParts} parts`);
    const headers = parseHeaders(head, scanner);
    const body = new PartBody(scanner);
    const part: MultipartPart = { headers, body };
    const contentType = headers.get('content-type');
    if (contentType !== undefined) part.contentType = contentType;
    yield part;
    await body.drain();
  }
}

/**
 * The state of one parse: the unread bytes (`buf`, a view into a source chunk or into `acc`) and the pull
 * side of the source. Only this class reads from the source, one chunk at a time, when a caller needs one.
 */
class DelimiterScanner {
  /** `CRLF--boundary` (RFC 2046 §5.1.1): CRLF belongs to the delimiter, not to the part before it. */
  private readonly delimiter: Buffer;
  /** Unread bytes. Starts with a virtual CRLF so that a body beginning with `--boundary` matches. */
  private buf: Buffer = CRLF;
  private ended = false;
  /** Bytes taken from the source so far, less the virtual CRLF: positions for error messages. */
  private pulled = -CRLF.length;
  /** Growable accumulator for header sections that span chunks; bytes past `accLength` are unused. */
  private acc: Buffer | undefined;
  private accLength = 0;

  constructor(
    private readonly source: AsyncIterator<Buffer | Uint8Array>,
    boundary: string,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** Throws a {@link MultipartError} at the current position. */
  fail(reason: MultipartFailureReason, message: string): never {
    throw new MultipartError(reason, message, Math.max(0, this.pulled - this.buf.length));
  }

  /**
   * The next piece of the current body, or null once its closing delimiter has been consumed. Pieces are
   * views of `buf`; at most `delimiter.length - 1` bytes are held back, and only when they are the start
   * of a delimiter.
   */
  async nextBodyPiece(): Promise<Buffer | null> {
    const delimiter = this.delimiter;
    for (;;) {
      const buf = this.buf;
      if (buf.length > 0) {
        const at = buf.indexOf(delimiter);
        if (at === 0) {
          this.buf = buf.subarray(delimiter.length);
          return null;
        }
        if (at > 0) {
          this.buf = buf.subarray(at);
          return buf.subarray(0, at);
        }
        const keep = heldBackLength(buf, delimiter);
        if (keep < buf.length) {
          this.buf = buf.subarray(buf.length - keep);
          return buf.subarray(0, buf.length - keep);
        }
      }
      // `buf` is empty or a proper prefix of the delimiter: one more chunk decides.
      const chunk = await this.pull();
      if (chunk === undefined)
        this.fail(MultipartFailure.Truncated, 'multipart body ended before its close delimiter');
      if (this.buf.length === 0) {
        this.buf = chunk;
        continue;
      }
      // The prefix starts with CR and the boundary has none, so a delimiter can only start at its first
      // byte: compare the chunk with the rest of the delimiter instead of copying the chunk onto it.
      const have = this.buf.length;
      const n = Math.min(delimiter.length - have, chunk.length);
      if (chunk.compare(delimiter, have, have + n, 0, n) !== 0) {
        const piece = this.buf;
        this.buf = chunk;
        return piece;
      }
      if (have + n === delimiter.length) {
        this.buf = chunk.subarray(n);
        return null;
      }
      this.buf = Buffer.concat([this.buf, chunk]); // still a proper prefix, shorter than the delimiter
    }
  }

  /**
   * Reads what follows a delimiter: returns the part's header section (transport padding line included,
   * final blank line excluded) and leaves `buf` at the body; or, at the close delimiter, discards the
   * epilogue and returns null.
   */
  async readPartHead(maxHeaderBytes: number): Promise<Buffer | null> {
    while (this.buf.length < 2) await this.append('a boundary delimiter');
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      // Close delimiter (RFC 2046 §5.1.1): the rest is padding and epilogue, to be ignored.
      this.buf = Buffer.alloc(0);
      while ((await this.pull()) !== undefined);
      return null;
    }
    // After the boundary: transport padding, CRLF, header lines each ending in CRLF, then CRLF. With no
    // headers that is padding CRLF CRLF, so the first CRLFCRLF always ends the header section.
    let from = 0;
    for (;;) {
      const at = this.buf.indexOf(CRLFCRLF, from);
      if (at >= 0 && at <= maxHeaderBytes) {
        const head = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + CRLFCRLF.length);
        return head;
      }
      if (at > maxHeaderBytes || this.buf.length - (CRLFCRLF.length - 1) > maxHeaderBytes) {
        this.failOnBareLineFeeds(maxHeaderBytes);
        this.fail(MultipartFailure.HeaderTooLarge, `part headers longer than ${maxHeaderBytes} bytes`);
      }
      from = Math.max(0, this.buf.length - (CRLFCRLF.length - 1));
      try {
        await this.append('the headers of a part');
      } catch (error) {
        this.failOnBareLineFeeds(maxHeaderBytes);
        throw error;
      }
    }
  }

  /**
   * A body whose lines end with LF alone (made by hand, e.g. with printf) never shows the CRLF CRLF that
   * ends a part's headers: say so, rather than that the headers are too long or cut short.
   */
  private failOnBareLineFeeds(maxHeaderBytes: number): void {
    const head = this.buf.subarray(0, maxHeaderBytes);
    const blankLine = head.indexOf('\n\n', 0, 'latin1');
    if (blankLine >= 0 && head.indexOf(CRLFCRLF) < 0) {
      this.fail(
        MultipartFailure.MalformedHeaders,
        'part header lines end with LF alone; multipart lines must end with CRLF (RFC 2046 §5.1.1)',
      );
    }
  }

  /** Appends the next chunk to `buf`, in amortised linear time; a stream that ends here is truncated. */
  private async append(what: string): Promise<void> {
    const chunk = await this.pull();
    if (chunk === undefined) this.fail(MultipartFailure.Truncated, `multipart body ended inside ${what}`);
    const buf = this.buf;
    if (buf.length === 0) {
      this.buf = chunk;
      return;
    }
    const acc = this.acc;
    // Grow in place when `buf` is the used end of the accumulator. Bytes past `accLength` were never
    // handed out, so writing there cannot change a body piece a consumer still holds.
    if (
      acc !== undefined &&
      buf.buffer === acc.buffer &&
      buf.byteOffset + buf.length === acc.byteOffset + this.accLength &&
      this.accLength + chunk.length <= acc.length
    ) {
      chunk.copy(acc, this.accLength);
      this.accLength += chunk.length;
      this.buf = acc.subarray(buf.byteOffset - acc.byteOffset, this.accLength);
      return;
    }
    const length = buf.length + chunk.length;
    const next = Buffer.allocUnsafeSlow(Math.max(256, length + Math.min(length, 64 * 1024)));
    buf.copy(next, 0);
    chunk.copy(next, buf.length);
    this.acc = next;
    this.accLength = length;
    this.buf = next.subarray(0, length);
  }

  /** The next non-empty chunk of the source as a Buffer view, or undefined at its end. */
  private async pull(): Promise<Buffer | undefined> {
    while (!this.ended) {
      const next = await this.source.next();
      if (next.done === true) {
        this.ended = true;
        break;
      }
      const value = next.value;
      if (value.length === 0) continue;
      this.pulled += value.length;
      return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    return undefined;
  }
}

/**
 * How many trailing bytes of `buf` (which holds no whole delimiter) could be the start of a delimiter.
 * The delimiter's only CR is its first byte, so only the last CR in the final `delimiter.length - 1`
 * bytes can start one.
 */
function heldBackLength(buf: Buffer, delimiter: Buffer): number {
  const windowStart = Math.max(0, buf.length - (delimiter.length - 1));
  const inWindow = buf.subarray(windowStart).lastIndexOf(CR);
  if (inWindow < 0) return 0;
  const at = windowStart + inWindow;
  const length = buf.length - at;
  return buf.compare(delimiter, 0, length, at) === 0 ? length : 0;
}

/** Parses a part's header section: a transport padding line, then `name: value` lines (RFC 2045 §3). */
function parseHeaders(head: Buffer, scanner: DelimiterScanner): Map<string, string> {
  const lines = head.toString('latin1').split('\r\n');
  if (!/^[ \t]*$/.test(lines[0] ?? '')) {
    scanner.fail(MultipartFailure.MalformedDelimiter, 'text after a multipart boundary');
  }
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (CONTROL.test(line))
      scanner.fail(MultipartFailure.MalformedHeaders, 'control character in part headers');
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Obsolete line folding (RFC 5322 §2.2.3): a continuation of the previous header.
      if (last === undefined)
        scanner.fail(MultipartFailure.MalformedHeaders, 'part headers start with a folded line');
      headers.set(last, `${headers.get(last) ?? ''} ${trimWhitespace(line)}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, Math.max(0, colon)).toLowerCase();
    if (!HEADER_NAME.test(name))
      scanner.fail(MultipartFailure.MalformedHeaders, 'part header line without a name');
    const value = trimWhitespace(line.slice(colon + 1));
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
    last = name;
  }
  return headers;
}

function trimWhitespace(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * A part's body: a single-use async iterable over the scanner. Calls are serialised, so draining it for
 * the next part never races with a read the consumer left pending.
 */
class PartBody implements AsyncIterable<Buffer> {
  private finished = false;
  private error: unknown;
  private failed = false;
  private iterated = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly scanner: DelimiterScanner) {}

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.iterated) throw new Error('a multipart part body can be read only once');
    this.iterated = true;
    return {
      next: () => this.next(),
      // Stopping early is allowed: the rest is drained when the next part is requested.
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }

  /** Reads and discards what the consumer did not read; rethrows an error the body ended with. */
  async drain(): Promise<void> {
    while (!(await this.next()).done);
  }

  private next(): Promise<IteratorResult<Buffer, undefined>> {
    const result = this.queue.then(() => this.step());
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async step(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.failed) throw this.error;
    if (this.finished) return { done: true, value: undefined };
    try {
      const piece = await this.scanner.nextBodyPiece();
      if (piece === null) {
        this.finished = true;
        return { done: true, value: undefined };
      }
      return { done: false, value: piece };
    } catch (error) {
      this.failed = true;
      this.error = error;
      throw error;
    }
  }
}

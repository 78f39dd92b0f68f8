/** The body of the first part of a multipart/related answer (PS3.18 §8.7.1), read as it arrives. */

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  for (let i = haystack.indexOf(first!, from); i >= 0; i = haystack.indexOf(first!, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** The most bytes of preamble and part headers read before the body must begin. */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Reads the body of the first part of a multipart/related answer as it arrives, chunk by chunk, handing
 * on body bytes as soon as they cannot be the start of the closing delimiter (RFC 2046 §5.1.1). The
 * archive sends a bulk data value or a video as one part.
 */
export class FirstPartReader {
  private readonly opening: Uint8Array;
  private readonly delimiter: Uint8Array;
  private held: Uint8Array = new Uint8Array(0);
  private state: 'headers' | 'body' | 'done' = 'headers';

  constructor(contentType: string) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (boundary === undefined) throw new Error('The archive did not answer with a multipart body.');
    this.opening = new TextEncoder().encode(`--${boundary}`);
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  }

  /** Whether the body's end has been read (later bytes are the epilogue). */
  get done(): boolean {
    return this.state === 'done';
  }

  /** The body bytes this chunk completes (views of the chunk where possible). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.state === 'done') return [];
    let bytes: Uint8Array = concat(this.held, chunk);
    this.held = new Uint8Array(0);
    if (this.state === 'headers') {
      const start = indexOfBytes(bytes, this.opening);
      const headersEnd = start < 0 ? -1 : indexOfBytes(bytes, new Uint8Array([13, 10, 13, 10]), start);
      if (headersEnd < 0) {
        if (bytes.length > MAX_HEADER_BYTES) throw new Error('The multipart answer has no part body.');
        this.held = bytes;
        return [];
      }
      bytes = bytes.subarray(headersEnd + 4);
      this.state = 'body';
    }
    const end = indexOfBytes(bytes, this.delimiter);
    if (end >= 0) {
      this.state = 'done';
      return end > 0 ? [bytes.subarray(0, end)] : [];
    }
    // Keep back what could be the beginning of the delimiter, split across chunks.
    const safe = Math.max(0, bytes.length - (this.delimiter.length - 1));
    this.held = bytes.slice(safe);
    return safe > 0 ? [bytes.subarray(0, safe)] : [];
  }

  /** Called at the end of the answer: an answer cut short is an error, not a shorter value. */
  finish(): void {
    if (this.state !== 'done') throw new Error('The answer ended before the end of its part.');
  }
}

/** The first part's body of an answer read whole (a small bulk data value, e.g. overlay data). */
export async function firstPartOf(response: Response): Promise<Uint8Array> {
  const reader = new FirstPartReader(response.headers.get('content-type') ?? '');
  const pieces = reader.push(new Uint8Array(await response.arrayBuffer()));
  reader.finish();
  const body = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    body.set(piece, at);
    at += piece.length;
  }
  return body;
}

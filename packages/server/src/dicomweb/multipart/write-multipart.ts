import { isValidBoundary } from './create-boundary.js';

/** One body part to write: its Content-Type, other headers (e.g. Content-Location) and its bytes. */
export interface MultipartWritePart {
  contentType: string;
  /** Further headers; a `content-type` here is ignored in favour of `contentType`. */
  headers?: Readonly<Record<string, string>>;
  body: AsyncIterable<Uint8Array> | Uint8Array;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Visible ASCII, space and tab only: what a header line can carry without encoding.
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/**
 * Streams a `multipart/related` body (RFC 2387, RFC 2046 §5.1) for WADO-RS responses (PS3.18 §8.7.4):
 * each part as `--boundary CRLF headers CRLF body`, parts separated by CRLF, then the close delimiter
 * `CRLF--boundary--CRLF`. Bodies are passed through chunk by chunk, never concatenated, and nothing is
 * pulled from `parts` or a body before the consumer asks for more (backpressure). The caller chooses a
 * boundary that cannot occur in any body, e.g. {@link createBoundary}; bodies are not scanned for it.
 * Throws a TypeError for an invalid boundary or a header that cannot be written.
 */
export async function* writeMultipart(
  parts: AsyncIterable<MultipartWritePart> | Iterable<MultipartWritePart>,
  boundary: string,
): AsyncGenerator<Uint8Array> {
  if (!isValidBoundary(boundary))
    throw new TypeError(`invalid multipart boundary ${JSON.stringify(boundary)}`);
  let first = true;
  for await (const part of parts) {
    // Set once the body is being read: from then on, stopping early closes it (for await does).
    let reading = false;
    try {
      let head = `${first ? '' : '\r\n'}--${boundary}\r\n${headerLine('Content-Type', part.contentType)}`;
      for (const [name, value] of Object.entries(part.headers ?? {})) {
        if (name.toLowerCase() !== 'content-type') head += headerLine(name, value);
      }
      yield Buffer.from(`${head}\r\n`, 'latin1');
      first = false;
      if (part.body instanceof Uint8Array) {
        if (part.body.length > 0) yield part.body;
      } else {
        reading = true;
        for await (const chunk of part.body) if (chunk.length > 0) yield chunk;
      }
    } finally {
      // The consumer stopped (a client gone) before this part's body was read: release it (an open file).
      if (!reading) await releaseBody(part.body);
    }
  }
  yield Buffer.from(`${first ? '' : '\r\n'}--${boundary}--\r\n`, 'latin1');
}

/** Closes a body that will not be read: a stream is destroyed, an iterator returned. */
export async function releaseBody(body: MultipartWritePart['body']): Promise<void> {
  if (body instanceof Uint8Array) return;
  const stream = body as { destroy?: () => void; return?: () => Promise<unknown> };
  if (typeof stream.destroy === 'function') stream.destroy();
  else if (typeof stream.return === 'function') await stream.return();
}

function headerLine(name: string, value: string): string {
  if (!HEADER_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  if (!HEADER_VALUE.test(value)) throw new TypeError(`invalid value for header ${name}`);
  return `${name}: ${value.trim()}\r\n`;
}

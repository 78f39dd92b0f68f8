import { createHash } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createBoundary } from './create-boundary.js';
import { MultipartError, MultipartFailure, type MultipartFailureReason } from './multipart-error.js';
import { parseMultipart, type MultipartLimits, type MultipartPart } from './parse-multipart.js';

/** A small seeded PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields `data` in slices whose sizes come from `size()`; each slice is a fresh copy, as from a socket. */
async function* chunked(data: Buffer, size: () => number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length;) {
    const n = Math.max(1, size());
    yield Buffer.from(data.subarray(at, at + n));
    at += n;
  }
}

const CHUNKINGS: [string, () => () => number][] = [
  ...[1, 2, 3, 7, 64, 4096].map((n): [string, () => () => number] => [`${n}-byte chunks`, () => () => n]),
  [
    'random chunks',
    () =>
      (
        (r) => () =>
          1 + Math.floor(r() * 200)
      )(random(42)),
  ],
  [
    'random large chunks',
    () =>
      (
        (r) => () =>
          1 + Math.floor(r() * 20000)
      )(random(7)),
  ],
  ['whole body', () => () => Number.MAX_SAFE_INTEGER],
];

interface ReadPart {
  headers: Record<string, string>;
  contentType: string | undefined;
  body: string;
}

async function readAll(
  source: AsyncIterable<Buffer | Uint8Array>,
  boundary: string,
  limits?: MultipartLimits,
): Promise<ReadPart[]> {
  const parts: ReadPart[] = [];
  for await (const part of parseMultipart(source, boundary, limits)) {
    const pieces: Buffer[] = [];
    for await (const piece of part.body) pieces.push(piece);
    parts.push({
      headers: Object.fromEntries(part.headers),
      contentType: part.contentType,
      body: Buffer.concat(pieces).toString('latin1'),
    });
  }
  return parts;
}

async function failure(promise: Promise<unknown>): Promise<MultipartFailureReason> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MultipartError);
  return (error as MultipartError).reason;
}

const once = (s: string): AsyncGenerator<Buffer> =>
  chunked(Buffer.from(s, 'latin1'), () => Number.MAX_SAFE_INTEGER);

// A message with everything the grammar allows: preamble, transport padding, a part without headers, an
// empty part, bodies holding CRLFs and partial delimiters, parameters in header values, an epilogue.
const B = 'xYz-123_boundary';
const TRICKY = [
  'preamble line 1\r\npreamble --xYz-123_boundary not at line start\r\n',
  `--${B} \t \r\n`,
  'Content-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n',
  'Content-Location: /studies/1.2.3\r\n',
  '\r\n',
  `\r\n--${B.slice(0, 5)}\r\n\r\n\r\n--${B.slice(0, -1)}- x --${B}\n--${B}\r--${B}\r\r\n\r\n-\r`,
  `\r\n--${B}\r\n`,
  '\r\n',
  'no headers here\r\n',
  `\r\n--${B}\r\n`,
  'content-type: text/plain\r\n',
  '\r\n',
  `\r\n--${B}--  \r\n`,
  'epilogue\r\n--not a delimiter\r\n',
].join('');
const TRICKY_PARTS: ReadPart[] = [
  {
    headers: {
      'content-type': 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1',
      'content-location': '/studies/1.2.3',
    },
    contentType: 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1',
    body: `\r\n--${B.slice(0, 5)}\r\n\r\n\r\n--${B.slice(0, -1)}- x --${B}\n--${B}\r--${B}\r\r\n\r\n-\r`,
  },
  { headers: {}, contentType: undefined, body: 'no headers here\r\n' },
  { headers: { 'content-type': 'text/plain' }, contentType: 'text/plain', body: '' },
];

describe('parseMultipart', () => {
  it.each(CHUNKINGS)('parses preamble, padding, headers, bodies and epilogue in %s', async (_, sizes) => {
    expect(await readAll(chunked(Buffer.from(TRICKY, 'latin1'), sizes()), B)).toEqual(TRICKY_PARTS);
  });

  it.each(CHUNKINGS)(
    'parses a body that starts with --boundary and ends at the close delimiter in %s',
    async (_, sizes) => {
      const message = `--${B}\r\nContent-Type: a/b\r\n\r\n\r\nbody\r\n\r\n--${B}--`;
      expect(await readAll(chunked(Buffer.from(message, 'latin1'), sizes()), B)).toEqual([
        { headers: { 'content-type': 'a/b' }, contentType: 'a/b', body: '\r\nbody\r\n' },
      ]);
    },
  );

  it('yields nothing for a message that is only a close delimiter', async () => {
    expect(await readAll(once(`--${B}--\r\n`), B)).toEqual([]);
  });

  it('joins repeated headers, unfolds folded ones and keeps header parameters', async () => {
    const message =
      `--${B}\r\nX-A: 1\r\nx-a:2\r\nContent-Type: multipart/related;\r\n\ttype="application/dicom"\r\n` +
      `Empty:\r\n\r\nbody\r\n--${B}--`;
    expect(await readAll(once(message), B)).toEqual([
      {
        headers: { 'x-a': '1, 2', 'content-type': 'multipart/related; type="application/dicom"', empty: '' },
        contentType: 'multipart/related; type="application/dicom"',
        body: 'body',
      },
    ]);
  });

  it('accepts Uint8Array chunks that are not Buffers, and empty chunks', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      const bytes = new TextEncoder().encode(`--${B}\r\n\r\nabc\r\n--${B}--`);
      yield new Uint8Array(0);
      yield bytes.subarray(0, 10);
      yield new Uint8Array(0);
      yield bytes.subarray(10);
    }
    expect(await readAll(source(), B)).toEqual([{ headers: {}, contentType: undefined, body: 'abc' }]);
  });

  it('hands on views of the incoming chunks, not copies', async () => {
    const chunk = Buffer.from(`--${B}\r\n\r\n${'x'.repeat(10000)}\r\n--${B}--`, 'latin1');
    async function* source(): AsyncGenerator<Buffer> {
      yield chunk;
    }
    for await (const part of parseMultipart(source(), B)) {
      for await (const piece of part.body) {
        expect(piece.buffer).toBe(chunk.buffer);
        expect(piece.length).toBe(10000);
      }
    }
  });

  it('drains parts the consumer does not read, or stops reading half-way', async () => {
    for (const [name, sizes] of CHUNKINGS) {
      const bodies: string[] = [];
      let index = 0;
      for await (const part of parseMultipart(chunked(Buffer.from(TRICKY, 'latin1'), sizes()), B)) {
        if (index++ === 0) {
          for await (const piece of part.body) {
            bodies.push(piece.toString('latin1'));
            break;
          }
        } else {
          bodies.push(part.headers.get('content-type') ?? '-');
        }
      }
      expect(bodies.slice(1), name).toEqual(['-', 'text/plain']);
      expect(TRICKY_PARTS[0]?.body.startsWith(bodies[0] ?? '?')).toBe(true);
    }
  });

  it('lets a body be read only once', async () => {
    for await (const part of parseMultipart(once(`--${B}\r\n\r\nabc\r\n--${B}--`), B)) {
      for await (const _ of part.body);
      expect(() => part.body[Symbol.asyncIterator]()).toThrow(/only once/);
    }
  });

  describe('errors', () => {
    it('rejects a missing or invalid boundary', async () => {
      expect(await failure(readAll(once('x'), ''))).toBe(MultipartFailure.MissingBoundary);
      expect(await failure(readAll(once('x'), 'a\r\nb'))).toBe(MultipartFailure.InvalidBoundary);
      expect(await failure(readAll(once('x'), 'x'.repeat(201)))).toBe(MultipartFailure.InvalidBoundary);
    });

    it.each(CHUNKINGS)('reports truncation wherever the stream stops, in %s', async (_, sizes) => {
      const message = `--${B}\r\nContent-Type: a/b\r\n\r\nbody\r\n--${B}--`;
      // Cut everywhere before the final "--" (cutting after it is a complete message).
      for (let cut = 0; cut < message.length - 1; cut++) {
        const reason = await failure(
          readAll(chunked(Buffer.from(message.slice(0, cut), 'latin1'), sizes()), B),
        );
        expect(reason, `cut at ${cut}`).toBe(MultipartFailure.Truncated);
      }
    });

    it('throws truncation from the body iterator of the part that is cut short', async () => {
      const parts = parseMultipart(once(`--${B}\r\nContent-Type: a/b\r\n\r\npartial body`), B);
      const first = await parts.next();
      expect(first.done).toBe(false);
      const part = first.value as MultipartPart;
      const seen: string[] = [];
      const reason = await failure(
        (async () => {
          for await (const piece of part.body) seen.push(piece.toString('latin1'));
        })(),
      );
      expect(reason).toBe(MultipartFailure.Truncated);
      expect(seen.join('')).toBe('partial body');
      // The error sticks: asking for the next part reports it again.
      expect(await failure(parts.next())).toBe(MultipartFailure.Truncated);
    });

    it('reports truncation from the parts iterator when the consumer skipped the body', async () => {
      const error = await failure(readAllSkippingBodies(once(`--${B}\r\n\r\nabc\r\n--${B}\r\n\r\nde`)));
      expect(error).toBe(MultipartFailure.Truncated);
    });

    it('rejects a header section over the limit, whatever the chunking', async () => {
      const message = `--${B}\r\nX-Long: ${'a'.repeat(100)}\r\n\r\nbody\r\n--${B}--`;
      for (const [name, sizes] of CHUNKINGS) {
        const source = (): AsyncGenerator<Buffer> => chunked(Buffer.from(message, 'latin1'), sizes());
        expect(await failure(readAll(source(), B, { maxHeaderBytes: 64 })), name).toBe(
          MultipartFailure.HeaderTooLarge,
        );
        expect(await readAll(source(), B, { maxHeaderBytes: 112 }), name).toHaveLength(1);
      }
    });

    it('names lines ended by LF alone, short body or long', async () => {
      for (const size of [10, 100_000]) {
        const message = `--${B}\nContent-Type: application/dicom\n\n${'x'.repeat(size)}\n--${B}--\n`;
        const error = await readAll(once(message), B).then(
          () => undefined,
          (e: unknown) => e as MultipartError,
        );
        expect(error?.reason, String(size)).toBe(MultipartFailure.MalformedHeaders);
        expect(error?.message).toContain('LF alone');
      }
    });

    it('rejects a header section that never ends without buffering the stream', async () => {
      let pulled = 0;
      async function* endless(): AsyncGenerator<Buffer> {
        yield Buffer.from(`--${B}\r\nX: `);
        for (;;) {
          pulled += 1000;
          yield Buffer.alloc(1000, 0x61);
        }
      }
      expect(await failure(readAll(endless(), B))).toBe(MultipartFailure.HeaderTooLarge);
      expect(pulled).toBeLessThanOrEqual(17_000);
    });

    it('rejects more parts than the limit', async () => {
      const message = `--${B}\r\n\r\na\r\n--${B}\r\n\r\nb\r\n--${B}\r\n\r\nc\r\n--${B}--`;
      expect(await readAll(once(message), B, { maxParts: 3 })).toHaveLength(3);
      expect(await failure(readAll(once(message), B, { maxParts: 2 }))).toBe(MultipartFailure.TooManyParts);
    });

    it.each([
      ['a line without a colon', 'Content-Type application/dicom'],
      ['whitespace before the colon', 'Content-Type : a/b'],
      ['an empty name', ': a/b'],
      ['a folded first line', ' a/b'],
      ['a bare LF', 'A: b\nC: d'],
      ['a control character', 'A: b\u0000'],
    ])('rejects part headers with %s', async (_, line) => {
      const reason = await failure(readAll(once(`--${B}\r\n${line}\r\n\r\nbody\r\n--${B}--`), B));
      expect(reason).toBe(MultipartFailure.MalformedHeaders);
    });

    it('rejects text after the boundary on a delimiter line', async () => {
      for (const message of [
        `--${B}X\r\n\r\nbody\r\n--${B}--`,
        `--${B}\r\n\r\nbody\r\n--${B}x\r\n\r\n--${B}--`,
      ]) {
        expect(await failure(readAll(once(message), B))).toBe(MultipartFailure.MalformedDelimiter);
      }
    });
  });

  describe('streaming', () => {
    it('reads no further ahead than one chunk, however slow the consumer', async () => {
      const chunkSize = 64 * 1024;
      const bodySize = 16 * 1024 * 1024;
      const head = Buffer.from(`--${B}\r\nContent-Type: application/dicom\r\n\r\n`, 'latin1');
      let pulled = 0;
      async function* source(): AsyncGenerator<Buffer> {
        pulled += head.length;
        yield head;
        for (let sent = 0; sent < bodySize; sent += chunkSize) {
          pulled += chunkSize;
          yield Buffer.alloc(chunkSize, sent / chunkSize);
        }
        const close = Buffer.from(`\r\n--${B}--\r\n`, 'latin1');
        pulled += close.length;
        yield close;
      }
      let received = 0;
      let maxAhead = 0;
      for await (const part of parseMultipart(source(), B)) {
        for await (const piece of part.body) {
          received += piece.length;
          maxAhead = Math.max(maxAhead, pulled - head.length - received);
          await tick(); // a slow consumer
        }
      }
      expect(received).toBe(bodySize);
      expect(maxAhead).toBeLessThanOrEqual(chunkSize);
    });

    it('streams a 200 MB part in bounded memory', async () => {
      const chunkSize = 64 * 1024;
      const chunks = 3200; // 200 MiB
      const boundary = createBoundary();
      const pattern = Buffer.alloc(chunkSize);
      const r = random(1);
      for (let i = 0; i < chunkSize; i++) pattern[i] = Math.floor(r() * 256);
      const head = Buffer.from(`preamble\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`);
      let pulled = 0;
      const sent = createHash('sha256');
      async function* source(): AsyncGenerator<Buffer> {
        pulled += head.length;
        yield head;
        for (let i = 0; i < chunks; i++) {
          // Fresh buffers, as a socket delivers them, rotated so that chunk edges cut through varied bytes.
          const chunk = Buffer.allocUnsafe(chunkSize);
          const shift = (i * 7919) % chunkSize;
          pattern.copy(chunk, 0, shift);
          pattern.copy(chunk, chunkSize - shift, 0, shift);
          sent.update(chunk);
          pulled += chunkSize;
          yield chunk;
        }
        yield Buffer.from(`\r\n--${boundary}--\r\n`);
      }
      const received = createHash('sha256');
      let receivedBytes = 0;
      let maxAhead = 0;
      const rssBefore = process.memoryUsage().rss;
      let rssMax = rssBefore;
      for await (const part of parseMultipart(source(), boundary)) {
        for await (const piece of part.body) {
          received.update(piece);
          receivedBytes += piece.length;
          maxAhead = Math.max(maxAhead, pulled - head.length - receivedBytes);
          if ((receivedBytes & 0xffffff) < piece.length) rssMax = Math.max(rssMax, process.memoryUsage().rss);
        }
      }
      expect(receivedBytes).toBe(chunkSize * chunks);
      expect(received.digest('hex')).toBe(sent.digest('hex'));
      expect(maxAhead).toBeLessThanOrEqual(chunkSize);
      expect(rssMax - rssBefore).toBeLessThan(50 * 1024 * 1024);
    });
  });
});

async function readAllSkippingBodies(source: AsyncIterable<Buffer>): Promise<number> {
  let count = 0;
  for await (const _ of parseMultipart(source, B)) count++;
  return count;
}

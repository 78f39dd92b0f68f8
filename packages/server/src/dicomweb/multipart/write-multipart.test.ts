import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBoundary } from './create-boundary.js';
import { parseMultipart } from './parse-multipart.js';
import { writeMultipart, type MultipartWritePart } from './write-multipart.js';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const all: Uint8Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}

async function* fromChunks(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** Re-chunks a byte stream into slices of pseudo-random sizes from 1 to `max`. */
async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  seed: number,
  max: number,
): AsyncGenerator<Buffer> {
  const all = await collect(source);
  let state = seed;
  for (let at = 0; at < all.length;) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const n = 1 + (state % max);
    yield Buffer.from(all.subarray(at, at + n));
    at += n;
  }
}

describe('writeMultipart', () => {
  it('writes delimiters, headers, CRLFs and the close delimiter (RFC 2046 §5.1.1)', async () => {
    const body = await collect(
      writeMultipart(
        [
          {
            contentType: 'application/dicom',
            headers: { 'Content-Location': '/studies/1', 'content-type': 'ignored/x' },
            body: Buffer.from('DICM'),
          },
          {
            contentType: 'application/octet-stream',
            body: fromChunks(Buffer.from('a'), new Uint8Array(0), Buffer.from('b')),
          },
        ],
        'abc',
      ),
    );
    expect(body.toString('latin1')).toBe(
      '--abc\r\nContent-Type: application/dicom\r\nContent-Location: /studies/1\r\n\r\nDICM' +
        '\r\n--abc\r\nContent-Type: application/octet-stream\r\n\r\nab' +
        '\r\n--abc--\r\n',
    );
  });

  it('writes only the close delimiter when there are no parts', async () => {
    expect((await collect(writeMultipart([], 'abc'))).toString()).toBe('--abc--\r\n');
  });

  it('passes body chunks through without copying or concatenating them', async () => {
    const big = randomBytes(1 << 20);
    const out: Uint8Array[] = [];
    for await (const chunk of writeMultipart([{ contentType: 'a/b', body: fromChunks(big, big) }], 'abc')) {
      out.push(chunk);
    }
    expect(out.filter((c) => c === big)).toHaveLength(2);
  });

  it('pulls nothing before the consumer asks for it', async () => {
    let produced = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        produced++;
        yield Buffer.alloc(1000);
      }
    }
    const writer = writeMultipart([{ contentType: 'a/b', body: body() }], 'abc');
    await writer.next(); // the part's head
    expect(produced).toBe(0);
    await writer.next();
    await writer.next();
    expect(produced).toBe(2);
    await writer.return(undefined);
  });

  it('rejects invalid boundaries and headers that cannot be written', async () => {
    const part: MultipartWritePart = { contentType: 'a/b', body: new Uint8Array(0) };
    for (const boundary of ['', 'x'.repeat(71), 'ends with space ', 'a\r\nb', 'a"b', 'ü']) {
      await expect(collect(writeMultipart([part], boundary))).rejects.toThrow(TypeError);
    }
    await expect(
      collect(writeMultipart([{ ...part, contentType: 'a/b\r\nX-Injected: 1' }], 'b')),
    ).rejects.toThrow(TypeError);
    await expect(collect(writeMultipart([{ ...part, headers: { 'Bad Name': 'x' } }], 'b'))).rejects.toThrow(
      TypeError,
    );
    await expect(collect(writeMultipart([{ ...part, headers: { X: 'é' } }], 'b'))).rejects.toThrow(TypeError);
  });
});

describe('writeMultipart → parseMultipart round trip', () => {
  const boundary = createBoundary();
  // Bodies that come close to the delimiter without containing it.
  const nasty = [
    Buffer.alloc(0),
    Buffer.from(`--${boundary}`),
    Buffer.from(`--${boundary}--`),
    Buffer.from(`x--${boundary}\n--${boundary}\r--${boundary}`),
    Buffer.from(`\r\n--${boundary.slice(0, -1)}`),
    Buffer.from('\r\n\r\n\r\n'),
    Buffer.from('\r'),
    Buffer.from('\r\n-'),
    Buffer.from(`\r\n--${boundary.slice(0, 10)}\r\n`),
  ];

  it.each([1, 2, 3, 7, 64, 4096, 100_000])(
    'round-trips random and tricky bodies re-chunked up to %i bytes',
    async (max) => {
      const bodies = [...nasty, ...Array.from({ length: 20 }, (_, i) => randomBytes((i * 7919) % 50_000))];
      const parts: MultipartWritePart[] = bodies.map((body, i) => ({
        contentType:
          i % 2 === 0 ? 'application/dicom' : 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1',
        headers: { 'Content-Location': `/parts/${i}` },
        // Every other body as a stream of uneven chunks.
        body: i % 2 === 0 ? body : fromChunks(body.subarray(0, 3), body.subarray(3)),
      }));
      const read: { location: string | undefined; contentType: string | undefined; body: Buffer }[] = [];
      for await (const part of parseMultipart(rechunk(writeMultipart(parts, boundary), max, max), boundary)) {
        const chunks: Buffer[] = [];
        for await (const chunk of part.body) chunks.push(chunk);
        read.push({
          location: part.headers.get('content-location'),
          contentType: part.contentType,
          body: Buffer.concat(chunks),
        });
      }
      expect(read).toHaveLength(bodies.length);
      read.forEach((part, i) => {
        expect(part.location).toBe(`/parts/${i}`);
        expect(part.contentType).toBe(parts[i]?.contentType);
        expect(part.body.equals(bodies[i] ?? Buffer.alloc(1)), `body ${i}`).toBe(true);
      });
    },
  );

  it('closes the body of a part whose header went out when the consumer stops there (a client gone)', async () => {
    const stream = Readable.from([Buffer.from('never read')]);
    const writer = writeMultipart([{ contentType: 'application/dicom', body: stream }], createBoundary());
    const header = await writer.next();
    expect(Buffer.from(header.value as Uint8Array).toString('latin1')).toContain(
      'Content-Type: application/dicom',
    );
    await writer.return(undefined);
    expect(stream.destroyed).toBe(true);
  });

  it('closes a body that is being read when the consumer stops in the middle', async () => {
    let closed = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        yield Buffer.from('first');
        yield Buffer.from('second');
      } finally {
        closed = true;
      }
    }
    const writer = writeMultipart(
      [{ contentType: 'application/octet-stream', body: body() }],
      createBoundary(),
    );
    await writer.next(); // the part's header
    await writer.next(); // 'first'
    await writer.return(undefined);
    expect(closed).toBe(true);
  });
});

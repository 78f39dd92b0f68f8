/** Helpers that cut byte arrays into chunks and gather streams, for streaming tests. */
import { concatBytes } from './encode.js';

/** Splits bytes into chunks of the given size (the last may be shorter); the chunks are copies. */
export function* chunksOf(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

/** A small deterministic pseudo-random generator (mulberry32), so failures can be replayed from the seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes into chunks of random sizes between 0 and `maxSize` (empty chunks included). */
export function* randomChunks(bytes: Uint8Array, seed: number, maxSize = 4096): Generator<Uint8Array> {
  const random = seededRandom(seed);
  let at = 0;
  while (at < bytes.length) {
    const size = Math.floor(random() * (maxSize + 1));
    yield bytes.slice(at, at + size);
    at += size;
  }
}

/** Yields the chunks of a synchronous sequence asynchronously, one per microtask turn. */
export async function* asAsync<T>(chunks: Iterable<T>): AsyncGenerator<T> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

/** Gathers a stream of chunks into one array. */
export async function collectBytes(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(chunk);
  return concatBytes(parts);
}

/**
 * Copies the bytes at the given ranges out of a stream without holding the stream: each result is the
 * concatenation of its ranges (ranges may be given in any order).
 */
export async function extractRanges(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ranges: readonly (readonly { offset: number; length: number }[])[],
): Promise<Uint8Array[]> {
  const outputs = ranges.map((parts) => new Uint8Array(parts.reduce((n, r) => n + r.length, 0)));
  const pieces = ranges.flatMap((parts, index) => {
    let at = 0;
    return parts.map((r) => {
      const piece = { index, start: r.offset, end: r.offset + r.length, at };
      at += r.length;
      return piece;
    });
  });
  let position = 0;
  for await (const chunk of source) {
    const chunkEnd = position + chunk.length;
    for (const p of pieces) {
      const from = Math.max(p.start, position);
      const to = Math.min(p.end, chunkEnd);
      if (from < to)
        outputs[p.index]!.set(chunk.subarray(from - position, to - position), p.at + (from - p.start));
    }
    position = chunkEnd;
  }
  return outputs;
}

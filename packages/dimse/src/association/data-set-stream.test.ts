import { describe, expect, it } from 'vitest';
import { DataSetStream } from './data-set-stream.js';

function bytes(length: number, fill = 0): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

async function readAll(stream: DataSetStream): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

describe('DataSetStream', () => {
  it('yields the pushed fragments in order and finishes after end()', async () => {
    const stream = new DataSetStream(1000, () => {});
    stream.push(bytes(2, 1));
    stream.push(bytes(3, 2));
    expect(stream.finished).toBe(false);
    stream.end();
    expect(stream.finished).toBe(true);
    expect((await readAll(stream)).map((c) => Array.from(c))).toEqual([
      [1, 1],
      [2, 2, 2],
    ]);
  });

  it('delivers fragments pushed while the reader is already waiting', async () => {
    const stream = new DataSetStream(1000, () => {});
    const reading = readAll(stream);
    await Promise.resolve();
    stream.push(bytes(1, 7));
    await new Promise((resolve) => setTimeout(resolve, 0));
    stream.push(bytes(1, 8));
    stream.end();
    expect((await reading).map((c) => c[0])).toEqual([7, 8]);
  });

  it('returns false from push once the queued bytes reach the high-water mark', () => {
    const stream = new DataSetStream(10, () => {});
    expect(stream.push(bytes(4))).toBe(true);
    expect(stream.push(bytes(5))).toBe(true);
    expect(stream.push(bytes(1))).toBe(false);
    expect(stream.push(bytes(1))).toBe(false);
  });

  it('calls onDrain once, when the reader brings the queue back under the high-water mark', async () => {
    let drains = 0;
    const stream = new DataSetStream(10, () => drains++);
    expect(stream.push(bytes(8))).toBe(true);
    expect(stream.push(bytes(8))).toBe(false);
    expect(stream.push(bytes(8))).toBe(false);
    const reader = stream[Symbol.asyncIterator]();
    await reader.next(); // 16 bytes still queued: above the mark
    expect(drains).toBe(0);
    await reader.next(); // 8 bytes queued: below the mark
    expect(drains).toBe(1);
    await reader.next();
    stream.end();
    expect((await reader.next()).done).toBe(true);
    expect(drains).toBe(1);
  });

  it('never calls onDrain while the reader keeps up', async () => {
    let drains = 0;
    const stream = new DataSetStream(10, () => drains++);
    for (let i = 0; i < 5; i++) stream.push(bytes(1));
    stream.end();
    expect(await readAll(stream)).toHaveLength(5);
    expect(drains).toBe(0);
  });

  it('discard drops the queued bytes and what arrives later, and calls onDrain', async () => {
    let drains = 0;
    const stream = new DataSetStream(4, () => drains++);
    expect(stream.push(bytes(6))).toBe(false);
    stream.discard();
    expect(drains).toBe(1);
    expect(stream.push(bytes(100))).toBe(true);
    stream.end();
    expect(await readAll(stream)).toEqual([]);
  });

  it('fail() lets the reader take the queued fragments, then throws the error', async () => {
    const stream = new DataSetStream(1000, () => {});
    stream.push(bytes(1, 5));
    const failure = new Error('association aborted');
    stream.fail(failure);
    expect(stream.finished).toBe(true);
    const reader = stream[Symbol.asyncIterator]();
    expect((await reader.next()).value).toEqual(bytes(1, 5));
    await expect(reader.next()).rejects.toBe(failure);
  });

  it('fail() wakes a reader that is waiting for the next fragment', async () => {
    const stream = new DataSetStream(1000, () => {});
    const reading = readAll(stream);
    await Promise.resolve();
    stream.fail(new Error('peer aborted'));
    await expect(reading).rejects.toThrow('peer aborted');
  });

  it('ignores fail() and further pushes after end()', async () => {
    const stream = new DataSetStream(1000, () => {});
    stream.push(bytes(1, 1));
    stream.end();
    stream.fail(new Error('too late'));
    expect(stream.push(bytes(1, 2))).toBe(true);
    expect((await readAll(stream)).map((c) => c[0])).toEqual([1]);
  });

  it('can be read only once', async () => {
    const stream = new DataSetStream(1000, () => {});
    stream.end();
    await readAll(stream);
    await expect(readAll(stream)).rejects.toThrow('read only once');
  });
});

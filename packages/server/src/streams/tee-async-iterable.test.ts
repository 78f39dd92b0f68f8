import { describe, expect, it } from 'vitest';
import { teeAsyncIterable } from './tee-async-iterable.js';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of source) out.push(v);
  return out;
}

describe('teeAsyncIterable', () => {
  it('gives both branches every chunk in order', async () => {
    async function* source() {
      for (let i = 0; i < 100; i++) yield i;
    }
    const { branches } = teeAsyncIterable(source());
    const [a, b] = await Promise.all(branches.map(collect));
    expect(a).toEqual([...Array(100).keys()]);
    expect(b).toEqual(a);
  });

  it('never reads far ahead of the slower branch', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 50; i++) {
        pulled++;
        yield i;
      }
    }
    const { branches } = teeAsyncIterable(source(), 2);
    const fast = collect(branches[0]);
    const slow = branches[1][Symbol.asyncIterator]();
    let consumedBySlow = 0;
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1));
      expect(pulled - consumedBySlow).toBeLessThanOrEqual(3);
      await slow.next();
      consumedBySlow++;
    }
    for (;;) if ((await slow.next()).done) break;
    expect(await fast).toHaveLength(50);
  });

  it('lets one branch stop early without blocking the other', async () => {
    async function* source() {
      for (let i = 0; i < 20; i++) yield i;
    }
    const { branches } = teeAsyncIterable(source(), 1);
    const first = branches[0][Symbol.asyncIterator]();
    await first.next();
    await first.return!();
    expect(await collect(branches[1])).toHaveLength(20);
  });

  it('makes both branches fail with the error of the source, or of abort()', async () => {
    async function* broken() {
      yield 1;
      throw new Error('source broke');
    }
    const tee = teeAsyncIterable(broken());
    await expect(Promise.all(tee.branches.map(collect))).rejects.toThrow('source broke');
    async function* endless() {
      for (;;) yield 0;
    }
    const aborted = teeAsyncIterable(endless());
    const waiting = collect(aborted.branches[0]);
    aborted.abort(new Error('parser failed'));
    await expect(waiting).rejects.toThrow('parser failed');
  });
});

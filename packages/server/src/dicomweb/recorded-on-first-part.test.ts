import { describe, expect, it } from 'vitest';
import { recordedOnFirstPart } from './recorded-on-first-part.js';

async function* partsThen(parts: string[], failure?: Error): AsyncGenerator<string> {
  for (const part of parts) yield part;
  if (failure !== undefined) throw failure;
}

async function collect(parts: AsyncIterable<string>): Promise<{ got: string[]; error?: unknown }> {
  const got: string[] = [];
  try {
    for await (const part of parts) got.push(part);
    return { got };
  } catch (error) {
    return { got, error };
  }
}

describe('a multipart answer recorded as its first part is ready', () => {
  it('records once, before the first part is handed on', async () => {
    const order: string[] = [];
    const parts = recordedOnFirstPart(partsThen(['a', 'b']), () => order.push('recorded'));
    for await (const part of parts) order.push(part);
    expect(order).toEqual(['recorded', 'a', 'b']);
  });

  it('records nothing when the first part fails (the answer is an error, nothing sent)', async () => {
    let recorded = 0;
    const result = await collect(
      recordedOnFirstPart(partsThen([], new Error('not decodable')), () => (recorded += 1)),
    );
    expect([result.got, recorded, (result.error as Error).message]).toEqual([[], 0, 'not decodable']);
  });

  it('stays recorded when a later part fails (the body was cut short after some went out)', async () => {
    let recorded = 0;
    const result = await collect(
      recordedOnFirstPart(partsThen(['a'], new Error('unreadable')), () => (recorded += 1)),
    );
    expect([result.got, recorded]).toEqual([['a'], 1]);
  });

  it('hands the source back when the client leaves, so what it opened ahead is released', async () => {
    let released = false;
    async function* source(): AsyncGenerator<string> {
      try {
        yield 'a';
        yield 'b';
      } finally {
        released = true;
      }
    }
    for await (const part of recordedOnFirstPart(source(), () => undefined)) if (part === 'a') break;
    expect(released).toBe(true);
  });
});

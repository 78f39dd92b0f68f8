/** Two consumers of one chunk stream, with the faster one waiting for the slower (bounded memory). */
export interface Tee<T> {
  branches: [AsyncIterable<T>, AsyncIterable<T>];
  /** Makes both branches throw `error` at their next read (when one consumer fails, the other stops). */
  abort(error: unknown): void;
}

/**
 * Splits a stream of chunks into two branches that see the same chunks. The source is read only when
 * neither branch holds more than `maxAhead` unread chunks, so a slow branch slows the source instead of
 * growing a buffer: ingest streams an object to storage and through the parser at once in constant memory.
 */
export function teeAsyncIterable<T>(source: AsyncIterable<T>, maxAhead = 4): Tee<T> {
  const iterator = source[Symbol.asyncIterator]();
  const queues: [T[], T[]] = [[], []];
  const detached = [false, false];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let pulling: Promise<void> | undefined;
  const waiters: Array<() => void> = [];

  const wake = () => {
    for (const resolve of waiters.splice(0)) resolve();
  };
  const waitForChange = () => new Promise<void>((resolve) => waiters.push(resolve));

  const pull = (): Promise<void> => {
    pulling ??= (async () => {
      try {
        const next = await iterator.next();
        if (next.done) ended = true;
        else {
          queues.forEach((queue, i) => {
            if (!detached[i]) queue.push(next.value);
          });
        }
      } catch (error) {
        failure ??= { error };
      } finally {
        pulling = undefined;
        wake();
      }
    })();
    return pulling;
  };

  const branch = (i: 0 | 1): AsyncIterable<T> => ({
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          if (failure !== undefined) throw failure.error;
          const queue = queues[i];
          if (queue.length > 0) {
            const value = queue.shift()!;
            wake();
            return { value, done: false };
          }
          if (ended) return { value: undefined, done: true };
          const other = (1 - i) as 0 | 1;
          if (!detached[other] && queues[other].length >= maxAhead) await waitForChange();
          else await pull();
        }
      },
      async return(): Promise<IteratorResult<T>> {
        detached[i] = true;
        queues[i].length = 0;
        wake();
        return { value: undefined, done: true };
      },
    }),
  });

  return {
    branches: [branch(0), branch(1)],
    abort(error: unknown) {
      // The source is not closed: its owner decides (a STOW part is drained so the next part can be read).
      failure ??= { error };
      wake();
    },
  };
}

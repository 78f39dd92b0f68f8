/**
 * Inflates a raw DEFLATE stream (RFC 1951), as used after the file meta group by the Deflated Explicit VR
 * Little Endian transfer syntax (PS3.5 §A.5). Uses the platform's DecompressionStream, available in
 * browsers and in Node ≥ 18, so the DICOM core stays free of `node:zlib`.
 */
export async function* inflateRaw(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const input = new ReadableStream<BufferSource>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value as Uint8Array<ArrayBuffer>); // never a SharedArrayBuffer here
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  const reader = input.pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

import { lookupTransferSyntax, readPart10 } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { transcodeInstance } from '../imaging/transcode-instance.js';

/** The data set of a stored instance, without its File Meta Information, as DIMSE sends it. */
export interface OutgoingDataSet {
  transferSyntaxUid: string;
  body: AsyncIterable<Uint8Array>;
  /** Releases the stored object when the body will not be sent (or not to its end). */
  close(): Promise<void>;
}

/** Bytes read ahead to find where the data set begins (past the File Meta Information). */
const META_HEAD = 64 * 1024;

/**
 * The part of a stored Part 10 stream after its File Meta Information, from one open of the object: the
 * first bytes are read (and parsed) before this returns, so a malformed object fails here, before a
 * C-STORE has started, and not halfway through one.
 */
async function afterFileMeta(
  object: AsyncIterable<Uint8Array>,
): Promise<OutgoingDataSet['body'] & { close(): Promise<void> }> {
  const iterator = object[Symbol.asyncIterator]();
  const close = async () => {
    await iterator.return?.();
  };
  try {
    const head: Uint8Array[] = [];
    let held = 0;
    let ended = false;
    while (held < META_HEAD && !ended) {
      const next = await iterator.next();
      if (next.done === true) ended = true;
      else {
        head.push(next.value);
        held += next.value.length;
      }
    }
    const bytes = Buffer.concat(head);
    // Stored objects keep what was received, whose meta may lack a group length: parse it.
    const { dataSetOffset } = await readPart10(bytes.subarray(0, META_HEAD), { stopAtTag: 0 });
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        if (dataSetOffset < bytes.length) yield bytes.subarray(dataSetOffset);
        for (;;) {
          const next = await iterator.next();
          if (next.done === true) return;
          yield next.value;
        }
      } finally {
        await close(); // also when the sending stops halfway
      }
    }
    return Object.assign(body(), { close });
  } catch (error) {
    await close();
    throw error;
  }
}

/** Drops the preamble and File Meta Information of a Part 10 stream that we wrote (group length first). */
async function* withoutFileMeta(part10: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let skip = -1;
  let head: Uint8Array = new Uint8Array(0);
  for await (const chunk of part10) {
    if (skip < 0) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 144) continue;
      // 128-byte preamble, "DICM", then (0002,0000) UL: tag 4, VR 2, length 2, value 4 (PS3.10 §7.1).
      skip = 144 + new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(140, true);
      const rest = head.subarray(Math.min(skip, head.length));
      skip -= head.length - rest.length;
      if (rest.length > 0) yield rest;
      continue;
    }
    if (skip > 0) {
      const take = Math.min(skip, chunk.length);
      skip -= take;
      if (take < chunk.length) yield chunk.subarray(take);
      continue;
    }
    yield chunk;
  }
}

/**
 * Streams a stored instance's data set in `target` (the stored syntax: byte for byte from storage, past
 * its meta header; a native syntax, or an instance to be sent with current values: written again by
 * {@link transcodeInstance}). Never held whole in memory.
 */
export async function instanceDataSet(
  archive: Archive,
  instance: StoredInstance,
  target: string,
): Promise<OutgoingDataSet> {
  // Deflate is not written, only inflated: sent deflated, an object goes as stored even when its values
  // were corrected (as transcodeInstance does); sent in a native syntax, it is inflated and corrected.
  const deflated = lookupTransferSyntax(instance.transferSyntaxUid)?.deflated ?? true;
  if (target === instance.transferSyntaxUid && (instance.correction === undefined || deflated)) {
    const body = await afterFileMeta(await archive.openObject(instance));
    return { transferSyntaxUid: target, body, close: () => body.close() };
  }
  const converted = await transcodeInstance(archive, instance, target);
  const body = withoutFileMeta(converted.body);
  return {
    transferSyntaxUid: converted.transferSyntaxUid,
    body,
    close: async () => {
      await body.return(undefined);
      // The generator above may not have started: close what it would have read.
      const source = converted.body as { destroy?: () => void; return?: () => Promise<unknown> };
      if (typeof source.destroy === 'function') source.destroy();
      else await source.return?.();
    },
  };
}

import { readPart10 } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { transcodeInstance } from '../imaging/transcode-instance.js';

/** The data set of a stored instance, without its File Meta Information, as DIMSE sends it. */
export interface OutgoingDataSet {
  transferSyntaxUid: string;
  body: AsyncIterable<Uint8Array>;
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
  if (target === instance.transferSyntaxUid && instance.correction === undefined) {
    // Parse only the meta header to find where the data set starts: stored objects keep what was received,
    // whose meta may lack a group length.
    const header = await readPart10(
      await archive.openObject(instance, { offset: 0, length: Math.min(instance.size, 64 * 1024) }),
      {
        stopAtTag: 0,
      },
    );
    return {
      transferSyntaxUid: target,
      body: await archive.openObject(instance, {
        offset: header.dataSetOffset,
        length: instance.size - header.dataSetOffset,
      }),
    };
  }
  const converted = await transcodeInstance(archive, instance, target);
  return { transferSyntaxUid: converted.transferSyntaxUid, body: withoutFileMeta(converted.body) };
}

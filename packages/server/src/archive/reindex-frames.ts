import { readPart10 } from '@lightbox/dicom';
import type { Readable } from 'node:stream';
import type { ArchiveDeps } from './archive-deps.js';
import { frameIndexOf } from './instance-record.js';

/** Instances read per page of the walk. */
const PAGE = 200;

/** What a re-indexing did. */
export interface ReindexSummary {
  /** Instances read. */
  instances: number;
  /** Instances whose frame index changed. */
  updated: number;
  /** Instances whose object could not be read, by reason, with a few SOP Instance UIDs each. */
  failed: Map<string, { count: number; examples: string[] }>;
}

/**
 * Computes every stored instance's frame index again from its object, as ingest does now, and replaces
 * the ones that differ: objects an older version indexed differently (an offset table it trusted that
 * missed the items, a video split into frames, a deflated object stored with none) are then served by
 * frame like new ones. Objects are read one at a time and streamed (bulk data is skipped, never held);
 * an object replaced while this runs keeps the index its new commit wrote.
 */
export async function reindexFrames(
  deps: Pick<ArchiveDeps, 'index' | 'blobs' | 'config'>,
  onProgress: (summary: ReindexSummary) => void,
): Promise<ReindexSummary> {
  const summary: ReindexSummary = { instances: 0, updated: 0, failed: new Map() };
  for (let after = 0; ;) {
    const page = await deps.index.storedObjects(after, PAGE);
    if (page.length === 0) return summary;
    for (const stored of page) {
      after = stored.pk;
      summary.instances++;
      let stream: Readable | undefined;
      try {
        stream = await deps.blobs.get(stored.blobKey);
        const object = await readPart10(stream, { bulkDataThreshold: deps.config.bulkDataThreshold });
        const index = frameIndexOf(object);
        const text = index === undefined ? null : JSON.stringify(index);
        if (text !== stored.frameIndex && (await deps.index.setFrameIndex(stored, text))) summary.updated++;
      } catch (error) {
        stream?.destroy();
        // Replaced or deleted while this ran: its old object may be gone, and nothing is wrong.
        const [now] = await deps.index.storedObjects(stored.pk - 1, 1);
        if (now?.pk !== stored.pk || now.blobKey !== stored.blobKey) continue;
        const reason = error instanceof Error ? error.message : String(error);
        const entry = summary.failed.get(reason) ?? { count: 0, examples: [] };
        entry.count++;
        if (entry.examples.length < 3) entry.examples.push(stored.sopInstanceUid);
        summary.failed.set(reason, entry);
      }
      onProgress(summary);
    }
  }
}

import type { ArchiveDeps } from './archive-deps.js';

/**
 * Deletes what interrupted writes left behind: blobs still recorded as pending after `ageMs` (written
 * but never indexed, or no longer referenced) and partial files in the blob store. Run at start-up and
 * periodically; the age keeps it away from writes in progress on other nodes.
 */
export async function recoverPendingWrites(deps: ArchiveDeps, ageMs: number): Promise<number> {
  const keys = await deps.index.pendingWrites(ageMs);
  for (const key of keys) {
    // Claim the write by removing its row first: a writer that is still alive then fails its commit
    // (it finds its pending row gone) instead of indexing an object this sweep deletes. A crash between
    // the two steps leaks one unreferenced file, never an acknowledged instance.
    if (await deps.index.abandonWrite(key)) await deps.blobs.delete(key);
  }
  const partial = await deps.blobs.sweepPartialWrites(ageMs);
  if (keys.length + partial > 0) {
    deps.logger.info({ pendingBlobs: keys.length, partialFiles: partial }, 'recovered interrupted writes');
  }
  return keys.length + partial;
}

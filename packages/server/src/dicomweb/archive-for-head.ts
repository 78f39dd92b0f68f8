import type { Archive } from '../archive/archive.js';

/**
 * The archive as a HEAD request sees it (RFC 9110 §9.3.2): it reads and decides exactly as for GET, so
 * the status and headers are the same, but records no transfer and no access, because no body goes out.
 * The metadata resource still records its access: `instanceMetadata` reads and audits in one step.
 */
export function archiveForHead(archive: Archive): Archive {
  return {
    ...archive,
    async prepareInstances(selector, actor, purpose) {
      const pending = await archive.prepareInstances(selector, actor, purpose);
      return { ...pending, recordTransfer: () => {} };
    },
    async prepareTransfer(selector, actor) {
      const pending = await archive.prepareTransfer(selector, actor);
      return { ...pending, recordAccess: () => {}, recordTransfer: () => {} };
    },
  };
}

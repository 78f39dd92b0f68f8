import type { Logger } from 'pino';
import type { DuplicatePolicyValue } from '../config/config.js';
import type { AuditSink } from '../security/audit/audit-sink.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { IndexStore } from './index-store.js';

/** What the archive domain talks to: its ports, and its settings. */
export interface ArchiveDeps {
  index: IndexStore;
  blobs: BlobStore;
  audit: AuditSink;
  logger: Logger;
  config: {
    duplicatePolicy: DuplicatePolicyValue;
    /** Values larger than this stay in the stored object and are served as bulk data. */
    bulkDataThreshold: number;
  };
}

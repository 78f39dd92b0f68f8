import type { Logger } from 'pino';
import type { DuplicatePolicyValue } from '../config/config.js';
import type { AuditSink } from '../security/audit/audit-sink.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { IndexStore } from './index-store.js';

/** An instance the archive has just made durable and indexed (told to the RIS, which links it to its order). */
export interface InstanceArrival {
  studyUid: string;
  accessionNumber: string | null;
  patientId: string;
  issuer: string;
  modality: string | null;
  /** True when the instance was new (not a re-sent duplicate). */
  isNew: boolean;
}

/** What the archive domain talks to: its ports, and its settings. */
export interface ArchiveDeps {
  index: IndexStore;
  blobs: BlobStore;
  audit: AuditSink;
  logger: Logger;
  /** Hears of every stored instance after it is committed; must not throw or block. */
  instanceStored?: (arrival: InstanceArrival) => void;
  config: {
    duplicatePolicy: DuplicatePolicyValue;
    /** Values larger than this stay in the stored object and are served as bulk data. */
    bulkDataThreshold: number;
  };
}

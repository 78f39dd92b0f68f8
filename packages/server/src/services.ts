import type { Logger } from 'pino';
import sharp from 'sharp';
import { createArchive, type Archive } from './archive/archive.js';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/open-database.js';
import { DicomNodeRegistry } from './dicom-nodes/dicom-node-registry.js';
import { KyselyIndexStore } from './index-store/kysely-index-store.js';
import { JobQueue } from './jobs/job-queue.js';
import { LogAuditSink } from './security/audit/log-audit-sink.js';
import { BasicAuthenticator } from './security/basic-authenticator.js';
import { UserStore } from './security/user-store.js';
import type { BlobStore } from './storage/blob-store.js';
import { openBlobStore } from './storage/open-blob-store.js';
import { closeCodecWorkers } from './imaging/codecs/index.js';

/** Values above this size stay in the stored object; metadata refers to them by BulkDataURI. */
const BULK_DATA_THRESHOLD = 64 * 1024;

/** Everything the adapters need, wired once (DESIGN §2 "Composition root"). */
export interface Services {
  config: Config;
  logger: Logger;
  database: Database;
  blobs: BlobStore;
  archive: Archive;
  users: UserStore;
  authenticator: BasicAuthenticator;
  dicomNodes: DicomNodeRegistry;
  jobs: JobQueue;
  close(): Promise<void>;
}

/** The composition root: the only place that picks implementations. No module holds global state. */
export async function createServices(config: Config, logger: Logger): Promise<Services> {
  // Rendering runs beside request handling: keep sharp's thread pool small and predictable.
  sharp.concurrency(2);
  const database = await openDatabase(config.databaseUrl, (error) =>
    logger.warn({ err: error }, 'a database connection was lost while idle; it will be replaced'),
  );
  const blobs = await openBlobStore(config.storageUrl);
  const archive = createArchive({
    index: new KyselyIndexStore(database),
    blobs,
    audit: new LogAuditSink(logger.child({ component: 'audit' })),
    logger: logger.child({ component: 'archive' }),
    config: { duplicatePolicy: config.archive.duplicatePolicy, bulkDataThreshold: BULK_DATA_THRESHOLD },
  });
  const users = new UserStore(database.db);
  return {
    config,
    logger,
    database,
    blobs,
    archive,
    users,
    authenticator: new BasicAuthenticator(users),
    dicomNodes: new DicomNodeRegistry(database.db, config.dicom.nodes),
    jobs: new JobQueue(database.db),
    async close() {
      await closeCodecWorkers();
      await database.close();
    },
  };
}

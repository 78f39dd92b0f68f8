import { sql } from 'kysely';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { createArchive, type Archive } from './archive/archive.js';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/open-database.js';
import { DicomNodeRegistry } from './dicom-nodes/dicom-node-registry.js';
import { KyselyIndexStore } from './index-store/kysely-index-store.js';
import { JobQueue } from './jobs/job-queue.js';
import { ApiTokenStore } from './security/api-token-store.js';
import { AuditTrail } from './security/audit/audit-trail.js';
import { KeyRing } from './security/keys/key-ring.js';
import {
  keyId,
  loadMasterKey,
  loadNextMasterKey,
  masterKeysOnDisk,
  promoteNextMasterKey,
} from './security/keys/master-key.js';
import { EmergencyAccess } from './security/emergency-access.js';
import { IntrusionDetector } from './security/intrusion-detection.js';
import { Notifications } from './security/notifications.js';
import { OidcSignIn } from './security/oidc-sign-in.js';
import { PasswordAuthenticator } from './security/password-authenticator.js';
import { SessionStore } from './security/session-store.js';
import { UserAdministration } from './security/user-administration.js';
import { USER_CHANGES_CHANNEL, UserStore } from './security/user-store.js';
import type { BlobStore } from './storage/blob-store.js';
import { EncryptedBlobStore } from './storage/encrypted-blob-store.js';
import { openBlobStore } from './storage/open-blob-store.js';
import { closeCodecWorkers } from './imaging/codecs/index.js';
import { PerformedProcedureSteps } from './ris/performed-procedure-steps.js';
import { Ris } from './ris/ris.js';
import { ExamTracker } from './ris/exam-tracker.js';
import { Reconciliation } from './ris/reconciliation.js';
import { ModalityStations } from './ris/modality-stations.js';
import { unitsOfWork } from './db/group-commit.js';
import { listenPostgres, type PostgresListener } from './db/postgres-notifications.js';
import { OrderChangeFeed } from './ris/order-change-feed.js';
import { Hl7MessageLog } from './hl7-interface/hl7-message-log.js';

/** Values above this size stay in the stored object; metadata refers to them by BulkDataURI. */
const BULK_DATA_THRESHOLD = 64 * 1024;

/** The key that seals the audit chain, and its identifier (stored in the chain head). */
export interface ChainKey {
  key: Buffer;
  id: string;
}

/** Everything the adapters need, wired once (DESIGN §2 "Composition root"). */
export interface Services {
  config: Config;
  logger: Logger;
  database: Database;
  blobs: BlobStore;
  archive: Archive;
  audit: AuditTrail;
  auditChainKey: ChainKey;
  keyRing: KeyRing;
  users: UserStore;
  passwords: PasswordAuthenticator;
  tokens: ApiTokenStore;
  sessions: SessionStore;
  userAdministration: UserAdministration;
  notifications: Notifications;
  emergencyAccess: EmergencyAccess;
  /** Sign-in through OpenID Connect, when a provider is configured. */
  oidc?: OidcSignIn;
  dicomNodes: DicomNodeRegistry;
  jobs: JobQueue;
  /** Orders, scheduling, worklist and exam status (issue #6). */
  ris: Ris;
  /** Modality performed procedure steps (MPPS). */
  performedSteps: PerformedProcedureSteps;
  /** Links arriving images to their orders. */
  examTracker: ExamTracker;
  /** Every HL7 message in and out. */
  hl7Log: Hl7MessageLog;
  /** The reconciliation queue. */
  reconciliation: Reconciliation;
  /** The department's modality stations. */
  stations: ModalityStations;
  /** Orders that changed, for the screens' event streams. */
  orderChanges: OrderChangeFeed;
  close(): Promise<void>;
}

/** The PostgreSQL NOTIFY channel of changed orders (payload: accession numbers, comma-separated). */
const ORDER_CHANGES_CHANNEL = 'lightbox_orders';

/**
 * Opens the key ring with the master key. A rotation interrupted after it rewrapped the ring but before it
 * replaced the key file left the new key staged beside it: that key is then the right one, and is promoted.
 */
async function openKeyRing(database: Database, config: Config): Promise<KeyRing> {
  const master = loadMasterKey(config.masterKey, config.dataDir);
  // A key file is read again when the ring no longer opens with the key in use (rotate-keys beside a
  // running server); a key from the environment cannot change under a running process.
  const currentMaster = config.masterKey === undefined ? () => masterKeysOnDisk(config.dataDir) : undefined;
  try {
    return await KeyRing.open(database, master, currentMaster);
  } catch (error) {
    const next = config.masterKey === undefined ? loadNextMasterKey(config.dataDir) : undefined;
    if (next === undefined) throw error;
    const ring = await KeyRing.open(database, next, currentMaster);
    promoteNextMasterKey(config.dataDir);
    return ring;
  }
}

/** The composition root: the only place that picks implementations. No module holds global state. */
export async function createServices(config: Config, logger: Logger): Promise<Services> {
  // Rendering runs beside request handling: keep sharp's thread pool small and predictable.
  sharp.concurrency(2);
  const database = await openDatabase(config.databaseUrl, (error) =>
    logger.warn({ err: error }, 'the index database reported a problem (a lost idle connection is replaced)'),
  );
  let keyRing: KeyRing;
  let audit: AuditTrail;
  let auditChainKey: ChainKey;
  try {
    keyRing = await openKeyRing(database, config);
    const chainKey = keyRing.auditChainKey().key;
    auditChainKey = { key: chainKey, id: keyId(chainKey) };
    audit = new AuditTrail(
      database,
      auditChainKey.key,
      auditChainKey.id,
      logger.child({ component: 'audit' }),
    );
    await audit.open();
  } catch (error) {
    await database.close();
    throw error;
  }
  const stored = await openBlobStore(config.storageUrl);
  // Always wrapped, so that sealed objects stay readable when sealing new ones is turned off.
  const blobs = new EncryptedBlobStore(stored, keyRing, { seal: config.archive.encryptAtRest });
  // On SQLite, changes that arrive together (HL7 messages from several connections, instances from
  // several senders) share a commit: one fsync for all of them.
  const transact = unitsOfWork(database);
  const ris = new Ris(database.db, audit, transact);
  // Screens hear of changed orders: on SQLite (one node) after each commit; on PostgreSQL through
  // NOTIFY, sent in the transaction and heard by every node's LISTEN connection once it commits.
  const orderChanges = new OrderChangeFeed();
  let orderListener: PostgresListener | undefined;
  if (database.dialect === 'postgres') {
    ris.recordOrderChangesWith(async (accessionNumbers, trx) => {
      await sql`SELECT pg_notify(${ORDER_CHANGES_CHANNEL}, ${accessionNumbers.join(',')})`.execute(trx);
    });
    orderListener = await listenPostgres(
      config.databaseUrl,
      ORDER_CHANGES_CHANNEL,
      (payload) => orderChanges.publish(payload.split(',').filter(Boolean)),
      logger.child({ component: 'ris' }),
    );
  } else {
    ris.onOrdersChanged((accessionNumbers) => orderChanges.publish(accessionNumbers));
  }
  const reconciliation = new Reconciliation(database.db, ris, audit);
  const examTracker = new ExamTracker(database.db, ris, reconciliation, logger.child({ component: 'ris' }));
  const archive = createArchive({
    index: new KyselyIndexStore(database, transact),
    blobs,
    audit,
    logger: logger.child({ component: 'archive' }),
    instanceStored: (arrival) => examTracker.instanceArrived(arrival),
    config: { duplicatePolicy: config.archive.duplicatePolicy, bulkDataThreshold: BULK_DATA_THRESHOLD },
  });
  const users = new UserStore(database.db, database.dialect);
  const passwords = new PasswordAuthenticator(users, audit);
  // Every node forgets a user's cached credentials as soon as a change to that user commits on any node
  // (a new password, disabled, new roles or restrictions, locked); after a lost LISTEN connection, all.
  const userListener =
    database.dialect === 'postgres'
      ? await listenPostgres(
          config.databaseUrl,
          USER_CHANGES_CHANNEL,
          (username) => passwords.forgetUser(username),
          logger.child({ component: 'security' }),
          () => passwords.forgetAll(),
        )
      : undefined;
  const tokens = new ApiTokenStore(database.db);
  const sessions = new SessionStore(database.db);
  const notifications = new Notifications(database.db, logger.child({ component: 'security' }));
  const intrusionDetector = new IntrusionDetector(audit, notifications);
  audit.onRecorded((record) => intrusionDetector.observe(record));
  return {
    config,
    logger,
    database,
    blobs,
    archive,
    audit,
    auditChainKey,
    keyRing,
    users,
    passwords,
    tokens,
    sessions,
    userAdministration: new UserAdministration(users, tokens, sessions, passwords, audit),
    notifications,
    emergencyAccess: new EmergencyAccess(database.db, audit, notifications),
    ...(config.oidc !== undefined ? { oidc: new OidcSignIn(config.oidc, keyRing.cookieSealKey()) } : {}),
    dicomNodes: new DicomNodeRegistry(database.db, config.dicom.nodes),
    jobs: new JobQueue(database.db),
    ris,
    performedSteps: new PerformedProcedureSteps(database.db, ris, audit, reconciliation),
    examTracker,
    hl7Log: new Hl7MessageLog(database.db),
    reconciliation,
    stations: new ModalityStations(database.db),
    orderChanges,
    async close() {
      await orderListener?.close();
      await userListener?.close();
      await examTracker.settled();
      await closeCodecWorkers();
      await audit.close();
      await blobs.close();
      await database.close();
    },
  };
}

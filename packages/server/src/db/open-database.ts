import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { archiveIndexMigration } from './migrations/0001-archive-index.js';
import { dicomNodesMigration } from './migrations/0002-dicom-nodes.js';
import { jobsMigration } from './migrations/0003-jobs.js';
import { personNameKeysMigration } from './migrations/0004-person-name-keys.js';
import { securityMigration } from './migrations/0005-security.js';
import { studyAccessKeysMigration } from './migrations/0006-study-access-keys.js';
import { risMigration } from './migrations/0007-ris.js';
import { attributeValuesMigration } from './migrations/0008-attribute-values.js';
import { modalityStationsMigration } from './migrations/0009-modality-stations.js';
import { jobControlMigration } from './migrations/0010-job-control.js';
import { userSettingsMigration } from './migrations/0011-user-settings.js';
import { orderReferringProviderMigration } from './migrations/0012-order-referring-provider.js';
import { providerIssuersMigration } from './migrations/0013-provider-issuers.js';
import { auditAeParticipantsMigration } from './migrations/0014-audit-ae-participants.js';
import { departmentSettingsMigration } from './migrations/0015-department-settings.js';
import { DurableSqliteDialect, type StatementSource } from './durable-sqlite.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { SqlDialect } from './sql-dialect.js';
import type { Tables } from './tables.js';

/** An open index database with its schema migrated. */
export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: SqlDialect;
  /**
   * False once a commit could not be made durable (SQLite: a failed WAL sync). The index then refuses
   * every statement; only a restart is safe, so the health check reports the node not ready.
   */
  durable(): boolean;
  close(): Promise<void>;
}

/** The index's migrations by name, in the order they run (their names sort in that order). */
export function indexMigrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001-archive-index': archiveIndexMigration(dialect),
    '0002-dicom-nodes': dicomNodesMigration(dialect),
    '0003-jobs': jobsMigration(dialect),
    '0004-person-name-keys': personNameKeysMigration(dialect),
    '0005-security': securityMigration(dialect),
    '0006-study-access-keys': studyAccessKeysMigration(dialect),
    '0007-ris': risMigration(dialect),
    '0008-attribute-values': attributeValuesMigration(dialect),
    '0009-modality-stations': modalityStationsMigration(dialect),
    '0010-job-control': jobControlMigration(dialect),
    '0011-user-settings': userSettingsMigration(dialect),
    '0012-order-referring-provider': orderReferringProviderMigration(),
    '0013-provider-issuers': providerIssuersMigration(),
    '0014-audit-ae-participants': auditAeParticipantsMigration(),
    '0015-department-settings': departmentSettingsMigration(dialect),
  };
}

// int8 (bigint) columns hold epoch milliseconds and byte sizes, far below 2^53: read them as numbers.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Prepared statements kept per SQL text, most recently used last. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 as Kysely's SQLite driver sees it, with prepared statements kept: the driver prepares
 * every query anew, which was 12 % of the server's CPU while taking HL7 orders (docs/benchmarks.md, RIS).
 * Statements are only ever run to completion (no iterators), so one statement serves every caller.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): StatementSource {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement !== undefined) {
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}

function openSqlite(
  file: string,
  onTrouble: (error: Error) => void,
): { db: Kysely<Tables>; durable: () => boolean } {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL for concurrent readers. NORMAL does not sync at commit: DurableSqliteDialect syncs the WAL before a
  // commit returns, on the thread pool, so that a commit still survives power loss (issue #2 §5).
  const wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  sqlite.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const statements = withStatementCache(sqlite);
  if (!wal)
    return {
      db: new Kysely<Tables>({ dialect: new SqliteDialect({ database: statements }) }),
      durable: () => true,
    };
  const checkpointer = new WalCheckpointer(sqlite, file, (reason) =>
    onTrouble(new Error(`WAL checkpoints are back on the main thread: ${reason}`)),
  );
  const dialect = new DurableSqliteDialect(sqlite, statements, checkpointer);
  return { db: new Kysely<Tables>({ dialect }), durable: () => dialect.durable };
}

function openPostgres(url: string, onIdleError: (error: Error) => void): Kysely<Tables> {
  // A runaway query (e.g. matching a rare attribute across all metadata) must not hold a connection
  // forever: it would starve ingest of the pool.
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes, statement_timeout: 60_000 });
  // An idle client that loses its connection (server restart, failover) emits 'error' on the pool;
  // unhandled, that would end the process. The pool replaces the client on the next query.
  pool.on('error', onIdleError);
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Opens the index named by a LIGHTBOX_DATABASE_URL (`sqlite:<file>` or `postgres://…`) and brings its
 * schema up to date. Migration errors are thrown, never half-applied silently. `onIdleError` hears of
 * PostgreSQL connections lost while idle, and of SQLite's checkpoint thread failing.
 */
export async function openDatabase(
  url: string,
  onIdleError: (error: Error) => void = () => {},
): Promise<Database> {
  const dialect = url.startsWith('sqlite:') ? SqlDialect.Sqlite : SqlDialect.Postgres;
  // PostgreSQL stops by itself when it cannot sync; its connections then fail, which callers see.
  const { db, durable } =
    dialect === SqlDialect.Sqlite
      ? openSqlite(url.slice('sqlite:'.length), onIdleError)
      : { db: openPostgres(url, onIdleError), durable: () => true };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => indexMigrations(dialect) },
    migrationTableName: 'lightbox_migration',
    migrationLockTableName: 'lightbox_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw new Error(`database migration failed: ${String(error)}`, { cause: error });
  }
  return { db, dialect, durable, close: () => db.destroy() };
}

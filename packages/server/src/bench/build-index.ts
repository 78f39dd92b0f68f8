import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { instanceRecord, type InstanceRecord } from '../archive/instance-record.js';
import { openDatabase } from '../db/open-database.js';
import { KyselyIndexStore } from '../index-store/kysely-index-store.js';
import { fakeBlob, type Rows } from './index-rows.js';
import type { RowsRequest } from './index-rows-worker.js';
import { scratchPostgres, databaseUrl, postgresDatabaseExists } from './postgres.js';
import { syntheticInstance, type ArchiveScale } from './synthetic-archive.js';
import { syntheticParsedObject } from './synthetic-ct.js';

/** Bumped whenever the generator's output changes, so that stale caches are rebuilt. */
const GENERATOR_VERSION = 2;
const BATCH_STUDIES = 250;

/** What building (or finding) a synthetic index did. */
export interface IndexBuild {
  sqliteUrl?: string;
  postgresUrl?: string;
  cacheDir: string;
  /** True when the index came from the cache. */
  cached: { sqlite?: boolean; postgres?: boolean };
  /** Seconds spent building, when built in this run. */
  buildSeconds?: number;
  /** Mean time of `instanceRecord` per instance during the build, in microseconds. */
  recordMicros?: number;
  instances: number;
}

/** A short fingerprint of the index schema that the server's migrations create (part of the cache key). */
export async function schemaFingerprint(scratchDir: string): Promise<string> {
  const file = path.join(scratchDir, `schema-${process.pid}.db`);
  rmSync(file, { force: true });
  const database = await openDatabase(`sqlite:${file}`);
  await database.close();
  const sqlite = new SqliteDatabase(file, { readonly: true });
  const rows = sqlite.prepare(`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name`).all() as {
    sql: string;
  }[];
  sqlite.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  return createHash('sha256')
    .update(rows.map((r) => r.sql).join('\n'))
    .digest('hex')
    .slice(0, 10);
}

/** Worker threads that build index rows (index-rows-worker.ts). */
class RowsPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<
    number,
    { resolve: (value: { rows: Rows; micros: number }) => void; reject: (error: unknown) => void }
  >();
  private nextId = 0;

  constructor(readonly size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./index-rows-worker.js', import.meta.url));
      worker.on('message', (message: { id: number; rows: Rows; micros: number }) => {
        this.waiting.get(message.id)?.resolve(message);
        this.waiting.delete(message.id);
      });
      worker.on('error', (error) => {
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
      return worker;
    });
  }

  rows(scale: ArchiveScale, from: number, to: number): Promise<{ rows: Rows; micros: number }> {
    const id = this.nextId++;
    const worker = this.workers[id % this.size]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: RowsRequest = { id, scale, from, to };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const TABLES = [
  'patient',
  'study',
  'series',
  'instance',
  'person_name_key',
  'study_access_key',
  'attribute_value',
] as const;
/** The tables whose primary key is a sequence, set past the loaded keys once loading is done. */
const SERIAL_TABLES = ['patient', 'study', 'series', 'instance'] as const;

class SqliteWriter {
  private readonly db: SqliteDatabase.Database;
  private readonly inserts = new Map<string, SqliteDatabase.Statement>();

  constructor(file: string) {
    this.db = new SqliteDatabase(file);
    // Loading only: nothing here needs to survive a crash (an interrupted build is rebuilt).
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -262144');
  }

  write(rows: Rows): void {
    const tx = this.db.transaction(() => {
      for (const table of TABLES) {
        for (const row of rows[table]) {
          let statement = this.inserts.get(table);
          if (statement === undefined) {
            const columns = Object.keys(row);
            statement = this.db.prepare(
              `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
            );
            this.inserts.set(table, statement);
          }
          statement.run(row);
        }
      }
    });
    tx();
  }

  close(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

class PostgresWriter {
  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<PostgresWriter> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // Loading only; the committed result is what counts.
    await client.query('SET synchronous_commit = off');
    return new PostgresWriter(client);
  }

  async write(rows: Rows): Promise<void> {
    await this.client.query('BEGIN');
    for (const table of TABLES) {
      if (rows[table].length === 0) continue;
      const columns = Object.keys(rows[table][0]!);
      await this.client.query(
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM json_populate_recordset(null::${table}, $1::json)`,
        [JSON.stringify(rows[table])],
      );
    }
    await this.client.query('COMMIT');
  }

  async close(): Promise<void> {
    for (const table of SERIAL_TABLES) {
      await this.client.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'pk'), (SELECT max(pk) FROM ${table}))`,
      );
    }
    // Autovacuum vacuums and analyses a table after such a load anyway; do it now so that the plans and
    // the visibility map (index-only scans) are those of the steady state.
    await this.client.query('VACUUM ANALYZE');
    await this.client.end();
  }
}

interface Stamp {
  generator: number;
  studies: number;
  instances: number;
  database?: string;
  builtAt: string;
  buildSeconds: number;
}

function readStamp(file: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/**
 * Provides the synthetic index of `scale` on SQLite and (when `postgresAdminUrl` is given) PostgreSQL:
 * from the cache under `cacheRoot` when a complete one exists for this scale, generator and schema,
 * else built set-wise in batches of {@link BATCH_STUDIES} studies, both engines from the same records.
 * The SQLite file lives in the cache directory; PostgreSQL keeps a database named after the cache key,
 * recorded in the directory (drop it with `--drop-cache`).
 */
export async function ensureIndex(options: {
  scale: ArchiveScale;
  cacheRoot: string;
  postgresAdminUrl?: string;
  rebuild: boolean;
  log: (line: string) => void;
}): Promise<IndexBuild> {
  const { scale, cacheRoot, postgresAdminUrl, log } = options;
  mkdirSync(cacheRoot, { recursive: true });
  const schema = await schemaFingerprint(cacheRoot);
  const key = `index-${scale.studies}x${scale.instancesPerStudy}-g${GENERATOR_VERSION}-${schema}`;
  const dir = path.join(cacheRoot, key);
  mkdirSync(dir, { recursive: true });
  const sqliteFile = path.join(dir, 'lightbox.db');
  const sqliteStampFile = path.join(dir, 'sqlite.json');
  const postgresStampFile = path.join(dir, 'postgres.json');
  const pgName = `lightbox_bench_${key.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  const instances = scale.studies * scale.instancesPerStudy;
  const result: IndexBuild = { cacheDir: dir, cached: {}, instances, sqliteUrl: `sqlite:${sqliteFile}` };

  const needSqlite =
    options.rebuild || readStamp(sqliteStampFile)?.instances !== instances || !existsSync(sqliteFile);
  let needPostgres = false;
  if (postgresAdminUrl !== undefined) {
    result.postgresUrl = databaseUrl(postgresAdminUrl, pgName);
    const stamp = readStamp(postgresStampFile);
    needPostgres =
      options.rebuild ||
      stamp?.instances !== instances ||
      !(await postgresDatabaseExists(postgresAdminUrl, pgName));
  }
  result.cached = {
    sqlite: !needSqlite,
    ...(postgresAdminUrl !== undefined ? { postgres: !needPostgres } : {}),
  };
  if (!needSqlite && !needPostgres) return result;

  const engines = [needSqlite ? 'SQLite' : '', needPostgres ? 'PostgreSQL' : '']
    .filter(Boolean)
    .join(' and ');
  log(`building the synthetic index (${scale.studies} studies, ${instances} instances) on ${engines} …`);
  let sqlite: SqliteWriter | undefined;
  let postgres: PostgresWriter | undefined;
  if (needSqlite) {
    rmSync(sqliteStampFile, { force: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(sqliteFile + suffix, { force: true });
    await (await openDatabase(`sqlite:${sqliteFile}`)).close();
    sqlite = new SqliteWriter(sqliteFile);
  }
  if (needPostgres) {
    rmSync(postgresStampFile, { force: true });
    await scratchPostgres(postgresAdminUrl!, pgName, { replace: true });
    await (await openDatabase(result.postgresUrl!)).close();
    postgres = await PostgresWriter.open(result.postgresUrl!);
  }
  const started = performance.now();
  const pool = new RowsPool(Math.max(1, availableParallelism()));
  const batches: Array<[number, number]> = [];
  for (let from = 0; from < scale.studies; from += BATCH_STUDIES)
    batches.push([from, Math.min(scale.studies, from + BATCH_STUDIES)]);
  // Workers turn studies into rows (instanceRecord is the costly part); this thread writes them in
  // order, SQLite synchronously, PostgreSQL while the next batch is written to SQLite.
  const inFlight = batches.slice(0, pool.size * 2).map(([from, to]) => pool.rows(scale, from, to));
  let pending: Promise<void> = Promise.resolve();
  let lastLog = started;
  let micros = 0;
  try {
    for (let b = 0; b < batches.length; b++) {
      const next = batches[b + pool.size * 2];
      if (next !== undefined) inFlight.push(pool.rows(scale, next[0], next[1]));
      const { rows, micros: batchMicros } = await inFlight[b]!;
      inFlight[b] = undefined!;
      micros += batchMicros;
      sqlite?.write(rows);
      await pending;
      if (postgres !== undefined) pending = postgres.write(rows);
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        const done = batches[b]![1];
        const rate = (done * scale.instancesPerStudy) / ((lastLog - started) / 1000);
        log(`  … ${done} of ${scale.studies} studies (${Math.round(rate)} instances/s)`);
      }
    }
  } finally {
    await pool.close();
  }
  await pending;
  sqlite?.close();
  await postgres?.close();
  const seconds = (performance.now() - started) / 1000;
  const stamp = (database?: string): Stamp => ({
    generator: GENERATOR_VERSION,
    studies: scale.studies,
    instances,
    ...(database !== undefined ? { database } : {}),
    builtAt: new Date().toISOString(),
    buildSeconds: seconds,
  });
  if (needSqlite) writeFileSync(sqliteStampFile, JSON.stringify(stamp(), null, 2));
  if (needPostgres) writeFileSync(postgresStampFile, JSON.stringify(stamp(pgName), null, 2));
  result.buildSeconds = seconds;
  result.recordMicros = micros / instances;
  log(
    `  built in ${seconds.toFixed(0)} s (instanceRecord: ${result.recordMicros.toFixed(0)} µs per instance)`,
  );
  return result;
}

/** Drops the PostgreSQL databases of every cached index under `cacheRoot` and deletes the cache. */
export async function dropIndexCache(cacheRoot: string, postgresAdminUrl: string | undefined): Promise<void> {
  if (postgresAdminUrl !== undefined) {
    const client = new pg.Client({ connectionString: postgresAdminUrl });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'lightbox\\_bench\\_index\\_%'`,
    );
    for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await client.end();
  }
  rmSync(cacheRoot, { recursive: true, force: true });
}

/** Throughput of the honest path: `beginWrite` + `commitInstance` per instance, as STOW does. */
export interface CommitRate {
  instances: number;
  seconds: number;
  perSecond: number;
}

/**
 * Measures what indexing costs per stored instance through the real IndexStore (`beginWrite` then
 * `commitInstance`, durable settings as the server opens them), on a fresh database, records prepared
 * beforehand so that only the index work is timed.
 */
export async function measureCommitRate(
  url: string,
  scale: ArchiveScale,
  studies: number,
): Promise<CommitRate> {
  const database = await openDatabase(url);
  const store = new KyselyIndexStore(database);
  const records: InstanceRecord[] = [];
  for (let i = 0; i < studies; i++) {
    for (let k = 0; k < scale.instancesPerStudy; k++) {
      const object = syntheticParsedObject(syntheticInstance(scale, i, k));
      records.push(instanceRecord(object, fakeBlob(i * scale.instancesPerStudy + k)));
    }
  }
  const started = performance.now();
  for (const record of records) {
    await store.beginWrite(record.blob.key);
    await store.commitInstance(record, 'keep-existing');
  }
  const seconds = (performance.now() - started) / 1000;
  await database.close();
  return { instances: records.length, seconds, perSecond: records.length / seconds };
}

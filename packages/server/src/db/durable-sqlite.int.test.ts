import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSync } from '../shared/file-sync.js';
import { DurableSqliteDialect, IndexDurabilityLost, type StatementSource } from './durable-sqlite.js';
import { GroupCommit } from './group-commit.js';
import { openDatabase } from './open-database.js';
import type { Tables } from './tables.js';

describe('SQLite commits synced off the event loop', () => {
  let dir: string;
  let sqlite: SqliteDatabase.Database;
  let wal: FileSync;
  let db: Kysely<Tables>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lightbox-durable-sqlite-'));
    const file = path.join(dir, 'index.db');
    sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.exec('CREATE TABLE message (id TEXT PRIMARY KEY)');
    wal = new FileSync(`${file}-wal`, 'data');
    // better-sqlite3's own prepare is a statement source (the server passes its statement cache).
    const statements = sqlite as unknown as StatementSource;
    db = new Kysely<Tables>({ dialect: new DurableSqliteDialect(sqlite, statements, undefined, wal) });
  });

  afterEach(async () => {
    await db.destroy();
    await wal.close(); // also when the test used the WAL but never the database
    await rm(dir, { recursive: true, force: true });
  });

  const insert = (id: string) => sql`INSERT INTO message (id) VALUES (${id})`;
  const count = async () =>
    (await sql<{ n: number }>`SELECT count(*) AS n FROM message`.execute(db)).rows[0]!.n;

  it('syncs the WAL once per commit that wrote, before the commit returns', async () => {
    await insert('a').execute(db);
    expect(wal.syncCount).toBe(1);
    await count();
    expect(wal.syncCount).toBe(1);

    await db.transaction().execute(async (trx) => {
      await insert('b').execute(trx);
      await insert('c').execute(trx);
      expect(wal.syncCount).toBe(1); // not per statement
    });
    expect(wal.syncCount).toBe(2);

    await db.transaction().execute(async (trx) => {
      await sql`SELECT id FROM message`.execute(trx);
    });
    expect(wal.syncCount).toBe(2); // a transaction that only read has nothing to sync

    const returned = await sql<{ id: string }>`INSERT INTO message (id) VALUES ('d') RETURNING id`.execute(
      db,
    );
    expect(returned.rows).toEqual([{ id: 'd' }]);
    expect(wal.syncCount).toBe(3);
    expect(await count()).toBe(4);
  });

  it('syncs after a transaction that failed half-way, and keeps nothing of it', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await insert('x').execute(trx);
        await insert('x').execute(trx); // primary key violation
      }),
    ).rejects.toThrow();
    expect(await count()).toBe(0);
    expect(wal.syncCount).toBe(1); // the rolled-back transaction wrote: one sync, harmless
    await insert('y').execute(db);
    expect(await count()).toBe(1);
    expect(wal.syncCount).toBe(2);
  });

  it('shares one sync among callers that arrive while one runs', async () => {
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    await Promise.all([first, second, third]);
    expect(wal.syncCount).toBe(2);
  });

  it('syncs the commits of a group commit once for the whole group', async () => {
    const group = new GroupCommit(db);
    await Promise.all(['p', 'q', 'r'].map((id) => group.run((trx) => insert(id).execute(trx))));
    expect(wal.syncCount).toBe(1);
    expect(await count()).toBe(3);
  });
});

describe('SQLite commits whose WAL cannot be synced', () => {
  it('refuses every statement once a sync has failed: nothing is built on a commit that may be lost', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-durable-lost-'));
    const sqlite = new SqliteDatabase(path.join(dir, 'index.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.exec('CREATE TABLE message (id TEXT PRIMARY KEY)');
    // A WAL that cannot be opened for syncing: the sync fails as an I/O error would.
    const unreachable = new FileSync(path.join(dir, 'missing', 'index.db-wal'), 'data');
    const dialect = new DurableSqliteDialect(
      sqlite,
      sqlite as unknown as StatementSource,
      undefined,
      unreachable,
    );
    const db = new Kysely<Tables>({ dialect });
    try {
      expect(dialect.durable).toBe(true);
      await expect(sql`INSERT INTO message (id) VALUES ('a')`.execute(db)).rejects.toBeInstanceOf(
        IndexDurabilityLost,
      );
      await expect(sql`SELECT id FROM message`.execute(db)).rejects.toBeInstanceOf(IndexDurabilityLost);
      await expect(sql`INSERT INTO message (id) VALUES ('b')`.execute(db)).rejects.toBeInstanceOf(
        IndexDurabilityLost,
      );
      expect(dialect.durable).toBe(false); // what the health check reports (not ready)
    } finally {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('syncs the WAL next to the real file when the database is opened through a symbolic link', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-durable-link-'));
    try {
      await mkdir(path.join(dir, 'real'));
      await symlink(path.join(dir, 'real', 'index.db'), path.join(dir, 'index.db'));
      const sqlite = new SqliteDatabase(path.join(dir, 'index.db'));
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.exec('CREATE TABLE message (id TEXT PRIMARY KEY)');
      const db = new Kysely<Tables>({
        dialect: new DurableSqliteDialect(sqlite, sqlite as unknown as StatementSource),
      });
      try {
        // With the WAL looked for next to the link (index.db-wal in `dir`), this sync would fail.
        await sql`INSERT INTO message (id) VALUES ('a')`.execute(db);
        expect((await sql<{ id: string }>`SELECT id FROM message`.execute(db)).rows).toEqual([{ id: 'a' }]);
      } finally {
        await db.destroy();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the index database on SQLite', () => {
  it('runs in WAL mode with NORMAL synchronous, the WAL synced by the dialect', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-durable-index-'));
    try {
      const database = await openDatabase(`sqlite:${path.join(dir, 'index.db')}`);
      try {
        const pragma = async (name: string) =>
          (await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(database.db)).rows[0];
        expect(await pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
        expect(await pragma('synchronous')).toEqual({ synchronous: 1 }); // NORMAL
      } finally {
        await database.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

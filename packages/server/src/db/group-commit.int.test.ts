import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';
import type { Tables } from './tables.js';

describe('group commit on SQLite', () => {
  let dir: string;
  let sqlite: SqliteDatabase.Database;
  let db: Kysely<Tables>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lightbox-group-commit-'));
    sqlite = new SqliteDatabase(path.join(dir, 'index.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.exec('CREATE TABLE message (id TEXT PRIMARY KEY)');
    // The schema here is the test's own: Tables is only the type the class is written against.
    db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  });

  afterEach(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const insert = (id: string) => (trx: Kysely<Tables>) =>
    sql`INSERT INTO message (id) VALUES (${id})`.execute(trx);
  const stored = async () =>
    (await sql<{ id: string }>`SELECT id FROM message ORDER BY id`.execute(db)).rows.map((r) => r.id);
  /** What another connection sees: only committed rows. */
  const committed = () => {
    const other = new SqliteDatabase(path.join(dir, 'index.db'), { readonly: true });
    try {
      return (other.prepare('SELECT id FROM message ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    } finally {
      other.close();
    }
  };

  it('commits units that arrive together once; a failing unit rolls back alone', async () => {
    const group = new GroupCommit(db);
    let seen: { inGroup: string[]; elsewhere: string[] } | undefined;
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      group.run(async (trx) => {
        await insert('b')(trx);
        throw new Error('refused after writing');
      }),
      group.run(insert('c')),
      // A duplicate key fails at the database, inside its savepoint.
      group.run(insert('a')),
      group.run(async (trx) => {
        await insert('d')(trx);
        // One transaction: the group's earlier units are visible here, and not yet to anyone else.
        const rows = await sql<{ id: string }>`SELECT id FROM message ORDER BY id`.execute(trx);
        seen = { inGroup: rows.rows.map((r) => r.id), elsewhere: committed() };
        return 'done';
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused after writing' });
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect((outcomes[4] as PromiseFulfilledResult<string>).value).toBe('done');
    expect(await stored()).toEqual(['a', 'c', 'd']);
    expect(committed()).toEqual(['a', 'c', 'd']);
    expect(seen).toEqual({ inGroup: ['a', 'c', 'd'], elsewhere: [] });
  });

  it('settles a unit only once it is committed, and runs units that come later in the next group', async () => {
    const group = new GroupCommit(db);
    let yCommitted: string[] = [];
    const first = group.run(async (trx) => {
      await insert('x')(trx);
      // Arrives while the group is being written: waits for the next one.
      void group.run(insert('y')).then(() => (yCommitted = committed()));
    });
    await first;
    expect(committed()).toContain('x');
    await expect.poll(() => yCommitted).toEqual(['x', 'y']);
  });

  it('fails every unit of a group whose commit fails', async () => {
    const group = new GroupCommit(db);
    sqlite.exec('CREATE TABLE parent (id TEXT PRIMARY KEY); PRAGMA foreign_keys = ON;');
    sqlite.exec('CREATE TABLE child (parent TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const outcomes = await Promise.allSettled([
      group.run(insert('p')),
      // A deferred foreign key is checked at COMMIT: the whole group's commit fails.
      group.run((trx) => sql`INSERT INTO child (parent) VALUES ('missing')`.execute(trx)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await stored()).toEqual([]);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './open-database.js';

const OPEN_DATABASE = fileURLToPath(new URL('../../dist/db/open-database.js', import.meta.url));

describe('WAL checkpoints on a thread of their own', () => {
  let dir: string;
  let file: string;
  let database: Database;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lightbox-checkpoint-'));
    file = path.join(dir, 'index.db');
    database = await openDatabase(`sqlite:${file}`);
  });
  afterEach(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves commits free of checkpoints, and copies the WAL into the database behind them', async () => {
    const { db } = database;
    await sql`CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)`.execute(db);
    const before = (await stat(file)).size;
    // ~8 MB in 200 commits: past SQLite's 1 000-page automatic checkpoint several times over.
    const body = 'x'.repeat(40_000);
    for (let i = 0; i < 200; i++) await sql`INSERT INTO filler (body) VALUES (${body})`.execute(db);
    // The main connection does not checkpoint itself; the thread does, within a few of its rounds.
    const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(db);
    expect(autocheckpoint.rows[0]!.wal_autocheckpoint).toBe(0);
    // Only a checkpoint writes pages into the database file itself.
    let size = before;
    for (let i = 0; i < 50 && size < before + 7_000_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      size = (await stat(file)).size;
    }
    expect(size).toBeGreaterThan(before + 7_000_000);
  });

  it('keeps the WAL bounded under a steady stream of commits (the log starts over)', async () => {
    const { db } = database;
    await sql`CREATE TABLE stream (id INTEGER PRIMARY KEY, body BLOB)`.execute(db);
    const body = Buffer.alloc(2000);
    const until = Date.now() + 4000;
    let commits = 0;
    while (Date.now() < until) {
      await sql`INSERT INTO stream (body) VALUES (${body})`.execute(db);
      commits++;
    }
    // Every commit wrote a page or two: without the log starting over, the WAL would hold them all.
    const wal = (await stat(`${file}-wal`)).size;
    expect(commits).toBeGreaterThan(2000);
    expect(wal, `${commits} commits`).toBeLessThan(32_000_000);
  });

  it('ends its thread when the database closes, and the data is all there on reopening', async () => {
    const { db } = database;
    await sql`CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)`.execute(db);
    for (let i = 0; i < 50; i++) await sql`INSERT INTO note (text) VALUES (${`note ${i}`})`.execute(db);
    await database.close();
    database = await openDatabase(`sqlite:${file}`);
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM note`.execute(database.db);
    expect(rows.rows[0]!.n).toBe(50);
  });

  it('lets a process that closes the database go on (a command line tool), not exit on the spot', () => {
    // The built module, as `lightbox import` and the bench run it: awaiting close() must keep the
    // process alive until the thread has ended, whatever else is pending.
    const script = [
      `const { openDatabase } = await import(${JSON.stringify(OPEN_DATABASE)});`,
      `const database = await openDatabase(${JSON.stringify(`sqlite:${path.join(dir, 'tool.db')}`)});`,
      'await database.close();',
      "console.log('went on');",
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('went on');
  });
});

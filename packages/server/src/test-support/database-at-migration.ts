import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { indexMigrations, openDatabase, type Database } from '../db/open-database.js';
import type { Tables } from '../db/tables.js';
import { createTestDatabase, type TestDialect } from './test-databases.js';

/**
 * A test database migrated only up to the migration before `migration` (an archive written by an older
 * Lightbox), open through Kysely for filling in old rows; `openDatabase(url)` then runs the rest.
 */
export async function databaseAtMigration(
  dialect: TestDialect,
  dir: string,
  migration: string,
): Promise<{ old: Kysely<Tables>; url: string; drop: () => Promise<void> }> {
  const migrations = Object.fromEntries(
    Object.entries(indexMigrations(dialect)).filter(([name]) => name < migration),
  );
  const created = await createTestDatabase(dialect, dir);
  const old = new Kysely<Tables>({
    dialect:
      dialect === 'sqlite'
        ? new SqliteDialect({ database: new SqliteDatabase(created.url.slice('sqlite:'.length)) })
        : new PostgresDialect({ pool: new pg.Pool({ connectionString: created.url }) }),
  });
  const migrator = new Migrator({
    db: old,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'lightbox_migration',
    migrationLockTableName: 'lightbox_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return { old, url: created.url, drop: created.drop };
}

/**
 * An archive written by an older Lightbox and opened by this one: a database in a temporary directory
 * migrated up to the migration before `migration`, filled by `fill`, then opened (running the rest).
 * `close` closes it and removes it all.
 */
export async function upgradedDatabase(
  dialect: TestDialect,
  migration: string,
  fill: (old: Kysely<Tables>) => Promise<void>,
): Promise<{ database: Database; close: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-migration-'));
  const created = await databaseAtMigration(dialect, dir, migration);
  try {
    await fill(created.old);
  } finally {
    await created.old.destroy();
  }
  const database = await openDatabase(created.url);
  return {
    database,
    close: async () => {
      await database.close();
      await created.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

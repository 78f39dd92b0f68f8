import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Every integration test that touches the index runs on both engines (DESIGN §2). */
export const DIALECTS = ['sqlite', 'postgres'] as const;

/** One of {@link DIALECTS}. */
export type TestDialect = (typeof DIALECTS)[number];

/** The PostgreSQL server of the tests, provided by scripts/provide-test-peers.sh (`npm test`). */
export function testPostgresUrl(): string {
  const url = process.env.LIGHTBOX_TEST_POSTGRES_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'LIGHTBOX_TEST_POSTGRES_URL is not set: run the tests with `npm test`, which starts PostgreSQL',
    );
  }
  return url;
}

/** A database of its own for one test file: a SQLite file in `dir`, or a fresh PostgreSQL database. */
export async function createTestDatabase(
  dialect: TestDialect,
  dir: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') return { url: `sqlite:${dir}/lightbox.db`, drop: async () => {} };
  const admin = testPostgresUrl();
  const name = `lightbox_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

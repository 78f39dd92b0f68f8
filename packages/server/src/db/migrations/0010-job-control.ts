import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Jobs that can be cancelled, and leases (issue #3 §3): a running job holds a lease its node renews; a job
 * whose lease ran out (its node crashed) is taken up again by another node.
 */
export function jobControlMigration(dialect: SqlDialect): Migration {
  const millis = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('job')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('job').addColumn('lease_until', millis).execute();
      await sql`UPDATE job SET lease_until = updated_at + 60000 WHERE state = 'running'`.execute(db);
    },
  };
}

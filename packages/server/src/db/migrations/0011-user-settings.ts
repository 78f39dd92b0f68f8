import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Per-user settings (issue #5 §1): one JSON document per user, kept by the server so that it follows the
 * user to any workstation. Users are disabled rather than deleted; the cascade only keeps a deletion made
 * by hand from failing on this table.
 */
export function userSettingsMigration(dialect: SqlDialect): Migration {
  const postgres = dialect === 'postgres';
  const millis = postgres ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('user_settings')
        .addColumn('user_pk', postgres ? 'bigint' : 'integer', (c) =>
          c.primaryKey().references('app_user.pk').onDelete('cascade'),
        )
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
    },
  };
}

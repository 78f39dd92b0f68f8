import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Settings the administrator keeps for the whole department, one JSON document per name (the first:
 * `hanging-protocols`, the viewer's protocols for everyone). `version` counts the writes, so that a
 * writer can replace a document only if it is still the one it read (the API's ETag / If-Match).
 */
export function departmentSettingsMigration(dialect: SqlDialect): Migration {
  const millis = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('department_setting')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
    },
  };
}

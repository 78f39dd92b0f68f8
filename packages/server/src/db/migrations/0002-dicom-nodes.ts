import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Remote DICOM nodes registered through the API (issue #3; nodes of the config file are not stored). */
export function dicomNodesMigration(dialect: SqlDialect): Migration {
  const millis = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('dicom_node')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('ae_title', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('tls', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dicom_node_ae_title').on('dicom_node').column('ae_title').execute();
    },
  };
}

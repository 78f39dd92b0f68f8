import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The department's modality stations (issue #6 §1): the calendar's columns, and the AE titles that may
 * ask for the worklist and report MPPS without being registered as DICOM nodes.
 */
export function modalityStationsMigration(dialect: SqlDialect): Migration {
  const millis = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('modality_station')
        .addColumn('ae_title', 'text', (c) => c.primaryKey())
        .addColumn('station_name', 'text')
        .addColumn('location', 'text')
        .addColumn('modality', 'text')
        .addColumn('description', 'text')
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
    },
  };
}

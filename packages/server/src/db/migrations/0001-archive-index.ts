import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The archive index: patients, studies, series, instances, pending blobs and users (issue #2). */
export function archiveIndexMigration(dialect: SqlDialect): Migration {
  const postgres = dialect === 'postgres';
  // PostgreSQL: identity keys and byte-wise ("C") collation, so that LIKE 'ABC%' and range scans on
  // matching columns use the ordinary b-tree index. SQLite compares text byte-wise already.
  const pkType = postgres ? 'bigserial' : 'integer';
  const pk = (c: ColumnDefinitionBuilder) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement());
  const fk = postgres ? 'bigint' : 'integer';
  const millis = postgres ? 'bigint' : 'integer';
  const text = (c: ColumnDefinitionBuilder) => (postgres ? c.modifyEnd(sql`collate "C"`) : c);
  const textNotNull = (c: ColumnDefinitionBuilder) => text(c).notNull();

  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('patient')
        .addColumn('pk', pkType, pk)
        .addColumn('patient_key', 'text', (c) => textNotNull(c).unique())
        .addColumn('patient_id', 'text', textNotNull)
        .addColumn('issuer_of_patient_id', 'text', textNotNull)
        .addColumn('patient_name', 'text')
        .addColumn('patient_name_search', 'text', text)
        .addColumn('patient_name_fuzzy', 'text', text)
        .addColumn('patient_birth_date', 'text', text)
        .addColumn('patient_sex', 'text', text)
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('merged_into_pk', fk, (c) => c.references('patient.pk'))
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('patient_id_idx').on('patient').column('patient_id').execute();
      await db.schema.createIndex('patient_name_idx').on('patient').column('patient_name_search').execute();

      await db.schema
        .createTable('patient_merge')
        .addColumn('pk', pkType, pk)
        .addColumn('source_pk', fk, (c) => c.notNull().references('patient.pk'))
        .addColumn('target_pk', fk, (c) => c.notNull().references('patient.pk'))
        .addColumn('merged_at', millis, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .execute();

      await db.schema
        .createTable('study')
        .addColumn('pk', pkType, pk)
        .addColumn('patient_pk', fk, (c) => c.notNull().references('patient.pk'))
        .addColumn('study_instance_uid', 'text', (c) => textNotNull(c).unique())
        .addColumn('study_date', 'text', text)
        .addColumn('study_time', 'text', text)
        .addColumn('accession_number', 'text', text)
        .addColumn('study_id', 'text', text)
        .addColumn('study_description', 'text', text)
        .addColumn('referring_physician_name', 'text')
        .addColumn('referring_physician_name_search', 'text', text)
        .addColumn('referring_physician_name_fuzzy', 'text', text)
        .addColumn('modalities_in_study', 'text', textNotNull)
        .addColumn('sop_classes_in_study', 'text', textNotNull)
        .addColumn('number_of_series', 'integer', (c) => c.notNull())
        .addColumn('number_of_instances', 'integer', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('study_patient_idx').on('study').column('patient_pk').execute();
      // The study list's order (newest first, undated last). PostgreSQL needs the directions and NULLS
      // LAST in the index to walk it instead of sorting every study; SQLite walks its index backwards
      // and already sorts NULLs first ascending, i.e. last descending.
      if (postgres) {
        await sql`CREATE INDEX study_date_idx ON study (study_date DESC NULLS LAST, study_time DESC NULLS LAST, pk DESC)`.execute(
          db,
        );
      } else {
        await db.schema
          .createIndex('study_date_idx')
          .on('study')
          .columns(['study_date', 'study_time', 'pk'])
          .execute();
      }
      await db.schema.createIndex('study_accession_idx').on('study').column('accession_number').execute();

      await db.schema
        .createTable('series')
        .addColumn('pk', pkType, pk)
        .addColumn('study_pk', fk, (c) => c.notNull().references('study.pk'))
        .addColumn('series_instance_uid', 'text', (c) => textNotNull(c).unique())
        .addColumn('modality', 'text', text)
        .addColumn('series_number', 'integer')
        .addColumn('series_description', 'text', text)
        .addColumn('performed_procedure_step_start_date', 'text', text)
        .addColumn('performed_procedure_step_start_time', 'text', text)
        .addColumn('body_part_examined', 'text', text)
        .addColumn('number_of_instances', 'integer', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('series_study_idx')
        .on('series')
        .columns(['study_pk', 'series_number'])
        .execute();
      await db.schema.createIndex('series_modality_idx').on('series').column('modality').execute();

      await db.schema
        .createTable('instance')
        .addColumn('pk', pkType, pk)
        .addColumn('series_pk', fk, (c) => c.notNull().references('series.pk'))
        .addColumn('study_pk', fk, (c) => c.notNull().references('study.pk'))
        .addColumn('sop_instance_uid', 'text', (c) => textNotNull(c).unique())
        .addColumn('sop_class_uid', 'text', textNotNull)
        .addColumn('instance_number', 'integer')
        .addColumn('rows', 'integer')
        .addColumn('columns', 'integer')
        .addColumn('bits_allocated', 'integer')
        .addColumn('number_of_frames', 'integer')
        .addColumn('transfer_syntax_uid', 'text', (c) => c.notNull())
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('size', millis, (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('frame_index', 'text')
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('instance_series_idx')
        .on('instance')
        .columns(['series_pk', 'instance_number'])
        .execute();
      await db.schema.createIndex('instance_study_idx').on('instance').column('study_pk').execute();

      await db.schema
        .createTable('pending_blob')
        .addColumn('blob_key', 'text', (c) => c.primaryKey())
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('app_user')
        .addColumn('pk', pkType, pk)
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
    },
  };
}

import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The RIS (issue #6): procedure catalog, orders, scheduled procedure steps, performed procedure steps
 * (MPPS), the exam status history, and every HL7 message in and out.
 */
export function risMigration(dialect: SqlDialect): Migration {
  const postgres = dialect === 'postgres';
  const millis = postgres ? 'bigint' : 'integer';
  const pkType = postgres ? 'bigserial' : 'integer';
  const fkType = postgres ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('procedure_type')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('coding_scheme', 'text', (c) => c.notNull())
        .addColumn('meaning', 'text', (c) => c.notNull())
        .addColumn('modality', 'text')
        .addColumn('duration_minutes', 'integer', (c) => c.notNull().defaultTo(30))
        .addColumn('station_ae', 'text')
        .addColumn('station_name', 'text')
        .addColumn('location', 'text')
        .addColumn('auto_schedule', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('protocol_notes', 'text')
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('imaging_order')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('patient_pk', fkType, (c) => c.notNull().references('patient.pk'))
        .addColumn('accession_number', 'text', (c) => c.notNull().unique())
        .addColumn('placer_order_number', 'text')
        .addColumn('placer_issuer', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('filler_order_number', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('procedure_code', 'text')
        .addColumn('procedure_scheme', 'text')
        .addColumn('procedure_description', 'text')
        .addColumn('modality', 'text')
        .addColumn('requested_date', 'text')
        .addColumn('requested_time', 'text')
        .addColumn('ordering_provider', 'text')
        .addColumn('referring_physician', 'text')
        .addColumn('referring_provider_id', 'text')
        .addColumn('patient_location', 'text')
        .addColumn('admission_id', 'text')
        .addColumn('study_instance_uid', 'text', (c) => c.notNull().unique())
        .addColumn('requested_procedure_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('imaging_order_patient_idx')
        .on('imaging_order')
        .column('patient_pk')
        .execute();
      await db.schema
        .createIndex('imaging_order_placer_idx')
        .on('imaging_order')
        .columns(['placer_order_number', 'placer_issuer'])
        .execute();
      await db.schema.createIndex('imaging_order_status_idx').on('imaging_order').column('status').execute();

      await db.schema
        .createTable('procedure_step')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('order_pk', fkType, (c) => c.notNull().references('imaging_order.pk'))
        .addColumn('step_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('station_ae', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('station_name', 'text')
        .addColumn('location', 'text')
        .addColumn('modality', 'text')
        .addColumn('start_date', 'text')
        .addColumn('start_time', 'text')
        .addColumn('duration_minutes', 'integer', (c) => c.notNull())
        .addColumn('performing_physician', 'text')
        .addColumn('description', 'text')
        .addColumn('protocol_code', 'text')
        .addColumn('protocol_scheme', 'text')
        .addColumn('protocol_meaning', 'text')
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('procedure_step_order_idx')
        .on('procedure_step')
        .column('order_pk')
        .execute();
      await db.schema
        .createIndex('procedure_step_worklist_idx')
        .on('procedure_step')
        .columns(['start_date', 'modality', 'station_ae'])
        .execute();

      await db.schema
        .createTable('performed_step')
        .addColumn('sop_instance_uid', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('order_pk', fkType, (c) => c.references('imaging_order.pk'))
        .addColumn('station_ae', 'text', (c) => c.notNull())
        .addColumn('study_instance_uid', 'text')
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('performed_step_order_idx')
        .on('performed_step')
        .column('order_pk')
        .execute();

      await db.schema
        .createTable('exam_event')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('order_pk', fkType, (c) => c.notNull().references('imaging_order.pk'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('occurred_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('exam_event_order_idx').on('exam_event').column('order_pk').execute();

      await db.schema
        .createTable('reconciliation_exception')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('study_instance_uid', 'text', (c) => c.notNull().unique())
        .addColumn('accession_number', 'text')
        .addColumn('order_pk', fkType, (c) => c.references('imaging_order.pk'))
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('resolution', 'text')
        .addColumn('resolved_by', 'text')
        .addColumn('resolved_at', millis)
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('reconciliation_exception_state_idx')
        .on('reconciliation_exception')
        .column('state')
        .execute();

      // The values a correction replaced in the index, per study: what the modality sent (DICOM JSON),
      // for Original Attributes Sequence when objects leave (DESIGN §2).
      await db.schema
        .createTable('study_correction')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('study_instance_uid', 'text', (c) => c.notNull())
        .addColumn('original', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('corrected_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('study_correction_study_idx')
        .on('study_correction')
        .column('study_instance_uid')
        .execute();

      await db.schema
        .createTable('hl7_message')
        .addColumn('pk', pkType, (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('peer', 'text', (c) => c.notNull())
        .addColumn('message_type', 'text', (c) => c.notNull())
        .addColumn('control_id', 'text', (c) => c.notNull())
        .addColumn('sending_application', 'text', (c) => c.notNull())
        .addColumn('sending_facility', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('ack_code', 'text')
        .addColumn('ack', 'text')
        .addColumn('detail', 'text')
        .addColumn('dedupe_key', 'text', (c) => c.unique())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', millis)
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('updated_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('hl7_message_state_idx')
        .on('hl7_message')
        .columns(['direction', 'state', 'next_attempt_at'])
        .execute();
      await db.schema.createIndex('hl7_message_created_idx').on('hl7_message').column('created_at').execute();
    },
  };
}

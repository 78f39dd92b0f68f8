import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Keys a study is found by for study-level access (issue #4 §2): its referring providers' identifiers,
 * so that a referring physician's study list is an index lookup instead of reading every study's JSON.
 * Backfilled from the stored study attributes.
 */
export function studyAccessKeysMigration(dialect: SqlDialect): Migration {
  const postgres = dialect === 'postgres';
  return {
    async up(db: AnyDb) {
      let table = db.schema
        .createTable('study_access_key')
        .addColumn('study_pk', postgres ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => (postgres ? c.modifyEnd(sql`collate "C"`) : c).notNull())
        .addPrimaryKeyConstraint('study_access_key_pk', ['kind', 'value', 'study_pk']);
      if (!postgres) table = table.modifyEnd(sql`WITHOUT ROWID`);
      await table.execute();
      await db.schema
        .createIndex('study_access_key_study_idx')
        .on('study_access_key')
        .column('study_pk')
        .execute();
      // (0008,0096) → (0040,1101) → (0008,0100) of each study's stored attributes.
      if (postgres) {
        await sql`INSERT INTO study_access_key (study_pk, kind, value)
          SELECT DISTINCT s.pk, 'provider', btrim(code.x -> '00080100' -> 'Value' ->> 0)
          FROM study s,
            jsonb_array_elements(COALESCE((s.attributes)::jsonb -> '00080096' -> 'Value', '[]'::jsonb)) AS person(x),
            jsonb_array_elements(COALESCE(person.x -> '00401101' -> 'Value', '[]'::jsonb)) AS code(x)
          WHERE btrim(code.x -> '00080100' -> 'Value' ->> 0) <> ''`.execute(db);
      } else {
        await sql`INSERT INTO study_access_key (study_pk, kind, value)
          SELECT DISTINCT s.pk, 'provider', trim(json_extract(code.value, '$."00080100".Value[0]'))
          FROM study s, json_each(s.attributes, '$."00080096".Value') AS person,
            json_each(person.value, '$."00401101".Value') AS code
          WHERE trim(json_extract(code.value, '$."00080100".Value[0]')) <> ''`.execute(db);
      }
    },
  };
}

import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * One row per phonetic key of a person name (PatientName of a patient, ReferringPhysicianName of a
 * study), so that fuzzy matching looks keys up in an index instead of scanning a column of keys for a
 * substring. The `*_fuzzy` columns stay and are still written (the keys are made from that form, here and
 * at ingest); queries no longer read them.
 */
export function personNameKeysMigration(dialect: SqlDialect): Migration {
  const postgres = dialect === 'postgres';
  const fk = postgres ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      let table = db.schema
        .createTable('person_name_key')
        .addColumn('tag', 'integer', (c) => c.notNull())
        .addColumn('owner_pk', fk, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => (postgres ? c.modifyEnd(sql`collate "C"`) : c).notNull())
        // The lookup order: all owners of one key of one name attribute, from the index alone.
        .addPrimaryKeyConstraint('person_name_key_pk', ['tag', 'name_key', 'owner_pk']);
      // On SQLite the primary key is then the table itself, not a second copy of every row.
      if (!postgres) table = table.modifyEnd(sql`WITHOUT ROWID`);
      await table.execute();
      // Replacing or deleting the keys of one owner.
      await db.schema
        .createIndex('person_name_key_owner_idx')
        .on('person_name_key')
        .columns(['tag', 'owner_pk'])
        .execute();

      // The exact arm of a fuzzy ReferringPhysicianName match is looked up in the same set of study keys
      // as the phonetic one (run-archive-query.ts): without this index that set means reading every study.
      await db.schema
        .createIndex('study_referring_name_idx')
        .on('study')
        .column('referring_physician_name_search')
        .execute();

      // Backfill from the space-padded " KEY1 KEY2 " columns, so that an existing archive keeps matching.
      for (const [tag, owner, column] of [
        [0x00100010, 'patient', 'patient_name_fuzzy'],
        [0x00080090, 'study', 'referring_physician_name_fuzzy'],
      ] as const) {
        const source = sql.table(owner);
        const fuzzy = sql.ref(column);
        if (postgres) {
          await sql`INSERT INTO person_name_key (tag, owner_pk, name_key)
            SELECT DISTINCT ${sql.lit(tag)}, pk, k FROM ${source},
              unnest(string_to_array(btrim(${fuzzy}, ' '), ' ')) AS k
            WHERE k <> ''`.execute(db);
        } else {
          // SQLite has no split function: peel one key off the front per step.
          await sql`WITH RECURSIVE split(pk, k, rest) AS (
              SELECT pk, NULL, ltrim(${fuzzy}, ' ') FROM ${source} WHERE ${fuzzy} IS NOT NULL
              UNION ALL
              SELECT pk, substr(rest, 1, instr(rest || ' ', ' ') - 1), ltrim(substr(rest, instr(rest || ' ', ' ')), ' ')
              FROM split WHERE rest <> ''
            )
            INSERT INTO person_name_key (tag, owner_pk, name_key)
            SELECT DISTINCT ${sql.lit(tag)}, pk, k FROM split WHERE k IS NOT NULL AND k <> ''`.execute(db);
        }
      }
      // Plans for the new lookups from the first query on, not only once autovacuum has analysed the table.
      if (postgres) await sql`ANALYZE person_name_key`.execute(db);
    },
  };
}

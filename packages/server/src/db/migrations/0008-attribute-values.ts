import type { DicomJson } from '@lightbox/dicom';
import { sql, type Kysely, type Migration } from 'kysely';
import { attributeValueKeys, type AttributeValueKey } from '../../index-store/attribute-values.js';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Rows read per step of the backfill, and rows written per INSERT. */
const BATCH = 500;

/**
 * An index of the short text values of attributes without a column of their own, private ones included
 * (`attribute_value (tag, value, study_pk)`, index-store/attribute-values.ts), so that QIDO-RS and C-FIND
 * on such an attribute look up the studies that can match instead of reading every instance's JSON.
 * Backfilled from what is stored: each study's attributes, each series' attributes and each instance's
 * metadata, the same keys that committing them now records.
 */
export function attributeValuesMigration(dialect: SqlDialect): Migration {
  const postgres = dialect === 'postgres';
  return {
    async up(db: AnyDb) {
      let table = db.schema
        .createTable('attribute_value')
        .addColumn('tag', postgres ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('value', 'text', (c) => (postgres ? c.modifyEnd(sql`collate "C"`) : c).notNull())
        .addColumn('study_pk', postgres ? 'bigint' : 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('attribute_value_pk', ['tag', 'value', 'study_pk']);
      if (!postgres) table = table.modifyEnd(sql`WITHOUT ROWID`);
      await table.execute();
      // For removing a study's rows with the study.
      await db.schema
        .createIndex('attribute_value_study_idx')
        .on('attribute_value')
        .column('study_pk')
        .execute();

      const insert = async (rows: Array<AttributeValueKey & { study_pk: number }>) => {
        for (let from = 0; from < rows.length; from += BATCH) {
          await db
            .insertInto('attribute_value')
            .values(rows.slice(from, from + BATCH))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      };
      // Each source in primary key order, a batch at a time: a study's rows are written by study and
      // series creation and by each instance, as commits would have written them.
      const sources = [
        { table: 'study', json: 'attributes', studyPk: 'pk', creates: { study: true, series: false } },
        { table: 'series', json: 'attributes', studyPk: 'study_pk', creates: { study: false, series: true } },
        {
          table: 'instance',
          json: 'metadata',
          studyPk: 'study_pk',
          creates: { study: false, series: false },
        },
      ] as const;
      for (const source of sources) {
        let after = 0;
        for (;;) {
          const batch = (await db
            .selectFrom(source.table)
            .select(['pk', `${source.studyPk} as study_pk`, `${source.json} as json`])
            .where('pk', '>', after)
            .orderBy('pk')
            .limit(BATCH)
            .execute()) as Array<{ pk: number | string; study_pk: number | string; json: string }>;
          if (batch.length === 0) break;
          after = Number(batch.at(-1)!.pk);
          const rows: Array<AttributeValueKey & { study_pk: number }> = [];
          const seen = new Set<string>();
          for (const row of batch) {
            let json: DicomJson;
            try {
              json = JSON.parse(row.json) as DicomJson;
            } catch {
              continue;
            }
            const studyPk = Number(row.study_pk);
            for (const key of attributeValueKeys(json, source.creates)) {
              const id = `${studyPk}\\${key.tag}\\${key.value}`;
              if (seen.has(id)) continue;
              seen.add(id);
              rows.push({ ...key, study_pk: studyPk });
            }
          }
          await insert(rows);
        }
      }
      // Plans for the new lookups from the first query on, not only once autovacuum has analysed the table.
      if (postgres) await sql`ANALYZE attribute_value`.execute(db);
    },
  };
}

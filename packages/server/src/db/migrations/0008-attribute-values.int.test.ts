import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAttributeMatch } from '../../archive/query/attribute-match.js';
import type { ArchiveQuery } from '../../archive/query/archive-query.js';
import { KyselyIndexStore } from '../../index-store/kysely-index-store.js';
import { upgradedDatabase } from '../../test-support/database-at-migration.js';
import { oldPatientRow, oldStudyRow } from '../../test-support/old-index-rows.js';
import { DIALECTS } from '../../test-support/test-databases.js';
import type { Database } from '../open-database.js';

const lo = (value: string | string[]) => ({ vr: 'LO', Value: Array.isArray(value) ? value : [value] });

function query(level: ArchiveQuery['level'], tag: number, value: string): ArchiveQuery {
  return {
    level,
    filters: [{ path: [tag], vr: 'LO', match: parseAttributeMatch('LO', value, 'key') }],
    fuzzy: false,
    includeFields: [],
    limit: 100,
    offset: 0,
  };
}

for (const dialect of DIALECTS) {
  describe(`migration 0008-attribute-values on ${dialect}`, () => {
    let database: Database;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ database, close } = await upgradedDatabase(dialect, '0008-attribute-values', async (old) => {
        await old
          .insertInto('patient')
          .values(oldPatientRow(1, { attributes: JSON.stringify({ '00101000': lo('OTHER-ID') }) }))
          .execute();
        const study = (pk: number, date: string, attributes: object) =>
          oldStudyRow(pk, 1, {
            study_date: date,
            number_of_series: 1,
            number_of_instances: 2,
            attributes: JSON.stringify(attributes),
          });
        await old
          .insertInto('study')
          .values([
            study(10, '20240102', { '001021B0': { vr: 'LT', Value: ['smoker'] } }),
            study(11, '20240101', {}),
          ])
          .execute();
        const series = (pk: number, studyPk: number, institution: string) => ({
          pk,
          study_pk: studyPk,
          series_instance_uid: `1.3.${pk}`,
          modality: 'CT',
          series_number: 1,
          series_description: null,
          performed_procedure_step_start_date: null,
          performed_procedure_step_start_time: null,
          body_part_examined: null,
          number_of_instances: 2,
          attributes: JSON.stringify({
            '00080080': lo(institution),
            '00080060': { vr: 'CS', Value: ['CT'] },
          }),
          created_at: 0,
          updated_at: 0,
        });
        await old
          .insertInto('series')
          .values([series(20, 10, 'General Hospital'), series(21, 11, 'Clinic North')])
          .execute();
        const instance = (pk: number, seriesPk: number, studyPk: number, metadata: object) => ({
          pk,
          series_pk: seriesPk,
          study_pk: studyPk,
          sop_instance_uid: `1.4.${pk}`,
          sop_class_uid: '1.2.840.10008.5.1.4.1.1.2',
          instance_number: pk,
          rows: null,
          columns: null,
          bits_allocated: null,
          number_of_frames: null,
          transfer_syntax_uid: '1.2.840.10008.1.2.1',
          blob_key: `b/${pk}.dcm`,
          size: 1,
          sha256: 'x',
          metadata: JSON.stringify(metadata),
          frame_index: null,
          created_at: 0,
        });
        const metadata = (site: string | string[]) => ({
          '00080018': { vr: 'UI', Value: ['1.4'] },
          '00080080': lo('General Hospital'),
          '00090010': lo('LIGHTBOX TEST'),
          '00091001': lo(site),
          '00091002': { vr: 'IS', Value: [12] },
          '00100020': lo('P1'),
          '00200032': { vr: 'DS', Value: [1, 2, 3] },
        });
        await old
          .insertInto('instance')
          .values([
            instance(30, 20, 10, metadata('SITE01')),
            instance(31, 20, 10, metadata('SITE01')),
            instance(32, 21, 11, metadata(['A', 'SITE02'])),
            instance(33, 21, 11, metadata('SITE01X')),
          ])
          .execute();
      }));
    });
    afterAll(async () => {
      await close?.();
    });

    it('fills the table from the studies, series and instances already stored, and queries use it', async () => {
      const rows = await database.db
        .selectFrom('attribute_value')
        .select(['tag', 'value', 'study_pk'])
        .orderBy('study_pk')
        .orderBy('tag')
        .orderBy('value')
        .execute();
      expect(rows.map((r) => [Number(r.study_pk), Number(r.tag).toString(16), r.value])).toEqual([
        [10, '80080', 'General Hospital'],
        [10, '90010', 'LIGHTBOX TEST'],
        [10, '91001', 'SITE01'],
        [10, '91002', ''],
        [10, '1021b0', 'smoker'],
        [11, '80080', 'Clinic North'],
        [11, '90010', 'LIGHTBOX TEST'],
        [11, '91001', 'A'],
        [11, '91001', 'SITE01X'],
        [11, '91001', 'SITE02'],
        [11, '91002', ''],
      ]);
      const index = new KyselyIndexStore(database);
      const uids = async (q: ArchiveQuery) =>
        (await index.query(q, { kind: 'all' })).map((m) =>
          q.level === 'study' ? m.studyUid : q.level === 'series' ? m.seriesUid : m.sopInstanceUid,
        );
      expect(await uids(query('study', 0x00091001, 'SITE01'))).toEqual(['1.2.10']);
      expect(await uids(query('study', 0x00091001, 'SITE0*'))).toEqual(['1.2.10', '1.2.11']);
      expect(await uids(query('instance', 0x00091001, 'SITE02'))).toEqual(['1.4.32']);
      // InstitutionName is matched at the series level: the instances' values are not what counts.
      expect(await uids(query('study', 0x00080080, 'General Hospital'))).toEqual(['1.2.10']);
      expect(await uids(query('series', 0x00080080, 'Clinic*'))).toEqual(['1.3.21']);
      expect(await uids(query('study', 0x001021b0, 'smo*'))).toEqual(['1.2.10']);
    });
  });
}

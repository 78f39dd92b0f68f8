import { Tag } from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzyNameKeys } from '../../archive/matching/person-name-search.js';
import { parseAttributeMatch } from '../../archive/query/attribute-match.js';
import { KyselyIndexStore } from '../../index-store/kysely-index-store.js';
import { upgradedDatabase } from '../../test-support/database-at-migration.js';
import { oldPatientRow, oldStudyRow } from '../../test-support/old-index-rows.js';
import { DIALECTS } from '../../test-support/test-databases.js';
import type { Database } from '../open-database.js';

for (const dialect of DIALECTS) {
  describe(`migration 0004-person-name-keys on ${dialect}`, () => {
    let database: Database;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ database, close } = await upgradedDatabase(dialect, '0004-person-name-keys', async (old) => {
        const patient = (pk: number, name: string | null) =>
          oldPatientRow(pk, {
            patient_name: name,
            patient_name_fuzzy: name === null ? null : fuzzyNameKeys(name),
          });
        await old
          .insertInto('patient')
          .values([patient(1, 'Müller^Jürgen'), patient(2, null), patient(3, 'Smith^John Paul')])
          .execute();
        const study = (pk: number, patientPk: number, referring: string | null) =>
          oldStudyRow(pk, patientPk, {
            referring_physician_name: referring,
            // An empty fuzzy form (a name without words) has no keys.
            referring_physician_name_fuzzy: referring === null ? null : fuzzyNameKeys(referring),
          });
        await old
          .insertInto('study')
          .values([study(10, 1, 'Meyer^Anna'), study(11, 2, null), study(12, 3, '^')])
          .execute();
      }));
    });
    afterAll(async () => {
      await close?.();
    });

    it('fills the key table from the fuzzy columns of an existing archive', async () => {
      const rows = await database.db
        .selectFrom('person_name_key')
        .select(['tag', 'owner_pk', 'name_key'])
        .orderBy('tag')
        .orderBy('owner_pk')
        .orderBy('name_key')
        .execute();
      const keysOf = (name: string) => fuzzyNameKeys(name).trim().split(' ').sort();
      expect(rows.map((r) => [r.tag, Number(r.owner_pk), r.name_key])).toEqual([
        ...keysOf('Meyer^Anna').map((k) => [Tag.ReferringPhysicianName, 10, k]),
        ...keysOf('Müller^Jürgen').map((k) => [Tag.PatientName, 1, k]),
        ...keysOf('Smith^John Paul').map((k) => [Tag.PatientName, 3, k]),
      ]);
    });

    it('lets fuzzy queries find what was stored before it', async () => {
      const index = new KyselyIndexStore(database);
      const find = async (tag: number, value: string) =>
        (
          await index.query(
            {
              level: 'study',
              filters: [{ path: [tag], vr: 'PN', match: parseAttributeMatch('PN', value, 'name') }],
              fuzzy: true,
              includeFields: [],
              limit: 10,
              offset: 0,
            },
            { kind: 'all' },
          )
        ).map((m) => m.studyUid);
      expect(await find(Tag.PatientName, 'Mueler')).toEqual(['1.2.10']);
      expect(await find(Tag.PatientName, 'Pol Smyth')).toEqual(['1.2.12']);
      expect(await find(Tag.ReferringPhysicianName, 'Maier')).toEqual(['1.2.10']);
    });
  });
}

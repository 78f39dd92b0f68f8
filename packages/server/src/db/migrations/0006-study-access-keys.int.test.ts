import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyIndexStore } from '../../index-store/kysely-index-store.js';
import { upgradedDatabase } from '../../test-support/database-at-migration.js';
import { oldPatientRow, oldStudyRow } from '../../test-support/old-index-rows.js';
import { DIALECTS } from '../../test-support/test-databases.js';
import type { Database } from '../open-database.js';

/** Study attributes naming referring providers by (0008,0096) → (0040,1101) → (0008,0100). */
function referredBy(...ids: string[]): string {
  return JSON.stringify({
    '00080096': {
      vr: 'SQ',
      Value: [
        { '00401101': { vr: 'SQ', Value: ids.map((id) => ({ '00080100': { vr: 'SH', Value: [id] } })) } },
      ],
    },
  });
}

for (const dialect of DIALECTS) {
  describe(`migration 0006-study-access-keys on ${dialect}`, () => {
    let database: Database;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ database, close } = await upgradedDatabase(dialect, '0006-study-access-keys', async (old) => {
        await old.insertInto('patient').values(oldPatientRow(1)).execute();
        const study = (pk: number, attributes: string) => oldStudyRow(pk, 1, { attributes });
        await old
          .insertInto('study')
          .values([
            study(10, referredBy('NPI-1', 'NPI-2')),
            study(11, '{}'),
            study(12, referredBy(' NPI-1 ', '')),
          ])
          .execute();
      }));
    });
    afterAll(async () => {
      await close?.();
    });

    it('fills the keys from the studies already stored, and scoped queries use them', async () => {
      const rows = await database.db
        .selectFrom('study_access_key')
        .select(['study_pk', 'kind', 'value'])
        .orderBy('study_pk')
        .orderBy('value')
        .execute();
      expect(rows.map((r) => [Number(r.study_pk), r.kind, r.value])).toEqual([
        [10, 'provider', 'NPI-1'],
        [10, 'provider', 'NPI-2'],
        [12, 'provider', 'NPI-1'],
      ]);
      const index = new KyselyIndexStore(database);
      const visible = await index.query(
        { level: 'study', filters: [], fuzzy: false, includeFields: [], limit: 10, offset: 0 },
        { kind: 'restricted', providerIds: ['NPI-2'] },
      );
      expect(visible.map((m) => m.studyUid)).toEqual(['1.2.10']);
    });
  });
}

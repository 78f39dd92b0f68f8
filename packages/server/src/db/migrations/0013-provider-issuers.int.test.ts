import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyIndexStore } from '../../index-store/kysely-index-store.js';
import { upgradedDatabase } from '../../test-support/database-at-migration.js';
import { oldPatientRow, oldStudyRow } from '../../test-support/old-index-rows.js';
import { DIALECTS } from '../../test-support/test-databases.js';
import type { Database } from '../open-database.js';

/** Study attributes naming referring providers by (0008,0096) → (0040,1101) → (0008,0100), (0008,0102). */
function referredBy(...codes: Array<[id: string, scheme: string | undefined]>): string {
  const code = ([id, scheme]: [string, string | undefined]) => ({
    '00080100': { vr: 'SH', Value: [id] },
    ...(scheme !== undefined ? { '00080102': { vr: 'SH', Value: [scheme] } } : {}),
  });
  return JSON.stringify({
    '00080096': { vr: 'SQ', Value: [{ '00401101': { vr: 'SQ', Value: codes.map(code) } }] },
  });
}

for (const dialect of DIALECTS) {
  describe(`migration 0013-provider-issuers on ${dialect}`, () => {
    let database: Database;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ database, close } = await upgradedDatabase(dialect, '0013-provider-issuers', async (old) => {
        await old.insertInto('patient').values(oldPatientRow(1)).execute();
        const study = (pk: number, attributes: string) => oldStudyRow(pk, 1, { attributes });
        await old
          .insertInto('study')
          .values([
            study(10, referredBy(['NPI-1', 'HOSP'], ['NPI-2', undefined])),
            study(11, '{}'),
            study(12, referredBy([' NPI-1 ', ' OTHER '], ['', 'HOSP'])),
            // Text PostgreSQL's jsonb refuses (a NUL kept from a value), and a Code Value holding a `^`.
            study(
              13,
              referredBy(['NPI-3', 'HOSP'], ['NPI-4^HOSP', undefined]).replace(
                '{',
                '{"00081030":{"vr":"LO","Value":["A\\u0000B"]},',
              ),
            ),
          ])
          .execute();
        // Keys as the older Lightbox wrote them: the identifiers alone.
        await old
          .insertInto('study_access_key')
          .values([
            { study_pk: 10, kind: 'provider', value: 'NPI-1' },
            { study_pk: 10, kind: 'provider', value: 'NPI-2' },
            { study_pk: 12, kind: 'provider', value: 'NPI-1' },
          ])
          .execute();
      }));
    });
    afterAll(async () => {
      await close?.();
    });

    it('adds an ID^SCHEME key for every identifier that names its scheme, and scoped queries use them', async () => {
      const rows = await database.db
        .selectFrom('study_access_key')
        .select(['study_pk', 'kind', 'value'])
        .orderBy('study_pk')
        .orderBy('kind')
        .orderBy('value')
        .execute();
      expect(rows.map((r) => [Number(r.study_pk), r.kind, r.value])).toEqual([
        [10, 'provider', 'NPI-1'],
        [10, 'provider', 'NPI-2'],
        [10, 'provider-issued', 'NPI-1^HOSP'],
        [12, 'provider', 'NPI-1'],
        [12, 'provider-issued', 'NPI-1^OTHER'],
        [13, 'provider-issued', 'NPI-3^HOSP'],
      ]);
      const index = new KyselyIndexStore(database);
      const visibleTo = async (providerIds: string[]) =>
        (
          await index.query(
            { level: 'study', filters: [], fuzzy: false, includeFields: [], limit: 10, offset: 0 },
            { kind: 'restricted', providerIds },
          )
        )
          .map((m) => m.studyUid)
          .sort();
      expect(await visibleTo(['NPI-1^HOSP'])).toEqual(['1.2.10']);
      expect(await visibleTo(['NPI-1'])).toEqual(['1.2.10', '1.2.12']);
      expect(await visibleTo(['NPI-2^HOSP'])).toEqual([]);
      // A plain key that holds a `^` is not an issued one.
      await database.db
        .insertInto('study_access_key')
        .values({ study_pk: 13, kind: 'provider', value: 'NPI-4^HOSP' })
        .execute();
      expect(await visibleTo(['NPI-4^HOSP'])).toEqual([]);
      expect(await visibleTo(['NPI-3^HOSP', 'NPI-2'])).toEqual(['1.2.10', '1.2.13']);
    });
  });
}

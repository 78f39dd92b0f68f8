import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, readPart10, type Vr } from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRecord } from '../archive/instance-record.js';
import type { ArchiveQuery, QueryLevel } from '../archive/query/archive-query.js';
import { parseAttributeMatch } from '../archive/query/attribute-match.js';
import { openDatabase, type Database } from '../db/open-database.js';
import { mergePatients } from '../patients/patient-registry.js';
import { createTestDatabase, DIALECTS } from '../test-support/test-databases.js';
import { NOT_TEXT } from './attribute-values.js';
import { KyselyIndexStore } from './kysely-index-store.js';
import { runArchiveQuery, type Narrowing } from './run-archive-query.js';

const ALL = { kind: 'all' } as const;
const PRIVATE_CREATOR = 0x00090010;
const SITE = 0x00091001; // private, LO: instance level
const DOSE = 0x00091002; // private, stored as IS (a number in DICOM JSON)
const INSTITUTION = 0x00080080; // InstitutionName: series level, no column
const COMMENTS = 0x00204000; // ImageComments: instance level
const HISTORY = 0x001021b0; // AdditionalPatientHistory: study level
const LONG_SITE = `SITE01${'Y'.repeat(70)}`;
const LONG_INSTITUTION = `General Hospital of ${'X'.repeat(60)}`;
const LEVELS: QueryLevel[] = ['study', 'series', 'instance'];

/** Query keys whose results must not change with the attribute value table: [tag, VR, value]. */
const KEYS: Array<[number, Vr, string]> = [
  [SITE, 'LO', 'SITE01'],
  [SITE, 'LO', 'SITE01*'],
  [SITE, 'LO', 'SITE0?'],
  [SITE, 'LO', '*01'],
  [SITE, 'LO', '?ITE01'],
  [SITE, 'LO', '*'],
  [SITE, 'LO', 'SITE02\\SITE03'],
  [SITE, 'LO', 'site01'],
  [SITE, 'LO', 'SITE01X'],
  [SITE, 'LO', 'SITE05'],
  [SITE, 'LO', 'SITE06'],
  [SITE, 'LO', 'SITE09'],
  [SITE, 'LO', LONG_SITE],
  [SITE, 'LO', `${LONG_SITE.slice(0, 66)}*`],
  [SITE, 'LO', `${LONG_SITE.slice(0, 64)}Z`],
  [SITE, 'IS', '12'],
  [DOSE, 'LO', '12'],
  [DOSE, 'LO', '1*'],
  [DOSE, 'IS', '12'],
  [PRIVATE_CREATOR, 'LO', 'LIGHTBOX TEST'],
  [INSTITUTION, 'LO', 'General Hospital'],
  [INSTITUTION, 'LO', 'General*'],
  [INSTITUTION, 'LO', '*Hospital'],
  [INSTITUTION, 'LO', 'General Hosp?tal*'],
  [INSTITUTION, 'LO', 'general hospital'],
  [INSTITUTION, 'LO', LONG_INSTITUTION],
  [COMMENTS, 'LT', 'first'],
  [COMMENTS, 'LT', 'fir*'],
  [HISTORY, 'LT', 'smoker'],
  [HISTORY, 'LT', 'smo*'],
];

function queryOf(level: QueryLevel, tag: number, vr: Vr, value: string, limit = 100): ArchiveQuery {
  return {
    level,
    filters: [{ path: [tag], vr, match: parseAttributeMatch(vr, value, 'key') }],
    fuzzy: false,
    includeFields: [],
    limit,
    offset: 0,
  };
}

for (const dialect of DIALECTS) {
  describe(`queries on attributes without a column, through attribute_value, on ${dialect}`, () => {
    let dir: string;
    let drop: () => Promise<void>;
    let database: Database;
    let index: KyselyIndexStore;
    let blobs = 0;
    const uid: Record<string, string> = {};

    async function store(
      options: Parameters<typeof syntheticImage>[0],
      extra: ReturnType<typeof textElement>[],
      policy: 'keep-existing' | 'overwrite' = 'keep-existing',
    ): Promise<void> {
      const object = await readPart10(
        syntheticImage({
          ...options,
          extra: [textElement(PRIVATE_CREATOR, 'LO', 'LIGHTBOX TEST'), ...extra],
        }),
      );
      const key = `attribute-values/${blobs++}.dcm`;
      await index.beginWrite(key);
      await index.commitInstance(instanceRecord(object, { key, size: 1, sha256: 'x' }), policy);
    }

    /** What a query returns, as names of the entities at its level. */
    async function find(query: ArchiveQuery, narrowing?: Narrowing): Promise<string[]> {
      const names = new Map(Object.entries(uid).map(([name, u]) => [u, name]));
      const matches =
        narrowing === undefined
          ? await index.query(query, ALL)
          : await runArchiveQuery(database.db, database.dialect, query, ALL, { narrowing });
      return matches.map((m) => {
        const u =
          query.level === 'study' ? m.studyUid : query.level === 'series' ? m.seriesUid! : m.sopInstanceUid!;
        return names.get(u) ?? u;
      });
    }

    /** Every key at every level (and pages of 2 after the first), with the table as it is. */
    async function answers(narrowing?: Narrowing): Promise<string[][]> {
      const all: string[][] = [];
      for (const level of LEVELS) {
        for (const [tag, vr, value] of KEYS) {
          all.push(await find(queryOf(level, tag, vr, value), narrowing));
          all.push(await find({ ...queryOf(level, tag, vr, value, 2), offset: 1 }, narrowing));
        }
      }
      return all;
    }

    /**
     * The answers of the JSON matching alone, as before the table: every study made a candidate for every
     * key (the marker row), then the table put back.
     */
    async function jsonOnlyAnswers(): Promise<string[][]> {
      const saved = await database.db.selectFrom('attribute_value').selectAll().execute();
      await database.db.deleteFrom('attribute_value').execute();
      const studies = await database.db.selectFrom('study').select('pk').execute();
      const tags = [...new Set(KEYS.map(([tag]) => tag))];
      await database.db
        .insertInto('attribute_value')
        .values(studies.flatMap((s) => tags.map((tag) => ({ tag, value: NOT_TEXT, study_pk: s.pk }))))
        .execute();
      try {
        return await answers();
      } finally {
        await database.db.deleteFrom('attribute_value').execute();
        for (let i = 0; i < saved.length; i += 500) {
          await database.db
            .insertInto('attribute_value')
            .values(saved.slice(i, i + 500))
            .execute();
        }
      }
    }

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-attribute-values-'));
      const created = await createTestDatabase(dialect, dir);
      drop = created.drop;
      database = await openDatabase(created.url);
      index = new KyselyIndexStore(database);
      for (const name of [
        'S1',
        'S2',
        'S3',
        'S4',
        'S5',
        'S6',
        'S1a',
        'S1b',
        'S2a',
        'S3a',
        'S4a',
        'S5a',
        'S6a',
      ])
        uid[name] = generateUid();
      for (let i = 1; i <= 9; i++) uid[`i${i}`] = generateUid();
      const site = (value: string) => textElement(SITE, 'LO', value);
      const institution = (value: string) => textElement(INSTITUTION, 'LO', value);
      const study = (name: string, patientId: string, studyDate: string, series: string) => ({
        patientId,
        studyInstanceUid: uid[name]!,
        studyDate,
        seriesInstanceUid: uid[series]!,
      });
      // S1: two series, the first with SITE01 in both instances, the second SITE02 and a number.
      await store({ ...study('S1', 'P1', '20240105', 'S1a'), sopInstanceUid: uid.i1! }, [
        site('SITE01'),
        institution('General Hospital'),
        textElement(COMMENTS, 'LT', 'first'),
      ]);
      await store({ ...study('S1', 'P1', '20240105', 'S1a'), sopInstanceUid: uid.i2! }, [
        site('SITE01'),
        institution('General Hospital'),
      ]);
      await store({ ...study('S1', 'P1', '20240105', 'S1b'), sopInstanceUid: uid.i3!, seriesNumber: 2 }, [
        site('SITE02'),
        institution('Clinic North'),
        textElement(DOSE, 'IS', '12'),
      ]);
      // S2: a value that SITE01* matches, and one of several values.
      await store({ ...study('S2', 'P1', '20240104', 'S2a'), sopInstanceUid: uid.i4! }, [
        site('SITE01X'),
        institution('General Hospital East'),
      ]);
      await store({ ...study('S2', 'P1', '20240104', 'S2a'), sopInstanceUid: uid.i5! }, [
        textElement(SITE, 'LO', ['A', 'SITE03']),
        institution('General Hospital East'),
      ]);
      // S3: other case; a study-level attribute without a column.
      await store({ ...study('S3', 'P2', '20240103', 'S3a'), sopInstanceUid: uid.i6! }, [
        site('site01'),
        institution('general hospital'),
        textElement(HISTORY, 'LT', 'smoker'),
      ]);
      // S4: values longer than the table keeps.
      await store({ ...study('S4', 'P3', '20240102', 'S4a'), sopInstanceUid: uid.i7! }, [
        site(LONG_SITE),
        institution(LONG_INSTITUTION),
      ]);
      // S5: one instance, replaced later; S6: none of these attributes.
      await store({ ...study('S5', 'P3', '20240101', 'S5a'), sopInstanceUid: uid.i8! }, [site('SITE05')]);
      await store({ ...study('S6', 'P4', '20240106', 'S6a'), sopInstanceUid: uid.i9! }, []);
    });
    afterAll(async () => {
      await database?.close();
      await drop?.();
      await rm(dir, { recursive: true, force: true });
    });

    it('records the distinct short values of attributes without a column, per study', async () => {
      const rows = await database.db
        .selectFrom('attribute_value')
        .innerJoin('study', 'study.pk', 'attribute_value.study_pk')
        .select(['attribute_value.tag', 'attribute_value.value', 'study.study_instance_uid'])
        .where('attribute_value.tag', 'in', [SITE, DOSE, INSTITUTION, COMMENTS, HISTORY])
        .execute();
      const names = new Map(Object.entries(uid).map(([name, u]) => [u, name]));
      const got = rows
        .map((r) => `${names.get(r.study_instance_uid)} ${Number(r.tag).toString(16)} ${r.value}`)
        .sort();
      expect(got).toEqual(
        [
          'S1 91001 SITE01',
          'S1 91001 SITE02',
          'S1 91002 ', // a number: the marker
          'S1 80080 General Hospital',
          'S1 80080 Clinic North',
          'S1 204000 first',
          'S2 91001 SITE01X',
          'S2 91001 A',
          'S2 91001 SITE03',
          'S2 80080 General Hospital East',
          'S3 91001 site01',
          'S3 80080 general hospital',
          'S3 1021b0 smoker',
          `S4 91001 ${LONG_SITE.slice(0, 64)}`,
          `S4 80080 ${LONG_INSTITUTION.slice(0, 64)}`,
          'S5 91001 SITE05',
        ].sort(),
      );
      // Patient-level attributes and those with a column are not recorded.
      const tags = await database.db.selectFrom('attribute_value').select('tag').distinct().execute();
      for (const tag of [0x00100010, 0x00100020, 0x0020000d, 0x00080018, 0x00080060]) {
        expect(tags.map((t) => Number(t.tag))).not.toContain(tag);
      }
    });

    it('answers as the JSON matching alone, at every level, whichever way the candidates are used', async () => {
      const expected = await jsonOnlyAnswers();
      expect(await answers()).toEqual(expected);
      for (const narrowing of ['sorted', 'walk', 'none'] as const) {
        expect(await answers(narrowing)).toEqual(expected);
      }
      const at = (level: QueryLevel, tag: number, vr: Vr, value: string) =>
        find(queryOf(level, tag, vr, value));
      // Not vacuous: the expected answers, newest study first.
      expect(await at('study', SITE, 'LO', 'SITE01')).toEqual(['S1']);
      expect(await at('study', SITE, 'LO', 'SITE01*')).toEqual(['S1', 'S2', 'S4']);
      expect(await at('study', SITE, 'LO', '*01')).toEqual(['S1', 'S3']);
      expect(await at('study', SITE, 'LO', 'SITE02\\SITE03')).toEqual(['S1', 'S2']);
      expect(await at('study', SITE, 'LO', LONG_SITE)).toEqual(['S4']);
      expect(await at('study', SITE, 'LO', `${LONG_SITE.slice(0, 64)}Z`)).toEqual([]);
      expect(await at('series', SITE, 'LO', 'SITE01')).toEqual(['S1a']);
      expect((await at('instance', SITE, 'LO', 'SITE01')).sort()).toEqual(['i1', 'i2']);
      expect(await at('instance', SITE, 'LO', 'SITE02\\SITE03')).toEqual(['i5', 'i3']);
      expect(await at('study', INSTITUTION, 'LO', 'General*')).toEqual(['S1', 'S2', 'S4']);
      expect(await at('study', INSTITUTION, 'LO', '*Hospital')).toEqual(['S1']);
      expect(await at('series', INSTITUTION, 'LO', 'General Hospital')).toEqual(['S1a']);
      expect(await at('study', HISTORY, 'LT', 'smo*')).toEqual(['S3']);
      expect(await at('study', COMMENTS, 'LT', 'first')).toEqual(['S1']);
      // PostgreSQL's JSON text of a number matches; SQLite's does not: either way as before.
      expect(await at('study', DOSE, 'LO', '12')).toEqual(dialect === 'postgres' ? ['S1'] : []);
    });

    it('keeps an institution-limited scope exact while narrowing it by the table (names over 64 characters too)', async () => {
      const visible = async (institutions: string[]) => {
        const names = new Map(Object.entries(uid).map(([name, u]) => [u, name]));
        const query: ArchiveQuery = {
          level: 'study',
          filters: [],
          fuzzy: false,
          includeFields: [],
          limit: 100,
          offset: 0,
        };
        const matches = await index.query(query, { kind: 'restricted', institutions });
        return matches.map((m) => names.get(m.studyUid)).sort();
      };
      // S1 has a series from Clinic North as well: it needs both.
      expect(await visible(['General Hospital'])).toEqual([]);
      expect(await visible(['General Hospital', 'Clinic North'])).toEqual(['S1']);
      expect(await visible(['General Hospital East'])).toEqual(['S2']);
      expect(await visible([LONG_INSTITUTION])).toEqual(['S4']);
      // The same first 64 characters: a candidate by the table, refused by the exact rule.
      expect(await visible([`${LONG_INSTITUTION.slice(0, 64)}Z`])).toEqual([]);
    });

    it('pages through candidates as before (limit and offset)', async () => {
      const page = await index.query(
        { ...queryOf('study', SITE, 'LO', 'SITE01*'), limit: 1, offset: 1 },
        ALL,
      );
      expect(page.map((m) => m.studyUid)).toEqual([uid.S2]);
    });

    it('forgets a study removed with its last instance, and a replaced value no longer matches', async () => {
      const before = await database.db
        .selectFrom('study')
        .select('pk')
        .where('study_instance_uid', '=', uid.S5!)
        .executeTakeFirstOrThrow();
      // The only instance of S5 replaced: the study is removed and made again.
      await store(
        {
          patientId: 'P3',
          studyInstanceUid: uid.S5!,
          studyDate: '20240101',
          seriesInstanceUid: uid.S5a!,
          sopInstanceUid: uid.i8!,
        },
        [textElement(SITE, 'LO', 'SITE06')],
        'overwrite',
      );
      // One instance of S2 replaced: its old value stays in the table, the JSON rules it out.
      await store(
        {
          patientId: 'P1',
          studyInstanceUid: uid.S2!,
          studyDate: '20240104',
          seriesInstanceUid: uid.S2a!,
          sopInstanceUid: uid.i4!,
        },
        [textElement(SITE, 'LO', 'SITE09'), textElement(INSTITUTION, 'LO', 'General Hospital East')],
        'overwrite',
      );
      const orphans = await database.db
        .selectFrom('attribute_value')
        .select('study_pk')
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('study').select('pk').whereRef('study.pk', '=', 'attribute_value.study_pk'))),
        )
        .execute();
      expect(orphans).toEqual([]);
      const old = await database.db
        .selectFrom('attribute_value')
        .select('value')
        .where('study_pk', '=', before.pk)
        .execute();
      expect(old.map((r) => r.value)).not.toContain('SITE05');
      expect(await find(queryOf('study', SITE, 'LO', 'SITE05'))).toEqual([]);
      expect(await find(queryOf('study', SITE, 'LO', 'SITE06'))).toEqual(['S5']);
      expect(await find(queryOf('study', SITE, 'LO', 'SITE01X'))).toEqual([]);
      expect(await find(queryOf('study', SITE, 'LO', 'SITE01*'))).toEqual(['S1', 'S4']);
      expect(await find(queryOf('instance', SITE, 'LO', 'SITE09'))).toEqual(['i4']);
      const expected = await jsonOnlyAnswers();
      expect(await answers()).toEqual(expected);
      expect(await answers('walk')).toEqual(expected);
    });

    it('keeps answering as before after a patient merge moves studies', async () => {
      await database.db
        .transaction()
        .execute((trx) =>
          mergePatients(
            trx,
            { patientId: 'P1', issuer: '' },
            { patientId: 'P2', issuer: '' },
            'test',
            Date.now(),
          ),
        );
      const expected = await jsonOnlyAnswers();
      expect(await answers()).toEqual(expected);
      expect(await answers('walk')).toEqual(expected);
      const merged = await index.query(
        {
          ...queryOf('study', SITE, 'LO', '*01'),
          filters: [
            ...queryOf('study', SITE, 'LO', '*01').filters,
            { path: [0x00100020], vr: 'LO', match: parseAttributeMatch('LO', 'P1', 'PatientID') },
          ],
        },
        ALL,
      );
      expect(merged.map((m) => m.studyUid)).toEqual([uid.S1, uid.S3]);
      expect(await find(queryOf('study', HISTORY, 'LT', 'smoker'))).toEqual(['S3']);
    });

    it('uses the table for values and prefixes, and the JSON alone for other wildcards', async () => {
      // Without its row, S1 is no candidate for SITE02 and SITE0*: proof that the table was looked up.
      const s1 = await database.db
        .selectFrom('study')
        .select('pk')
        .where('study_instance_uid', '=', uid.S1!)
        .executeTakeFirstOrThrow();
      const row = { tag: SITE, value: 'SITE02', study_pk: s1.pk };
      await database.db
        .deleteFrom('attribute_value')
        .where('tag', '=', SITE)
        .where('value', '=', 'SITE02')
        .where('study_pk', '=', s1.pk)
        .execute();
      try {
        for (const narrowing of ['sorted', 'walk'] as const) {
          expect(await find(queryOf('series', SITE, 'LO', 'SITE02'), narrowing)).toEqual([]);
        }
        expect(await find(queryOf('series', SITE, 'LO', 'SITE02'), 'none')).toEqual(['S1b']);
        expect(await find(queryOf('study', SITE, 'LO', 'SITE02'))).toEqual([]);
        expect(await find(queryOf('instance', SITE, 'LO', 'SITE02'))).toEqual([]);
        expect(await find(queryOf('study', SITE, 'LO', 'SITE02*'))).toEqual([]);
        // Leading wildcards cannot use it: the JSON finds the instance.
        expect(await find(queryOf('instance', SITE, 'LO', '*ITE02'))).toEqual(['i3']);
        expect(await find(queryOf('instance', SITE, 'LO', '?ITE02'))).toEqual(['i3']);
      } finally {
        await database.db.insertInto('attribute_value').values(row).execute();
      }
      expect(await find(queryOf('instance', SITE, 'LO', 'SITE02'))).toEqual(['i3']);
    });
  });
}

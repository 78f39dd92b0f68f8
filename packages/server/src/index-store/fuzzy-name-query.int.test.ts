import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, readPart10, Tag } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRecord } from '../archive/instance-record.js';
import type { ArchiveQuery } from '../archive/query/archive-query.js';
import { parseAttributeMatch } from '../archive/query/attribute-match.js';
import { openDatabase, type Database } from '../db/open-database.js';
import { createTestDatabase, DIALECTS } from '../test-support/test-databases.js';
import { KyselyIndexStore } from './kysely-index-store.js';

const ALL = { kind: 'all' } as const;

for (const dialect of DIALECTS) {
  describe(`fuzzy person-name matching through the name key table on ${dialect}`, () => {
    let dir: string;
    let drop: () => Promise<void>;
    let database: Database;
    let index: KyselyIndexStore;
    let blobs = 0;
    const studies: Record<string, string> = {};

    /** Stores one instance of a new study; returns its study UID. */
    async function store(
      options: Parameters<typeof syntheticImage>[0],
      policy: 'keep-existing' | 'overwrite' = 'keep-existing',
    ): Promise<string> {
      const object = await readPart10(syntheticImage({ sopInstanceUid: generateUid(), ...options }));
      const key = `fuzzy/${blobs++}.dcm`;
      const record = instanceRecord(object, { key, size: 1, sha256: 'x' });
      await index.beginWrite(key);
      await index.commitInstance(record, policy);
      return record.study.uid;
    }

    /** The study UIDs matching one name key, fuzzy or not, at `level`. */
    async function find(
      tag: number,
      value: string,
      fuzzy = true,
      level: ArchiveQuery['level'] = 'study',
    ): Promise<string[]> {
      const matches = await index.query(
        {
          level,
          filters: [{ path: [tag], vr: 'PN', match: parseAttributeMatch('PN', value, 'name') }],
          fuzzy,
          includeFields: [],
          limit: 100,
          offset: 0,
        },
        ALL,
      );
      return [...new Set(matches.map((m) => m.studyUid))].sort();
    }
    const uids = (...names: string[]) => names.map((n) => studies[n]!).sort();

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-fuzzy-'));
      const created = await createTestDatabase(dialect, dir);
      drop = created.drop;
      database = await openDatabase(created.url);
      index = new KyselyIndexStore(database);
      const latin1 = { specificCharacterSet: 'ISO_IR 100' };
      studies.muller1 = await store({
        ...latin1,
        patientId: 'P1',
        patientName: 'Müller^Jürgen',
        referringPhysicianName: 'Smith^John',
      });
      // A second study of the same patient: the patient (and its keys) exist already.
      studies.muller2 = await store({
        ...latin1,
        patientId: 'P1',
        patientName: 'Müller^Jürgen',
        referringPhysicianName: 'Meyer^Anna',
      });
      studies.smith = await store({
        patientId: 'P2',
        patientName: 'Smith^Catherine',
        referringPhysicianName: 'Brown^Paul',
      });
      studies.schmidt = await store({ patientId: 'P3', patientName: 'Schmidt^Jon Paul' });
      // A study replaced whole under the overwrite policy is deleted and created again with a new key.
      const replaced = {
        patientId: 'P4',
        patientName: 'Doe^Jane',
        referringPhysicianName: 'Phillips^Ann',
        studyInstanceUid: generateUid(),
        seriesInstanceUid: generateUid(),
        sopInstanceUid: generateUid(),
      };
      studies.doe = await store(replaced);
      await store(replaced, 'overwrite');
    });
    afterAll(async () => {
      await database?.close();
      await drop?.();
      await rm(dir, { recursive: true, force: true });
    });

    it('finds a misspelt surname only when fuzzy', async () => {
      expect(await find(Tag.PatientName, 'Mueler')).toEqual(uids('muller1', 'muller2'));
      expect(await find(Tag.PatientName, 'Mueler', false)).toEqual([]);
      // Schmidt sounds like Smith too (SCH → S, DT → T).
      expect(await find(Tag.PatientName, 'Smyth')).toEqual(uids('smith', 'schmidt'));
      expect(await find(Tag.PatientName, 'Smyth', false)).toEqual([]);
      expect(await find(Tag.PatientName, 'Nobody')).toEqual([]);
    });

    it('ignores accents and case in the query and in the stored name', async () => {
      expect(await find(Tag.PatientName, 'müler')).toEqual(uids('muller1', 'muller2'));
      expect(await find(Tag.PatientName, 'MUELLER^JUERGEN')).toEqual(uids('muller1', 'muller2'));
    });

    it('requires every word of the query to sound like a word of the name, in any order', async () => {
      expect(await find(Tag.PatientName, 'Smyth^Kathryn')).toEqual(uids('smith'));
      expect(await find(Tag.PatientName, 'Kathryn Smyth')).toEqual(uids('smith'));
      expect(await find(Tag.PatientName, 'Smyth^Jurgen')).toEqual([]);
      expect(await find(Tag.PatientName, 'Shmidt^John^Pol')).toEqual(uids('schmidt'));
    });

    it('keeps exact and wildcard matches alongside the phonetic ones', async () => {
      // "MUL" does not sound like "MULLER" (another key), but the wildcard matches the stored name.
      expect(await find(Tag.PatientName, 'Mül*')).toEqual(uids('muller1', 'muller2'));
      expect(await find(Tag.PatientName, 'Mul*', false)).toEqual(uids('muller1', 'muller2'));
      expect(await find(Tag.PatientName, 'Smith^Catherine')).toEqual(uids('smith'));
    });

    it('matches ReferringPhysicianName per study', async () => {
      expect(await find(Tag.ReferringPhysicianName, 'Smyth^Jon')).toEqual(uids('muller1'));
      expect(await find(Tag.ReferringPhysicianName, 'Maier')).toEqual(uids('muller2'));
      expect(await find(Tag.ReferringPhysicianName, 'Braun')).toEqual(uids('smith'));
      expect(await find(Tag.ReferringPhysicianName, 'Filips')).toEqual(uids('doe'));
      expect(await find(Tag.ReferringPhysicianName, 'Mueler')).toEqual([]);
    });

    it('matches the same way at the series and instance levels', async () => {
      expect(await find(Tag.PatientName, 'Mueler', true, 'series')).toEqual(uids('muller1', 'muller2'));
      expect(await find(Tag.ReferringPhysicianName, 'Smyth', true, 'instance')).toEqual(uids('muller1'));
    });

    it('keeps one row per key of each name, and none of a deleted study', async () => {
      const rows = await database.db
        .selectFrom('person_name_key')
        .select(['tag', 'owner_pk', 'name_key'])
        .execute();
      const patients = rows.filter((r) => r.tag === Tag.PatientName);
      // Müller^Jürgen, Smith^Catherine, Schmidt^Jon Paul, Doe^Jane: 2 + 2 + 3 + 2 keys.
      expect(patients).toHaveLength(9);
      const referring = rows.filter((r) => r.tag === Tag.ReferringPhysicianName);
      const studyPks = new Set(
        (await database.db.selectFrom('study').select('pk').execute()).map((s) => s.pk),
      );
      // Four referring names of two words each; the replaced study's keys went with it.
      expect(referring.every((r) => studyPks.has(r.owner_pk))).toBe(true);
      expect(referring).toHaveLength(8);
    });
  });
}

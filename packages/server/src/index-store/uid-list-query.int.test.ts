import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, readPart10, Tag, type Vr } from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRecord } from '../archive/instance-record.js';
import type { ArchiveQuery, QueryLevel } from '../archive/query/archive-query.js';
import { parseAttributeMatch } from '../archive/query/attribute-match.js';
import { openDatabase, type Database } from '../db/open-database.js';
import { createTestDatabase, DIALECTS } from '../test-support/test-databases.js';
import { KyselyIndexStore } from './kysely-index-store.js';

const ALL = { kind: 'all' } as const;
const PRIVATE_CREATOR = 0x00090010;
const PRIVATE_UID = 0x00091003; // private, UI: matched in the stored JSON and through attribute_value

/** `count` UIDs that name nothing stored, with `wanted` spread among them. */
function uidList(count: number, wanted: string[]): string {
  const list = Array.from({ length: count }, () => generateUid());
  wanted.forEach((uid, n) => (list[Math.floor(((n + 1) * count) / (wanted.length + 1))] = uid));
  return list.join('\\');
}

function queryOf(level: QueryLevel, tag: number, vr: Vr, value: string): ArchiveQuery {
  return {
    level,
    filters: [{ path: [tag], vr, match: parseAttributeMatch(vr, value, 'key') }],
    fuzzy: false,
    includeFields: [],
    limit: 100,
    offset: 0,
  };
}

for (const dialect of DIALECTS) {
  describe(`list of UID matching (PS3.4 C.2.2.2.2) of any length, on ${dialect}`, () => {
    let dir: string;
    let drop: () => Promise<void>;
    let database: Database;
    let index: KyselyIndexStore;
    const studies = [generateUid(), generateUid(), generateUid()];
    const instances = [generateUid(), generateUid(), generateUid()];
    const tags = [generateUid(), generateUid(), generateUid()];

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-uid-list-'));
      const created = await createTestDatabase(dialect, dir);
      drop = created.drop;
      database = await openDatabase(created.url);
      index = new KyselyIndexStore(database);
      for (let n = 0; n < 3; n++) {
        const object = await readPart10(
          syntheticImage({
            patientId: `UIDLIST-${n}`,
            studyInstanceUid: studies[n]!,
            seriesInstanceUid: generateUid(),
            sopInstanceUid: instances[n]!,
            modality: ['MR', 'US', 'MR'][n]!,
            extra: [
              textElement(PRIVATE_CREATOR, 'LO', 'LIGHTBOX TEST'),
              textElement(PRIVATE_UID, 'UI', tags[n]!),
            ],
          }),
        );
        const key = `uid-list/${n}.dcm`;
        await index.beginWrite(key);
        await index.commitInstance(instanceRecord(object, { key, size: 1, sha256: 'x' }), 'keep-existing');
      }
    });
    afterAll(async () => {
      await database?.close();
      await drop?.();
      await rm(dir, { recursive: true, force: true });
    });

    // More UIDs than SQLite (32 766) allows parameters in one statement, and a list between the two ways.
    for (const count of [70, 40_000]) {
      it(`matches studies by a list of ${count} Study Instance UIDs`, async () => {
        const found = await index.query(
          queryOf('study', Tag.StudyInstanceUID, 'UI', uidList(count, [studies[0]!, studies[2]!])),
          ALL,
        );
        expect(found.map((m) => m.studyUid).sort()).toEqual([studies[0], studies[2]].sort());
      });

      it(`matches instances by a list of ${count} SOP Instance UIDs`, async () => {
        const found = await index.query(
          queryOf('instance', Tag.SOPInstanceUID, 'UI', uidList(count, [instances[1]!])),
          ALL,
        );
        expect(found.map((m) => m.sopInstanceUid)).toEqual([instances[1]]);
      });

      it(`matches a private UID attribute by a list of ${count} values`, async () => {
        const found = await index.query(
          queryOf('instance', PRIVATE_UID, 'UI', uidList(count, [tags[0]!, tags[1]!])),
          ALL,
        );
        expect(found.map((m) => m.sopInstanceUid).sort()).toEqual([instances[0], instances[1]].sort());
      });

      it(`matches ModalitiesInStudy (a set of values) by a list of ${count} values`, async () => {
        const modalities = Array.from({ length: count }, (_, n) => `Z${n}`);
        modalities[count >> 1] = 'US';
        const found = await index.query(queryOf('study', 0x00080061, 'CS', modalities.join('\\')), ALL);
        expect(found.map((m) => m.studyUid)).toEqual([studies[1]]);
      });
    }
  });
}

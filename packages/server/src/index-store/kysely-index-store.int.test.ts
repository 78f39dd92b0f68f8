import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, readPart10 } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRecord } from '../archive/instance-record.js';
import { openDatabase, type Database } from '../db/open-database.js';
import { createTestDatabase, DIALECTS } from '../test-support/test-databases.js';
import { KyselyIndexStore } from './kysely-index-store.js';

async function record(blobKey: string, options: Parameters<typeof syntheticImage>[0] = {}) {
  const object = await readPart10(syntheticImage({ sopInstanceUid: generateUid(), ...options }));
  return instanceRecord(object, { key: blobKey, size: 1, sha256: 'x' });
}

for (const dialect of DIALECTS) {
  describe(`the index store's two-phase write on ${dialect}`, () => {
    let dir: string;
    let drop: () => Promise<void>;
    let database: Database;
    let index: KyselyIndexStore;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-index-'));
      const created = await createTestDatabase(dialect, dir);
      drop = created.drop;
      database = await openDatabase(created.url);
      index = new KyselyIndexStore(database);
    });
    afterAll(async () => {
      await database?.close();
      await drop?.();
      await rm(dir, { recursive: true, force: true });
    });

    it('commits only while its pending row exists: a write claimed by recovery is not indexed', async () => {
      await index.beginWrite('a/claimed.dcm');
      expect(await index.abandonWrite('a/claimed.dcm')).toBe(true); // recovery claims it
      expect(await index.abandonWrite('a/claimed.dcm')).toBe(false); // only once
      const r = await record('a/claimed.dcm');
      await expect(index.commitInstance(r, 'keep-existing')).rejects.toThrow(/abandoned/);
      expect(await index.findInstances({ studyUid: r.study.uid }, { kind: 'all' })).toEqual([]);
    });

    it('keeps a duplicate out, leaving its blob pending for deletion, and lists old pending writes', async () => {
      await index.beginWrite('a/first.dcm');
      const first = await record('a/first.dcm');
      expect(await index.commitInstance(first, 'keep-existing')).toEqual({ status: 'stored' });
      await index.beginWrite('a/second.dcm');
      const again = { ...first, blob: { ...first.blob, key: 'a/second.dcm' } };
      expect(await index.commitInstance(again, 'keep-existing')).toEqual({
        status: 'already-stored',
        unreferencedBlobKey: 'a/second.dcm',
      });
      expect(await index.pendingWrites(0)).toEqual(['a/second.dcm']);
      expect(await index.pendingWrites(60_000)).toEqual([]);
      await index.abandonWrite('a/second.dcm');
    });

    it('replaces under the overwrite policy, recording the old blob for deletion in the same commit', async () => {
      await index.beginWrite('b/old.dcm');
      const old = await record('b/old.dcm', { modality: 'CT' });
      await index.commitInstance(old, 'overwrite');
      await index.beginWrite('b/new.dcm');
      const replacement = { ...old, blob: { ...old.blob, key: 'b/new.dcm' } };
      expect(await index.commitInstance(replacement, 'overwrite')).toEqual({
        status: 'replaced',
        unreferencedBlobKey: 'b/old.dcm',
      });
      expect(await index.pendingWrites(0)).toEqual(['b/old.dcm']);
      const [stored] = await index.findInstances({ studyUid: old.study.uid }, { kind: 'all' });
      expect(stored!.blobKey).toBe('b/new.dcm');
    });
  });
}

describe('two nodes storing the first instances of one new patient at once on postgres', () => {
  it('creates one patient, study and series and indexes every instance', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-index-nodes-'));
    const created = await createTestDatabase('postgres', dir);
    // Two connections pools, as two Lightbox nodes on one PostgreSQL have.
    const nodes = [await openDatabase(created.url), await openDatabase(created.url)];
    try {
      const stores = nodes.map((database) => new KyselyIndexStore(database));
      const ids = {
        patientId: `NODES-${generateUid().slice(-8)}`,
        studyInstanceUid: generateUid(),
        seriesInstanceUid: generateUid(),
      };
      const keys = Array.from({ length: 8 }, (_, k) => `n/${k}.dcm`);
      const records = await Promise.all(keys.map((key) => record(key, ids)));
      await Promise.all(keys.map((key, k) => stores[k % 2]!.beginWrite(key)));
      const outcomes = await Promise.all(
        records.map((r, k) => stores[k % 2]!.commitInstance(r, 'keep-existing')),
      );
      expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
      const db = nodes[0]!.db;
      const count = async (table: 'patient' | 'study' | 'series') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect([await count('patient'), await count('study'), await count('series')]).toEqual([1, 1, 1]);
      const instances = await stores[0]!.findInstances({ studyUid: ids.studyInstanceUid }, { kind: 'all' });
      expect(instances).toHaveLength(8);
    } finally {
      await Promise.all(nodes.map((database) => database.close()));
      await created.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

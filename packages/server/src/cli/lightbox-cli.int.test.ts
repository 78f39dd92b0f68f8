import { generateUid, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { resolveSyntheticImageOptions, syntheticFrame, syntheticImage } from '@lightbox/dicom/test-support';
import { readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { createServices } from '../services.js';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { PYDICOM_TEST_FILES } from '../test-support/pydicom-copy.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { runCli } from './lightbox-cli.js';

async function sopInstanceUidOf(object: Uint8Array): Promise<string> {
  return getString((await readPart10(object)).dataSet, Tag.SOPInstanceUID)!;
}

/** Runs the CLI in this process against the test server's data directory and database. */
async function cli(lb: TestLightbox, ...args: string[]): Promise<{ code: number; out: string }> {
  const saved = { ...process.env };
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  Object.assign(process.env, {
    LIGHTBOX_DATA_DIR: lb.dataDir,
    LIGHTBOX_DATABASE_URL: lb.databaseUrl,
    LIGHTBOX_LOG_LEVEL: 'silent',
  });
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await runCli(args), out };
  } finally {
    process.stdout.write = write;
    process.env = saved;
  }
}

for (const dialect of DIALECTS) {
  describe(`the lightbox CLI: audit verify and rotate-keys on ${dialect} (issue #4 §3, §5)`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const object = syntheticImage({
      studyInstanceUid: study,
      sopInstanceUid: generateUid(),
      patientId: 'CLI-1',
    });

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      const { body, contentType } = multipartBody([{ bytes: object }]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      await lb.running.services.audit.flush();
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('verifies the audit trail, and exits 1 naming the event once a row is edited', async () => {
      const intact = await cli(lb, 'audit', 'verify');
      expect(intact.code).toBe(0);
      expect(intact.out).toMatch(/intact: \d+ events verified/);
      const { db } = lb.running.services.database;
      const row = await db
        .selectFrom('audit_event')
        .select(['seq', 'username'])
        .orderBy('seq')
        .limit(1)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('audit_event')
        .set({ username: 'someone-else' })
        .where('seq', '=', row.seq)
        .execute();
      const broken = await cli(lb, 'audit', 'verify');
      expect(broken.code).toBe(1);
      expect(broken.out).toContain(`event ${row.seq} was altered`);
      await db
        .updateTable('audit_event')
        .set({ username: row.username })
        .where('seq', '=', row.seq)
        .execute();
      expect((await cli(lb, 'audit', 'verify')).code).toBe(0);
    });

    it('rotates the keys without rewriting objects: stored objects and the audit chain still open', async () => {
      const keyFile = path.join(lb.dataDir, 'master.key');
      const before = await readFile(keyFile, 'utf8');
      const rotated = await cli(lb, 'rotate-keys');
      expect(rotated.code).toBe(0);
      expect(rotated.out).toMatch(/New data key [0-9a-f]{16}/);
      expect(await readFile(keyFile, 'utf8')).not.toBe(before);
      // A fresh start reads the new key file: the object stored before the rotation is identical.
      const services = await createServices(
        loadConfig({ LIGHTBOX_DATA_DIR: lb.dataDir, LIGHTBOX_DATABASE_URL: lb.databaseUrl }),
        pino({ level: 'silent' }),
      );
      try {
        const [instance] = (
          await services.archive.prepareInstances(
            { studyUid: study },
            { username: 't', roles: ['admin'], protocol: 'system' },
          )
        ).instances;
        const parts: Buffer[] = [];
        for await (const part of await services.archive.openObject(instance!)) parts.push(part as Buffer);
        expect(Buffer.concat(parts).equals(Buffer.from(object))).toBe(true);
      } finally {
        await services.close();
      }
      expect((await cli(lb, 'audit', 'verify')).code).toBe(0);
    });

    it('reindex brings a frame index an older version wrote up to date, and frames are served right', async () => {
      const options = resolveSyntheticImageOptions({
        transferSyntaxUid: TransferSyntaxUid.JPEGBaseline8Bit,
        frames: 3,
        rows: 16,
        columns: 12,
        studyInstanceUid: generateUid(),
        sopInstanceUid: generateUid(),
        patientId: 'CLI-REINDEX',
      });
      const object = syntheticImage(options);
      const { body, contentType } = multipartBody([{ bytes: object }]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      // As an older version could have indexed it: the first two frames' places swapped.
      const { db } = lb.running.services.database;
      const row = await db
        .selectFrom('instance')
        .select(['pk', 'frame_index', 'series_pk'])
        .where('sop_instance_uid', '=', options.sopInstanceUid)
        .executeTakeFirstOrThrow();
      const index = JSON.parse(row.frame_index!) as { frames: unknown[] };
      [index.frames[0], index.frames[1]] = [index.frames[1], index.frames[0]];
      await db
        .updateTable('instance')
        .set({ frame_index: JSON.stringify(index) })
        .where('pk', '=', row.pk)
        .execute();
      const series = await db
        .selectFrom('series')
        .select('series_instance_uid')
        .where('pk', '=', row.series_pk)
        .executeTakeFirstOrThrow();
      const frame = async (n: number) => {
        const response = await fetch(
          `${lb.dicomweb}/studies/${options.studyInstanceUid}/series/${series.series_instance_uid}/instances/${options.sopInstanceUid}/frames/${n}`,
          {
            headers: {
              authorization: lb.authorization,
              accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*',
            },
          },
        );
        const [part] = splitMultipart(
          Buffer.from(await response.arrayBuffer()),
          response.headers.get('content-type')!,
        );
        return part!.body;
      };
      expect((await frame(1)).equals(Buffer.from(syntheticFrame(options, 0)))).toBe(false);

      const reindexed = await cli(lb, 'reindex');
      expect(reindexed.code).toBe(0);
      expect(reindexed.out).toMatch(
        /^Re-indexed \d+ instances: 1 frame indexes updated, 0 objects could not be read\./,
      );
      for (const n of [1, 2, 3])
        expect((await frame(n)).equals(Buffer.from(syntheticFrame(options, n - 1)))).toBe(true);
      // Run again: nothing left to change.
      expect((await cli(lb, 'reindex')).out).toContain(': 0 frame indexes updated');
    });

    // After rotate-keys above: the running server reads what the import sealed with the new data key,
    // the ring being rewrapped under the new master key file meanwhile.
    it('imports folders and files given together, follows links, passes over DICOMDIR, closes every file', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-import-'));
      try {
        const patientId = `CLI-IMPORT-${dialect}`;
        const [a, b, c, d, e, f] = [1, 2, 3, 4, 5, 6].map(() =>
          syntheticImage({ studyInstanceUid: generateUid(), sopInstanceUid: generateUid(), patientId }),
        );
        const disc = path.join(dir, 'disc');
        await mkdir(path.join(disc, 'IMAGES'), { recursive: true });
        await writeFile(path.join(disc, 'IMAGES', 'IM0001'), a!);
        await writeFile(path.join(disc, 'IMAGES', 'IM0002'), b!);
        await writeFile(path.join(disc, 'IMAGES', 'COPY'), a!); // the same instance twice
        await writeFile(path.join(disc, 'README.TXT'), 'not DICOM');
        await copyFile(`${PYDICOM_TEST_FILES}/dicomdirtests/DICOMDIR`, path.join(disc, 'DICOMDIR'));
        await writeFile(path.join(dir, 'elsewhere.dcm'), c!);
        await symlink(path.join(dir, 'elsewhere.dcm'), path.join(disc, 'LINKED'));
        await writeFile(path.join(dir, 'single.dcm'), d!);
        // A bare data set, as ACR-NEMA-era media hold them: no preamble, no "DICM", no File Meta Information.
        const bareDataSet = e!.subarray((await readPart10(e!)).dataSetOffset);
        await writeFile(path.join(disc, 'IMAGES', 'BARE'), bareDataSet);
        // A linked folder (followed), a link back up the tree (not walked twice), a link to nothing (reported).
        await mkdir(path.join(dir, 'more'));
        await writeFile(path.join(dir, 'more', 'IM0001'), f!);
        await symlink(path.join(dir, 'more'), path.join(disc, 'SERIES2'));
        await symlink(disc, path.join(disc, 'LOOP'));
        await symlink(path.join(dir, 'gone'), path.join(disc, 'DANGLING'));
        // Files that are not DICOM: each is opened, refused and must be closed.
        await mkdir(path.join(disc, 'NOTES'));
        for (let i = 0; i < 40; i++) await writeFile(path.join(disc, 'NOTES', `N${i}.TXT`), `note ${i}`);
        const openFiles = () => readdirSync('/proc/self/fd').length;
        const before = openFiles();

        const imported = await cli(lb, 'import', disc, path.join(dir, 'single.dcm'));
        expect(imported.code).toBe(0);
        expect(imported.out).toContain(
          ': 50 files, 6 stored, 1 duplicates (already stored), 42 rejected. 1 of those stored held a bare data set',
        );
        expect(imported.out).toMatch(/rejected 41: no DICM prefix/);
        expect(imported.out).toMatch(/rejected 1: the file or folder cannot be read \(ENOENT\)\n.*DANGLING/);
        expect(openFiles() - before).toBeLessThan(20); // one left open per refused file would be 40 and more
        const found = await fetch(`${lb.dicomweb}/instances?PatientID=${patientId}`, {
          headers: { authorization: lb.authorization },
        });
        const uids = ((await found.json()) as Array<Record<string, { Value: string[] }>>).map(
          (i) => i['00080018']!.Value[0],
        );
        const expected = await Promise.all([a, b, c, d, e, f].map(async (o) => sopInstanceUidOf(o!)));
        expect(uids.sort()).toEqual(expected.sort());
        expect(imported.out).toContain('1 DICOMDIR passed over');
        // The bare data set is served as a Part 10 object: a header made for it, then its bytes as they were.
        const { instances } = await lb.running.services.archive.prepareInstances(
          { studyUid: getString((await readPart10(e!)).dataSet, Tag.StudyInstanceUID)! },
          { username: 't', roles: ['admin'], protocol: 'system' },
        );
        const parts: Buffer[] = [];
        for await (const part of await lb.running.services.archive.openObject(instances[0]!))
          parts.push(part as Buffer);
        const served = Buffer.concat(parts);
        expect(served.toString('latin1', 128, 132)).toBe('DICM');
        expect(served.subarray(served.length - bareDataSet.length).equals(Buffer.from(bareDataSet))).toBe(
          true,
        );
        expect((await cli(lb, 'import', path.join(dir, 'missing'))).code).toBe(2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode, syntheticStudy } from '../test-support/dimse-fixtures.js';
import { freePort } from '../test-support/free-port.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { pydicomCopy, type PydicomCopy } from '../test-support/pydicom-copy.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { until } from '../test-support/until.js';

/**
 * odil (Debian python3-odil, a C++ DICOM library with Python bindings) against Lightbox: as Storage,
 * Find and Get SCU, as DICOMweb client, and as the Storage SCP Lightbox sends to.
 */
const run = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // Debian's, which has the odil module
const PEER = fileURLToPath(new URL('../test-support/odil-peer.py', import.meta.url));

interface StoreResult {
  status: number;
  comment: string;
}

async function odilPeer(args: string[]): Promise<string> {
  const { stdout } = await run(PYTHON, [PEER, ...args], { timeout: 30_000 });
  return stdout;
}

async function sopInstanceUidOf(part10: Uint8Array): Promise<string> {
  return getString((await readPart10(part10)).dataSet, Tag.SOPInstanceUID)!;
}

for (const dialect of DIALECTS) {
  describe(`DIMSE and DICOMweb interoperability with odil on ${dialect}`, () => {
    let lb: TestLightbox;
    let dir: string;
    const patientId = `ODIL-${Date.now()}`;
    const { studyUid, files } = syntheticStudy(patientId, 2);
    const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
    let rle: PydicomCopy; // stored in its own syntax by the second test, sent on by the last

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-odil-'));
      expect(await registerNode(lb, 'odil', { aet: 'ODILSCU', port: 104 })).toBe(201);
    });
    afterAll(async () => {
      await lb?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('answers C-ECHO from the odil command', async () => {
      const { stderr } = await run(
        PYTHON,
        ['/usr/bin/odil', 'echo', '-v', 'info', '127.0.0.1', String(lb.dicomPort), 'ODILSCU', TEST_AE_TITLE],
        { timeout: 30_000 },
      );
      expect(stderr).toContain('C-ECHO successful');
    });

    it('stores what odil sends, uncompressed and in a compressed syntax negotiated for it', async () => {
      const paths: string[] = [];
      for (const [i, file] of files.entries()) {
        paths.push(path.join(dir, `synthetic-${i}.dcm`));
        await writeFile(paths[i]!, file);
      }
      rle = await pydicomCopy(dir, 'MR_small_RLE.dcm');
      const lines = (
        await odilPeer(['store', String(lb.dicomPort), TEST_AE_TITLE, 'as-file', ...paths, rle.file])
      )
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as StoreResult);
      expect(lines.map((l) => l.status)).toEqual([0, 0, 0]);
      // odil re-encodes the data sets it reads (so no byte-for-byte check here): each is stored as sent.
      const stored = (await lb.running.services.archive.prepareInstances({ studyUid }, actor)).instances;
      expect(stored.map((i) => i.sopInstanceUid).sort()).toEqual(
        (await Promise.all(files.map(sopInstanceUidOf))).sort(),
      );
      for (const instance of stored)
        expect(instance.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      const compressed = (
        await lb.running.services.archive.prepareInstances({ studyUid: rle.studyUid }, actor)
      ).instances;
      expect(compressed.map((i) => [i.sopInstanceUid, i.transferSyntaxUid])).toEqual([
        [rle.sopInstanceUid, TransferSyntaxUid.RLELossless],
      ]);
    });

    it('refuses compressed pixel data sent under Explicit VR Little Endian (C000), as `odil store` sends it', async () => {
      // PS3.5 A.4: encapsulated Pixel Data only in an encapsulated transfer syntax. Kept, the RLE
      // fragments would later be served as uncompressed frames.
      const refused = await pydicomCopy(dir, 'MR_small_RLE.dcm');
      const [result] = (
        await odilPeer(['store', String(lb.dicomPort), TEST_AE_TITLE, 'native', refused.file])
      )
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as StoreResult);
      expect(result!.status).toBe(0xc000);
      expect(result!.comment).toContain('compressed Pixel Data in a native transfer syntax');
      // Its study holds only the copy the previous test stored in its own syntax.
      const study = (
        await lb.running.services.archive.prepareInstances({ studyUid: refused.studyUid }, actor)
      ).instances;
      expect(study.map((i) => i.sopInstanceUid)).toEqual([rle.sopInstanceUid]);
    });

    it('returns SOP Classes in Study and the counts odil asks for in C-FIND', async () => {
      const sopClass = getString((await readPart10(files[0]!)).dataSet, Tag.SOPClassUID)!;
      const study = JSON.parse(
        await odilPeer([
          'find',
          String(lb.dicomPort),
          TEST_AE_TITLE,
          'study',
          JSON.stringify({ QueryRetrieveLevel: 'STUDY', PatientID: patientId, SOPClassesInStudy: null }),
        ]),
      ) as Array<Record<string, { Value?: unknown[] }>>;
      expect(study).toHaveLength(1);
      expect(study[0]!['00080062']?.Value).toEqual([sopClass]);
      const images = JSON.parse(
        await odilPeer([
          'find',
          String(lb.dicomPort),
          TEST_AE_TITLE,
          'patient',
          JSON.stringify({
            QueryRetrieveLevel: 'IMAGE',
            PatientID: patientId,
            StudyInstanceUID: studyUid,
            SOPInstanceUID: null,
            NumberOfStudyRelatedInstances: null,
          }),
        ]),
      ) as Array<Record<string, { Value?: unknown[] }>>;
      expect(images).toHaveLength(2);
      for (const image of images) expect(image['00201208']?.Value).toEqual([2]);
    });

    it('sends the study to the `odil get` command (C-GET, storage contexts from SOP Classes in Study)', async () => {
      const target = await mkdtemp(path.join(dir, 'get-'));
      const { stdout } = await run(
        PYTHON,
        [
          '/usr/bin/odil',
          'get',
          '-d',
          target,
          '127.0.0.1',
          String(lb.dicomPort),
          'ODILSCU',
          TEST_AE_TITLE,
          'study',
          'QueryRetrieveLevel=STUDY',
          `StudyInstanceUID=${studyUid}`,
        ],
        { timeout: 30_000 },
      );
      expect(stdout).toContain('Completed: 2, remaining: 0, failed: 0');
      const received = await readdir(target);
      expect(received.sort()).toEqual((await Promise.all(files.map(sopInstanceUidOf))).sort());
    });

    it("serves frames odil's WADO-RS client can parse (each part has its Content-Location)", async () => {
      const [instance] = (await lb.running.services.archive.prepareInstances({ studyUid }, actor)).instances;
      const { status, parts } = JSON.parse(
        await odilPeer([
          'frames',
          lb.dicomweb,
          lb.authorization,
          instance!.studyUid,
          instance!.seriesUid,
          instance!.sopInstanceUid,
          '1',
        ]),
      ) as { status: number; parts: Array<{ location: string; length: number }> };
      expect(status).toBe(200);
      expect(parts).toEqual([
        {
          location: `${lb.dicomweb}/studies/${instance!.studyUid}/series/${instance!.seriesUid}/instances/${instance!.sopInstanceUid}/frames/1`,
          length: 16 * 16 * 2,
        },
      ]);
    });

    it('echoes an odil SCP and sends it studies from the API, an RLE one in its stored syntax', async () => {
      const port = await freePort();
      const child: ChildProcess = spawn(PYTHON, [PEER, 'scp', String(port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await until(async () => output.includes('READY'), 'the odil SCP');
        expect(await registerNode(lb, 'odilscp', { aet: 'ODILSCP', port })).toBe(201);
        const post = (url: string, body?: unknown) =>
          fetch(`${lb.baseUrl}/api/dicom-nodes/odilscp/${url}`, {
            method: 'POST',
            headers:
              body === undefined
                ? { authorization: lb.authorization }
                : { authorization: lb.authorization, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
        expect(await (await post('echo')).json()).toMatchObject({ ok: true, status: 0 });
        for (const study of [studyUid, rle.studyUid]) {
          const job = (await (await post('send', { studyUid: study })).json()) as { id: string };
          let state = '';
          await until(async () => {
            const response = await fetch(`${lb.baseUrl}/api/jobs/${job.id}`, {
              headers: { authorization: lb.authorization },
            });
            state = ((await response.json()) as { state: string }).state;
            return state === 'succeeded' || state === 'failed';
          }, 'the send job');
          expect(state).toBe('succeeded');
        }
        const uids = [...(await Promise.all(files.map(sopInstanceUidOf))), rle.sopInstanceUid];
        for (const uid of uids) expect(output).toContain(`STORED ${uid}`);
      } finally {
        child.kill();
      }
    });
  });
}

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMultipart } from '../test-support/dicomweb-client.js';
import { freePort } from '../test-support/free-port.js';
import { startOrthanc, type OrthancPeer } from '../test-support/orthanc-peer.js';
import { dataSetBytes, storeInArchive, syntheticStudy } from '../test-support/dimse-fixtures.js';
import { pydicomCopy } from '../test-support/pydicom-copy.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

const run = promisify(execFile);

/** A minimal PDF (of an even length, as an encapsulated document's value needs no pad byte then). */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

interface JobJson {
  id: string;
  state: string;
  attempts: number;
  error: string | null;
  report: { completed: number; failed: number } | null;
}

for (const dialect of DIALECTS) {
  describe(`DIMSE SCU from the API, against Orthanc, on ${dialect}`, () => {
    let lb: TestLightbox;
    let orthanc: OrthancPeer;
    let dir: string;
    const api = (method: string, route: string, body?: unknown) =>
      fetch(`${lb.baseUrl}/api${route}`, {
        method,
        headers: {
          authorization: lb.authorization,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    async function finished(job: JobJson): Promise<JobJson> {
      for (let i = 0; i < 200; i++) {
        const current = (await (await api('GET', `/jobs/${job.id}`)).json()) as JobJson;
        if (['succeeded', 'failed', 'cancelled'].includes(current.state)) return current;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`job ${job.id} did not finish`);
    }
    interface Transfer {
      action: string;
      patientIds: string[];
      detail: string;
      transfer?: {
        source: { aeTitle: string; host?: string };
        destination: { aeTitle: string; host?: string };
      };
    }
    /** The retrieves (110104 R) recorded for a study: a send job records those. */
    async function transfers(studyUid: string): Promise<Transfer[]> {
      const response = await api('GET', `/audit-events?studyUid=${studyUid}&eventId=110104&limit=1000`);
      return ((await response.json()) as Transfer[]).filter((e) => e.action === 'R');
    }
    /** A send job's transfer: from Lightbox's AE to the node's (PS3.15 A.5.3.4 Source and Destination). */
    const toOrthanc = (instances: number) => ({
      detail: `from "${TEST_AE_TITLE}" (127.0.0.1) to "ORTHANC" (127.0.0.1): ${instances} instances`,
      transfer: {
        source: { aeTitle: TEST_AE_TITLE, host: '127.0.0.1' },
        destination: { aeTitle: 'ORTHANC', host: '127.0.0.1' },
      },
    });
    async function inLightbox(studyUid: string): Promise<number> {
      const response = await fetch(`${lb.dicomweb}/studies/${studyUid}/instances`, {
        headers: { authorization: lb.authorization },
      });
      return response.status === 200 ? ((await response.json()) as unknown[]).length : 0;
    }

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-scu-jobs-'));
      orthanc = await startOrthanc({
        dicomModalities: { lightbox: { aet: TEST_AE_TITLE, host: '127.0.0.1', port: lb.dicomPort } },
      });
      expect(
        (
          await api('PUT', '/dicom-nodes/orthanc', {
            aet: 'ORTHANC',
            host: '127.0.0.1',
            port: orthanc.dicomPort,
          })
        ).status,
      ).toBe(201);
    });
    afterAll(async () => {
      await orthanc?.stop();
      await lb?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('sends a study to Orthanc as a job with a report, byte for byte, audited once', async () => {
      const patientId = `SEND-${Date.now()}`;
      const { studyUid, files } = syntheticStudy(patientId, 3);
      for (const file of files) await storeInArchive(lb, file);
      const queued = await api('POST', '/dicom-nodes/orthanc/send', { studyUid });
      expect(queued.status).toBe(202);
      const job = (await queued.json()) as JobJson;
      expect(queued.headers.get('location')).toBe(`/api/jobs/${job.id}`);
      const done = await finished(job);
      expect(done.state).toBe('succeeded');
      expect(done.report).toMatchObject({ completed: 3, failed: 0 });
      expect(await transfers(studyUid)).toMatchObject([{ patientIds: [patientId], ...toOrthanc(3) }]);
      const found = await orthanc.post<string[]>('/tools/lookup', studyUid);
      expect(found).toHaveLength(1);
      const ids = await orthanc.get<string[]>('/instances');
      for (const id of ids) {
        const file = await orthanc.getBytes(`/instances/${id}/file`);
        const uid = getString((await readPart10(file)).dataSet, Tag.SOPInstanceUID)!;
        const original = files.find((f) => dataSetBytes(f).includes(Buffer.from(uid)));
        if (original !== undefined)
          expect(Buffer.compare(dataSetBytes(file), dataSetBytes(original))).toBe(0);
      }
    });

    it('cancels a send while it runs: it stops at the next instance and reports what the node has not taken', async () => {
      const count = 150;
      const { studyUid, files } = syntheticStudy(`CANCEL-${Date.now()}`, count);
      for (const file of files) await storeInArchive(lb, file);
      const job = (await (await api('POST', '/dicom-nodes/orthanc/send', { studyUid })).json()) as JobJson;
      let progress = 0;
      for (let i = 0; i < 300 && progress === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        const current = (await (await api('GET', `/jobs/${job.id}`)).json()) as JobJson & {
          progress: { completed: number } | null;
        };
        progress = current.progress?.completed ?? 0;
      }
      expect(progress).toBeGreaterThan(0);
      expect((await api('POST', `/jobs/${job.id}/cancel`)).status).toBe(202);
      const done = (await finished(job)) as JobJson & {
        report: { completed: number; failed: number; pendingUids: string[] };
      };
      expect(done.state).toBe('cancelled');
      expect(done.report.completed).toBeLessThan(count);
      expect(done.report.pendingUids).toHaveLength(count - done.report.completed);
      const [found] = await orthanc.post<{ ID: string }[]>('/tools/lookup', studyUid);
      const inOrthanc = await orthanc.get<string[]>(`/studies/${found!.ID}/instances`);
      expect(inOrthanc).toHaveLength(done.report.completed);
      // An ended job is not cancelled again.
      expect((await api('POST', `/jobs/${job.id}/cancel`)).status).toBe(202);
    });

    it('retries only what the node has not taken', async () => {
      const patientId = `RETRY-${Date.now()}`;
      const { studyUid, files } = syntheticStudy(patientId, 3);
      // A private SOP class Orthanc does not accept: that instance fails, the others arrive.
      const refused = syntheticImage({
        patientId,
        studyInstanceUid: studyUid,
        sopInstanceUid: generateUid(),
        sopClassUid: '1.3.6.1.4.1.99999.1.1',
        rows: 4,
        columns: 4,
      });
      for (const file of [...files, refused]) await storeInArchive(lb, file);
      const job = (await (await api('POST', '/dicom-nodes/orthanc/send', { studyUid })).json()) as JobJson;
      type Report = { completed: number; failed: number; pendingUids: string[] };
      const attempt = async (n: number) => {
        for (let i = 0; i < 200; i++) {
          const current = (await (await api('GET', `/jobs/${job.id}`)).json()) as JobJson;
          if (current.attempts === n && current.state !== 'running' && current.report !== null)
            return current as JobJson & { report: Report };
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`attempt ${n} of job ${job.id} did not end`);
      };
      const first = await attempt(1);
      expect(first.report).toMatchObject({ completed: 3, failed: 1 });
      expect(first.report.pendingUids).toHaveLength(1);
      // The retry (after 5 s) sends the one instance left: the three already taken are not sent again.
      const second = await attempt(2);
      expect(second.report).toMatchObject({ completed: 3, failed: 1 });
      expect(second.report.pendingUids).toEqual(first.report.pendingUids);
      // Audited: the three the first attempt sent; the retry had no context for the one left, so sent none.
      expect(await transfers(studyUid)).toMatchObject([{ patientIds: [patientId], ...toOrthanc(3) }]);
      expect((await api('POST', `/jobs/${job.id}/cancel`)).status).toBe(202);
    }, 20_000);

    it('queries Orthanc with C-FIND and answers DICOM JSON', async () => {
      const patientId = `QUERY-${Date.now()}`;
      const { studyUid, files } = syntheticStudy(patientId, 1);
      await orthanc.post('/instances', files[0]!);
      const response = await api('POST', '/dicom-nodes/orthanc/query', {
        level: 'STUDY',
        keys: { PatientID: patientId },
      });
      expect(response.status).toBe(200);
      const matches = (await response.json()) as Array<Record<string, { Value?: unknown[] }>>;
      expect(matches).toHaveLength(1);
      expect(matches[0]!['0020000D']!.Value).toEqual([studyUid]);
      expect((await api('POST', '/dicom-nodes/orthanc/query', { keys: { NoSuchKeyword: 'x' } })).status).toBe(
        400,
      );
    });

    it.each(['move', 'get'] as const)('retrieves a study from Orthanc with C-%s as a job', async (method) => {
      const { studyUid, files } = syntheticStudy(`RETRIEVE-${method}-${Date.now()}`, 2);
      for (const file of files) await orthanc.post('/instances', file);
      const queued = await api('POST', '/dicom-nodes/orthanc/retrieve', { studyUid, method });
      expect(queued.status).toBe(202);
      const done = await finished((await queued.json()) as JobJson);
      expect(done.error).toBeNull();
      expect(done.state).toBe('succeeded');
      expect(done.report).toMatchObject({ completed: 2, failed: 0 });
      expect(await inLightbox(studyUid)).toBe(2);
      // Each instance arrived from Orthanc's AE to Lightbox's, whichever end opened the association.
      const response = await api('GET', `/audit-events?studyUid=${studyUid}&eventId=110104&limit=1000`);
      const stored = ((await response.json()) as Transfer[]).filter((e) => e.action === 'C');
      expect(stored.map((e) => e.transfer)).toEqual(
        files.map(() => ({
          source: { aeTitle: 'ORTHANC', host: '127.0.0.1' },
          destination: { aeTitle: TEST_AE_TITLE, host: '127.0.0.1' },
        })),
      );
    });

    /** A C-GET job of `selection` from Orthanc; resolves with the ended job. */
    async function getFromOrthanc(selection: Record<string, unknown>): Promise<JobJson> {
      const queued = await api('POST', '/dicom-nodes/orthanc/retrieve', { ...selection, method: 'get' });
      expect(queued.status).toBe(202);
      return finished((await queued.json()) as JobJson);
    }
    /** An instance as Lightbox stores it (transfer-syntax=*). */
    async function storedInLightbox(studyUid: string, seriesUid: string, sopUid: string): Promise<Buffer> {
      const response = await fetch(
        `${lb.dicomweb}/studies/${studyUid}/series/${seriesUid}/instances/${sopUid}`,
        {
          headers: {
            authorization: lb.authorization,
            accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
          },
        },
      );
      expect(response.status).toBe(200);
      const parts = splitMultipart(
        Buffer.from(await response.arrayBuffer()),
        response.headers.get('content-type')!,
      );
      return parts[0]!.body;
    }

    it('retrieves with C-GET a study of classes beyond the standard 126 and a JPEG-LS image kept as stored', async () => {
      const studyUid = generateUid();
      const patient = {
        '0010,0020': `GET-MIXED-${Date.now()}`,
        '0010,0010': 'Get^Mixed',
        // One patient's values in all three, so that none is corrected on arrival (its bytes kept).
        '0010,0030': '19700101',
        '0010,0040': 'F',
        '0020,000D': studyUid,
      };
      // RT Plan and Encapsulated PDF are not among the 126 standard classes a blind C-GET proposes.
      const plan = await pydicomCopy(dir, 'rtplan.dcm', { newSeries: true, set: patient });
      const jpegLs = await pydicomCopy(dir, 'MR_small_jpeg_ls_lossless.dcm', {
        newSeries: true,
        set: patient,
      });
      const pdfFile = path.join(dir, `${generateUid()}.dcm`);
      await writeFile(`${pdfFile}.pdf`, PDF);
      await run('pdf2dcm', [`${pdfFile}.pdf`, pdfFile]);
      await run('dcmodify', [
        '-nb',
        ...Object.entries(patient).flatMap(([t, v]) => ['-i', `(${t})=${v}`]),
        pdfFile,
      ]);
      const pdf = await readFile(pdfFile);
      expect(jpegLs.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGLSLossless);
      for (const object of [plan.bytes, jpegLs.bytes, pdf]) await orthanc.post('/instances', object);

      const done = await getFromOrthanc({ studyUid });
      expect(done.error).toBeNull();
      expect(done.state).toBe('succeeded');
      expect(done.report).toMatchObject({ completed: 3, failed: 0 });
      expect(await inLightbox(studyUid)).toBe(3);
      // The JPEG-LS image came on a JPEG-LS context: stored as Orthanc holds it, not decompressed.
      const stored = await storedInLightbox(studyUid, jpegLs.seriesUid, jpegLs.sopInstanceUid);
      expect((await readPart10(stored)).transferSyntaxUid).toBe(TransferSyntaxUid.JPEGLSLossless);
      expect(Buffer.compare(dataSetBytes(stored), dataSetBytes(jpegLs.bytes))).toBe(0);
      const { dataSet } = await readPart10(pdf);
      const storedPdf = await storedInLightbox(
        studyUid,
        getString(dataSet, Tag.SeriesInstanceUID)!,
        getString(dataSet, Tag.SOPInstanceUID)!,
      );
      expect(Buffer.compare(dataSetBytes(storedPdf), dataSetBytes(pdf))).toBe(0);
    });

    it('retrieves chosen instances with C-GET, their classes found by an image-level C-FIND', async () => {
      const studyUid = generateUid();
      const patient = { '0010,0020': `GET-SOME-${Date.now()}`, '0020,000D': studyUid };
      const plan = await pydicomCopy(dir, 'rtplan.dcm', { newSeries: true, set: patient });
      const other = await pydicomCopy(dir, 'rtplan.dcm', {
        set: { ...patient, '0020,000E': plan.seriesUid },
      });
      for (const object of [plan.bytes, other.bytes]) await orthanc.post('/instances', object);
      const done = await getFromOrthanc({
        studyUid,
        seriesUid: plan.seriesUid,
        sopInstanceUids: [plan.sopInstanceUid],
      });
      expect(done.error).toBeNull();
      expect(done.report).toMatchObject({ completed: 1, failed: 0 });
      expect(await inLightbox(studyUid)).toBe(1);
    });

    it('retries a transfer to a node that cannot be reached, keeping the reason', async () => {
      await api('PUT', '/dicom-nodes/down', { aet: 'DOWN', host: '127.0.0.1', port: await freePort() });
      const { studyUid, files } = syntheticStudy(`DOWN-${Date.now()}`, 1);
      await storeInArchive(lb, files[0]!);
      const job = (await (await api('POST', '/dicom-nodes/down/send', { studyUid })).json()) as JobJson;
      let current = job;
      for (let i = 0; i < 100 && current.attempts === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        current = (await (await api('GET', `/jobs/${job.id}`)).json()) as JobJson;
      }
      for (let i = 0; i < 50 && current.state === 'running'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        current = (await (await api('GET', `/jobs/${job.id}`)).json()) as JobJson;
      }
      expect(current.attempts).toBe(1);
      expect(current.state).toBe('queued'); // waiting for its retry
      expect(current.error).toMatch(/cannot reach/);
      expect(await transfers(studyUid)).toEqual([]); // nothing went out
      // Cancelled while it waits for its retry: it never runs again.
      const cancelled = await api('POST', `/jobs/${job.id}/cancel`);
      expect(cancelled.status).toBe(202);
      expect(((await cancelled.json()) as JobJson).state).toBe('cancelled');
      expect((await api('POST', '/jobs/00000000-0000-0000-0000-000000000000/cancel')).status).toBe(404);
      expect((await api('POST', '/dicom-nodes/nowhere/send', { studyUid })).status).toBe(404);
      expect((await api('POST', '/dicom-nodes/down/send', { studyUid: 'not a uid' })).status).toBe(400);
    });
  });
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag } from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrthanc, type OrthancPeer } from '../test-support/orthanc-peer.js';
import { dataSetBytes, registerNode, syntheticStudy } from '../test-support/dimse-fixtures.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { until } from '../test-support/until.js';

const run = promisify(execFile);

for (const dialect of DIALECTS) {
  describe(`DIMSE interoperability with Orthanc on ${dialect}`, () => {
    let lb: TestLightbox;
    let orthanc: OrthancPeer;
    const patientId = `ORTHANC-${Date.now()}`;
    const { studyUid, files } = syntheticStudy(patientId, 3);

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      orthanc = await startOrthanc({
        dicomModalities: { lightbox: { aet: TEST_AE_TITLE, host: '127.0.0.1', port: lb.dicomPort } },
      });
      expect(await registerNode(lb, 'orthanc', { aet: 'ORTHANC', port: orthanc.dicomPort })).toBe(201);
    });
    afterAll(async () => {
      await orthanc?.stop();
      await lb?.stop();
    });

    it('answers an echo from Orthanc', async () => {
      expect(await orthanc.post('/modalities/lightbox/echo', {})).toEqual({});
    });

    it('receives what Orthanc sends with C-STORE, byte for byte', async () => {
      const ids: string[] = [];
      for (const file of files) ids.push((await orthanc.post<{ ID: string }>('/instances', file)).ID);
      await orthanc.post('/modalities/lightbox/store', { Resources: ids, Synchronous: true });
      const archive = lb.running.services.archive;
      const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
      const stored = (await archive.prepareInstances({ studyUid }, actor)).instances;
      expect(stored).toHaveLength(3);
      for (const instance of stored) {
        const chunks: Buffer[] = [];
        for await (const chunk of await archive.openObject(instance)) chunks.push(chunk as Buffer);
        const original = files.find((f) => dataSetBytes(f).includes(Buffer.from(instance.sopInstanceUid)))!;
        expect(Buffer.compare(dataSetBytes(Buffer.concat(chunks)), dataSetBytes(original))).toBe(0);
      }
      // Orthanc keeps its copies; remove them so the next tests see only what Lightbox sends.
      for (const id of ids) await fetch(`${orthanc.url}/instances/${id}`, { method: 'DELETE' });
    });

    it('lets Orthanc find the study with C-FIND and pull it with C-MOVE', async () => {
      const query = await orthanc.post<{ ID: string }>('/modalities/lightbox/query', {
        Level: 'Study',
        Query: { PatientID: patientId, StudyInstanceUID: '' },
      });
      const answers = await orthanc.get<string[]>(`/queries/${query.ID}/answers`);
      expect(answers).toHaveLength(1);
      const content = await orthanc.get<Record<string, { Value: string }>>(
        `/queries/${query.ID}/answers/0/content`,
      );
      expect(content['0020,000d']!.Value).toBe(studyUid);
      await orthanc.post(`/queries/${query.ID}/retrieve`, { TargetAet: 'ORTHANC', Synchronous: true });
      await until(
        async () => (await orthanc.get<string[]>('/instances')).length === 3,
        'Orthanc to hold the study',
      );
      for (const id of await orthanc.get<string[]>('/instances')) {
        const file = await orthanc.getBytes(`/instances/${id}/file`);
        const uid = getString((await readPart10(file)).dataSet, Tag.SOPInstanceUID)!;
        const original = files.find((f) => dataSetBytes(f).includes(Buffer.from(uid)))!;
        expect(Buffer.compare(dataSetBytes(file), dataSetBytes(original))).toBe(0);
        await fetch(`${orthanc.url}/instances/${id}`, { method: 'DELETE' });
      }
    });

    it('commits storage when Orthanc asks (N-ACTION), reporting a missing instance as failed', async () => {
      const missing = generateUid();
      const instances: string[][] = [];
      for (const file of files) {
        const dataSet = (await readPart10(file)).dataSet;
        instances.push([getString(dataSet, Tag.SOPClassUID)!, getString(dataSet, Tag.SOPInstanceUID)!]);
      }
      const sopClass = instances[0]![0]!;
      instances.push([sopClass, missing]);
      const job = await orthanc.post<{ ID: string }>('/modalities/lightbox/storage-commitment', {
        DicomInstances: instances,
        Timeout: 20,
      });
      interface CommitmentReport {
        Status: string;
        Success: unknown[];
        Failures: Array<{ SOPInstanceUID: string; FailureReason: number }>;
      }
      let report: CommitmentReport = { Status: 'Pending', Success: [], Failures: [] };
      await until(async () => {
        report = await orthanc.get<CommitmentReport>(`/storage-commitment/${job.ID}`);
        return report.Status !== 'Pending';
      }, 'the storage commitment report');
      expect(report.Status).toBe('Failure');
      expect(report.Success).toHaveLength(3);
      expect(report.Failures).toHaveLength(1);
      expect(report.Failures[0]).toMatchObject({ SOPInstanceUID: missing, FailureReason: 0x0112 });
    });

    it('sends the study to Orthanc when a workstation asks for a C-MOVE there', async () => {
      await registerNode(lb, 'movescu', { aet: 'MOVESCU', port: 104 });
      const { stderr } = await run(
        'movescu',
        [
          '-v',
          '-S',
          '-aec',
          TEST_AE_TITLE,
          '-aem',
          'ORTHANC',
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `StudyInstanceUID=${studyUid}`,
          '127.0.0.1',
          String(lb.dicomPort),
        ],
        { env: { ...process.env, TCP_NODELAY: '1' } },
      );
      expect(stderr).toContain('Received Final Move Response (Success)');
      expect(await orthanc.get<string[]>('/instances')).toHaveLength(3);
    });
  });
}

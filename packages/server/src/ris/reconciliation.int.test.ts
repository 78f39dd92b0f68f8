import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, type DicomJson } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import dcmjsDimse from 'dcmjs-dimse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode } from '../test-support/dimse-fixtures.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

const run = promisify(execFile);
dcmjsDimse.log.setLevel('error');

/** Sends one MPPS N-CREATE with dcmjs-dimse (an independent SCU), as a modality starting an exam would. */
function sendMppsInProgress(port: number, attributes: Record<string, unknown>): Promise<number> {
  const { Client, Dataset } = dcmjsDimse;
  const request = new dcmjsDimse.requests.NCreateRequest(
    dcmjsDimse.constants.SopClass.ModalityPerformedProcedureStep,
    generateUid(),
  );
  request.setDataset(new Dataset(attributes));
  return new Promise((resolve, reject) => {
    let status = -1;
    request.on('response', (response: { getStatus(): number }) => (status = response.getStatus()));
    const client = new Client();
    client.addRequest(request);
    client.on('networkError', (error: Error) => reject(error));
    client.on('closed', () => resolve(status));
    client.send('127.0.0.1', port, 'ER_CT', TEST_AE_TITLE, { associationTimeout: 10_000 });
  });
}

interface ExceptionJson {
  id: number;
  kind: string;
  state: string;
  studyInstanceUid: string;
  accessionNumber: string | null;
  patient: { patientId: string };
  order: { accessionNumber: string; patient: { patientId: string } } | null;
  resolution: string | null;
  resolvedBy: string | null;
  detail: string;
}

for (const dialect of DIALECTS) {
  describe(`reconciliation queue on ${dialect}`, () => {
    let lb: TestLightbox;
    let work: string;
    let technologist: string;
    const tag = Date.now().toString(36).toUpperCase();

    const call = async (method: string, url: string, authorization: string, body?: unknown) => {
      const response = await fetch(`${lb.baseUrl}${url}`, {
        method,
        headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
    };

    /** Sends one image with storescu (a third-party SCU), as a modality would. */
    async function sendImage(fields: {
      patientId: string;
      accession: string;
      studyUid: string;
    }): Promise<void> {
      const file = path.join(work, `${generateUid()}.dcm`);
      await writeFile(
        file,
        syntheticImage({
          patientId: fields.patientId,
          issuerOfPatientId: 'HOSP',
          patientName: 'SENT^AS',
          accessionNumber: fields.accession,
          studyInstanceUid: fields.studyUid,
          sopInstanceUid: generateUid(),
          rows: 8,
          columns: 8,
        }),
      );
      await run('storescu', ['-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort), file], {
        env: { ...process.env, TCP_NODELAY: '1' },
      });
      await lb.running.services.examTracker.settled();
    }

    async function placeOrder(patientId: string): Promise<string> {
      const placed = await call('POST', '/api/orders', technologist, {
        patient: { patientId, issuer: 'HOSP', name: 'ORDERED^PATIENT' },
        modality: 'CT',
        requestedDate: '20260101',
        requestedTime: '0800',
      });
      expect(placed.status).toBe(201);
      return (placed.json as { accessionNumber: string }).accessionNumber;
    }

    async function openException(studyUid: string): Promise<ExceptionJson> {
      const list = (await call('GET', '/api/exceptions', technologist)).json as ExceptionJson[];
      const found = list.find((e) => e.studyInstanceUid === studyUid);
      expect(found, `an open exception for ${studyUid}`).toBeDefined();
      return found!;
    }

    async function qidoStudy(studyUid: string): Promise<DicomJson | undefined> {
      const response = await fetch(`${lb.dicomweb}/studies?StudyInstanceUID=${studyUid}`, {
        headers: { authorization: lb.authorization },
      });
      return response.status === 204 ? undefined : ((await response.json()) as DicomJson[])[0];
    }

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-reconcile-'));
      technologist = await createUser(lb, 'tech', { roles: ['technologist'] });
    });

    afterAll(async () => {
      await lb?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('queues a study whose accession names no order; linking it gives it the order’s accession and starts the exam', async () => {
      const accession = await placeOrder(`R1-${tag}`);
      const studyUid = generateUid();
      await sendImage({ patientId: `R1-${tag}`, accession: `TYPO-${tag}`.slice(0, 16), studyUid });
      const exception = await openException(studyUid);
      expect(exception).toMatchObject({
        kind: 'unknown-accession',
        accessionNumber: `TYPO-${tag}`.slice(0, 16),
        order: null,
      });
      expect(exception.patient.patientId).toBe(`R1-${tag}`);

      const resolved = await call('POST', `/api/exceptions/${exception.id}/resolve`, technologist, {
        action: 'link',
        accessionNumber: accession,
      });
      expect(resolved.status).toBe(200);
      expect(resolved.json).toMatchObject({
        state: 'resolved',
        resolvedBy: 'tech',
        resolution: `linked to order ${accession}`,
      });
      expect((await qidoStudy(studyUid))?.['00080050']?.Value).toEqual([accession]);
      const order = await lb.running.services.ris.orderByAccession(accession);
      expect(order).toMatchObject({ status: 'in-progress', study_instance_uid: studyUid });

      // The object sent with the typo now leaves with the order's accession number (C-GET by getscu,
      // read by dcmdump); the typo is kept in Original Attributes Sequence.
      expect(await registerNode(lb, 'getscu', { aet: 'GETSCU', port: 104 })).toBe(201);
      const retrieved = await mkdtemp(path.join(work, 'cget-'));
      await run(
        'getscu',
        [
          '-S',
          '-aec',
          TEST_AE_TITLE,
          '-od',
          retrieved,
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `StudyInstanceUID=${studyUid}`,
          '127.0.0.1',
          String(lb.dicomPort),
        ],
        { env: { ...process.env, TCP_NODELAY: '1' } },
      );
      const [file] = await readdir(retrieved);
      const dump = (await run('dcmdump', [path.join(retrieved, file!)])).stdout;
      expect(dump).toContain(`(0008,0050) SH [${accession}]`);
      expect(dump).toMatch(new RegExp(`\\(0400,0550\\) SQ[\\s\\S]*\\(0008,0050\\) SH \\[TYPO-${tag}`));

      // The rest of the study, still sent with the typo, joins it without a new exception.
      await sendImage({ patientId: `R1-${tag}`, accession: `TYPO-${tag}`.slice(0, 16), studyUid });
      expect(
        ((await call('GET', '/api/exceptions', technologist)).json as ExceptionJson[]).map(
          (e) => e.studyInstanceUid,
        ),
      ).not.toContain(studyUid);
      expect(
        (
          await call('POST', `/api/exceptions/${exception.id}/resolve`, technologist, {
            action: 'dismiss',
            reason: 'x',
          })
        ).status,
      ).toBe(409);

      const audit = await call('GET', `/api/audit-events?study=${studyUid}&eventId=110110`, lb.authorization);
      expect(JSON.stringify(audit.json)).toContain(`study reconciled with order ${accession}`);
    });

    it('queues images naming an order of another patient; linking moves the study to the order’s patient, and later images follow', async () => {
      const accession = await placeOrder(`R2-${tag}`);
      const studyUid = generateUid();
      await sendImage({ patientId: `WRONG-${tag}`, accession, studyUid });
      const exception = await openException(studyUid);
      expect(exception).toMatchObject({
        kind: 'patient-mismatch',
        order: { accessionNumber: accession, patient: { patientId: `R2-${tag}` } },
      });
      expect((await lb.running.services.ris.orderByAccession(accession))?.status).toBe('scheduled');

      const resolved = await call('POST', `/api/exceptions/${exception.id}/resolve`, technologist, {
        action: 'link',
        accessionNumber: accession,
      });
      expect(resolved.status).toBe(200);
      expect((await qidoStudy(studyUid))?.['00100020']?.Value).toEqual([`R2-${tag}`]);
      await sendImage({ patientId: `WRONG-${tag}`, accession, studyUid });
      const response = await fetch(
        `${lb.dicomweb}/studies?StudyInstanceUID=${studyUid}&includefield=00201208`,
        {
          headers: { authorization: lb.authorization },
        },
      );
      const [study] = (await response.json()) as DicomJson[];
      expect(study?.['00201208']?.Value).toEqual([2]);
    });

    it('queues an exam a modality performed without an order (MPPS); once its images arrived it is linked, MPPS included', async () => {
      const studyUid = generateUid();
      const status = await sendMppsInProgress(lb.dicomPort, {
        SpecificCharacterSet: 'ISO_IR 100',
        Modality: 'CT',
        PatientName: 'TRAUMA^UNKNOWN',
        PatientID: `R4-${tag}`,
        ScheduledStepAttributesSequence: [
          {
            AccessionNumber: '',
            StudyInstanceUID: studyUid,
            RequestedProcedureID: '',
            ScheduledProcedureStepID: '',
          },
        ],
        PerformedProcedureStepID: 'ER1',
        PerformedStationAETitle: 'ER_CT',
        PerformedProcedureStepStartDate: '20260101',
        PerformedProcedureStepStartTime: '0300',
        PerformedProcedureStepStatus: 'IN PROGRESS',
        PerformedProcedureStepDescription: 'CT trauma',
        PerformedSeriesSequence: [],
      });
      expect(status).toBe(0);
      const exception = await openException(studyUid);
      expect(exception).toMatchObject({ kind: 'unscheduled-procedure', accessionNumber: null });
      expect(exception.detail).toContain(`patient ID R4-${tag}`);

      const accession = await placeOrder(`R4-${tag}`);
      const early = await call('POST', `/api/exceptions/${exception.id}/resolve`, technologist, {
        action: 'link',
        accessionNumber: accession,
      });
      expect(early.status).toBe(409);
      expect((early.json as { detail: string }).detail).toContain('no images');

      await sendImage({ patientId: `R4-${tag}`, accession: '', studyUid });
      const linked = await call('POST', `/api/exceptions/${exception.id}/resolve`, technologist, {
        action: 'link',
        accessionNumber: accession,
      });
      expect(linked.status).toBe(200);
      const order = await lb.running.services.ris.orderByAccession(accession);
      expect(order).toMatchObject({ status: 'in-progress', study_instance_uid: studyUid });
      const performed = await lb.running.services.database.db
        .selectFrom('performed_step')
        .select('order_pk')
        .where('study_instance_uid', '=', studyUid)
        .execute();
      expect(performed).toEqual([{ order_pk: order!.pk }]);
    });

    it('dismisses with a reason, refuses an unknown order, and keeps the queue from roles that may not change orders', async () => {
      const studyUid = generateUid();
      await sendImage({ patientId: `R3-${tag}`, accession: `OUTSIDE-${tag}`.slice(0, 16), studyUid });
      const exception = await openException(studyUid);
      const unknown = await call('POST', `/api/exceptions/${exception.id}/resolve`, technologist, {
        action: 'link',
        accessionNumber: 'NOPE',
      });
      expect(unknown.status).toBe(404);
      const dismissed = await call('POST', `/api/exceptions/${exception.id}/resolve`, technologist, {
        action: 'dismiss',
        reason: 'Outside study, no order',
      });
      expect(dismissed.json).toMatchObject({ state: 'dismissed', resolution: 'Outside study, no order' });
      const listed = (await call('GET', '/api/exceptions?state=dismissed', technologist))
        .json as ExceptionJson[];
      expect(listed.map((e) => e.id)).toContain(exception.id);
      const referrer = await createUser(lb, 'referrer', { roles: ['referring-physician'] });
      expect((await call('GET', '/api/exceptions', referrer)).status).toBe(403);
    });
  });
}

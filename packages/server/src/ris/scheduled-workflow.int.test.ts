import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  generateUid,
  getString,
  readPart10,
  Tag,
  TransferSyntaxUid,
  type DataSet,
  type DicomJson,
} from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { CommandField, Status } from '@lightbox/dimse';
import { connectMllp } from '@lightbox/hl7';
import { connectScu } from '@lightbox/dimse/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdentifier } from '../dimse-scp/identifier.js';
import { registerNode, storeInArchive } from '../test-support/dimse-fixtures.js';
import { ackOf, hl7Message, hl7Now, mllpFrames, mllpSend } from '../test-support/hl7-peers.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

const run = promisify(execFile);
const dcmtkEnv = { ...process.env, TCP_NODELAY: '1' };
const MPPS = '1.2.840.10008.3.1.2.3.3';

/** A segment from its numbered fields (HL7 numbering; MSH is written whole by the caller). */
function segment(id: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  const values = Array.from({ length: last }, (_, i) => fields[i + 1] ?? '');
  return [id, ...values].join('|');
}

function msh(type: string, controlId: string, version: string): string {
  return `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||${type}|${controlId}|P|${version}`;
}

for (const dialect of DIALECTS) {
  describe(`scheduled workflow (IHE SWF) on ${dialect}`, () => {
    let lb: TestLightbox;
    let work: string;
    const run10 = Date.now().toString(36).toUpperCase();
    const patientId = `PAT-${run10}`;
    const priorPatientId = `OLD-${run10}`;
    const today = hl7Now().slice(0, 8);
    const start = `${today}1030`;
    const mrStudyUid = generateUid();

    const pid = (id = patientId, name = 'DOE^JANE^Q') =>
      segment('PID', { 1: '1', 3: `${id}^^^HOSP^MR`, 5: name, 7: '19800102', 8: 'F' });
    const pv1 = segment('PV1', { 1: '1', 2: 'O', 3: 'RAD^101^1', 8: '1234^WELBY^MARCUS', 19: 'V-77' });
    const ormNew = (control: string, placer: string, accession: string, modality = 'CT') =>
      hl7Message(
        msh('ORM^O01', control, '2.3.1'),
        pid(),
        pv1,
        segment('ORC', { 1: 'NW', 2: `${placer}^EHR`, 7: `^^^${start}^^R`, 12: '5678^ORDERER^OLIVIA' }),
        segment('OBR', {
          1: '1',
          2: `${placer}^EHR`,
          4: 'CTHEAD^CT head without contrast^L',
          18: accession,
          19: `RP-${accession}`,
          24: modality,
          27: `^^^${start}^^R`,
          31: '^Headache after a fall',
        }),
      );

    /** findscu against the worklist; responses come back as data sets. */
    async function worklist(keys: string[]): Promise<DataSet[]> {
      const out = await mkdtemp(path.join(work, 'mwl-'));
      const args = ['-W', '-X', '-od', out, '-aec', TEST_AE_TITLE, '-aet', 'CT_SCANNER'];
      for (const key of keys) args.push('-k', key);
      await run('findscu', [...args, '127.0.0.1', String(lb.dicomPort)], { env: dcmtkEnv });
      const files = (await readdir(out)).filter((f) => f.startsWith('rsp')).sort();
      const responses: DataSet[] = [];
      for (const file of files)
        responses.push((await readPart10(await readFile(path.join(out, file)))).dataSet);
      return responses;
    }

    const sps = (key: string) => `ScheduledProcedureStepSequence[0].${key}`;
    const stepOf = (ds: DataSet) => ds.get(Tag.ScheduledProcedureStepSequence)?.items?.[0];

    async function qido(query: string): Promise<DicomJson[]> {
      const response = await fetch(`${lb.dicomweb}/studies?${query}`, {
        headers: { authorization: lb.authorization },
      });
      return response.status === 204 ? [] : ((await response.json()) as DicomJson[]);
    }

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-swf-'));
    });

    afterAll(async () => {
      await lb?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('takes ADT^A01 and ORM^O01 (v2.3.1) from mllp_send; the order is scheduled at once and findscu -W finds it', async () => {
      const adt = hl7Message(
        msh('ADT^A01', `ADT-${run10}`, '2.3.1'),
        segment('EVN', { 1: 'A01' }),
        pid(),
        pv1,
      );
      const acks = await mllpSend(lb.hl7Port, [adt, ormNew(`ORM-${run10}`, `PL-${run10}`, `A1-${run10}`)]);
      expect(acks.map((a) => ackOf(a).code)).toEqual(['AA', 'AA']);
      expect(acks[1]).toContain(`MSA|AA|ORM-${run10}`);

      const found = await worklist([
        sps('Modality=CT'),
        sps(`ScheduledProcedureStepStartDate=${today}`),
        sps('ScheduledStationAETitle=CT_SCANNER'),
        sps('ScheduledProcedureStepID'),
        sps('ScheduledProcedureStepStartTime'),
        'PatientName',
        `PatientID=${patientId}`,
        'PatientBirthDate',
        'AccessionNumber',
        'StudyInstanceUID',
        'RequestedProcedureID',
        'RequestedProcedureDescription',
        'ReferringPhysicianName',
        'RequestedProcedurePriority',
      ]);
      expect(found).toHaveLength(1);
      const item = found[0]!;
      expect(getString(item, Tag.PatientName)).toBe('DOE^JANE^Q');
      expect(getString(item, Tag.PatientBirthDate)).toBe('19800102');
      expect(getString(item, Tag.AccessionNumber)).toBe(`A1-${run10}`);
      expect(getString(item, Tag.RequestedProcedureID)).toBe(`RP-A1-${run10}`);
      expect(getString(item, Tag.RequestedProcedureDescription)).toBe('CT head without contrast');
      expect(getString(item, Tag.ReferringPhysicianName)).toBe('WELBY^MARCUS');
      expect(getString(item, Tag.RequestedProcedurePriority)).toBe('ROUTINE');
      expect(getString(item, Tag.StudyInstanceUID)).toMatch(/^[0-9.]+$/);
      const step = stepOf(item)!;
      expect(getString(step, Tag.Modality)).toBe('CT');
      expect(getString(step, Tag.ScheduledProcedureStepStartTime)).toBe('103000');
      expect(getString(step, Tag.ScheduledProcedureStepID)).toMatch(/^SPS\d+$/);

      expect(await worklist([sps('Modality=MR'), `PatientID=${patientId}`])).toHaveLength(0);
      const order = await lb.running.services.ris.orderByAccession(`A1-${run10}`);
      expect(order?.status).toBe('scheduled');
    });

    it('takes OMI^O23 (v2.5.1) with TQ1 and IPC: the step keeps the station, step ID and Study Instance UID sent', async () => {
      const omi = hl7Message(
        msh('OMI^O23^OMI_O23', `OMI-${run10}`, '2.5.1'),
        pid(),
        pv1,
        segment('ORC', { 1: 'NW', 2: `PL2-${run10}^EHR`, 12: '5678^ORDERER^OLIVIA' }),
        segment('TQ1', { 1: '1', 7: `${today}1400`, 9: 'S' }),
        segment('OBR', { 1: '1', 2: `PL2-${run10}^EHR`, 4: 'MRBRAIN^MR brain^L' }),
        segment('IPC', {
          1: `A2-${run10}`,
          2: `RP2-${run10}`,
          3: mrStudyUid,
          4: `S2-${run10}`.slice(0, 16),
          5: 'MR',
          6: 'BRAIN-T1^T1 brain protocol^L',
          7: 'MR ROOM 2',
          8: 'ROOM2',
          9: 'MR1',
        }),
      );
      const [ack] = await mllpSend(lb.hl7Port, [omi]);
      expect(ackOf(ack!).code).toBe('AA');

      const found = await worklist([
        sps('ScheduledStationAETitle=MR1'),
        sps('Modality=MR'),
        sps('ScheduledProcedureStepID'),
        sps('ScheduledStationName'),
        sps('ScheduledProcedureStepLocation'),
        sps('ScheduledProtocolCodeSequence'),
        'StudyInstanceUID',
        'AccessionNumber',
        'RequestedProcedurePriority',
      ]);
      expect(found).toHaveLength(1);
      const item = found[0]!;
      expect(getString(item, Tag.StudyInstanceUID)).toBe(mrStudyUid);
      expect(getString(item, Tag.AccessionNumber)).toBe(`A2-${run10}`);
      expect(getString(item, Tag.RequestedProcedurePriority)).toBe('STAT');
      const step = stepOf(item)!;
      expect(getString(step, Tag.ScheduledProcedureStepID)).toBe(`S2-${run10}`.slice(0, 16));
      expect(getString(step, Tag.ScheduledStationName)).toBe('MR ROOM 2');
      const protocol = step.get(Tag.ScheduledProtocolCodeSequence)?.items?.[0];
      expect(protocol && getString(protocol, Tag.CodeValue)).toBe('BRAIN-T1');
      // Assigned to MR1: another station does not see it.
      expect(await worklist([sps('ScheduledStationAETitle=CT_SCANNER'), sps('Modality=MR')])).toHaveLength(0);
      // A station asking with its AE title alone gets the unassigned CT step, not MR1's step.
      const byStationOnly = await worklist([sps('ScheduledStationAETitle=ANY_ROOM'), 'AccessionNumber']);
      const accessions = byStationOnly.map((ds) => getString(ds, Tag.AccessionNumber));
      expect(accessions).toContain(`A1-${run10}`);
      expect(accessions).not.toContain(`A2-${run10}`);
    });

    it('links images sent by storescu to their order by accession number, and MPPS N-CREATE/N-SET drive the exam', async () => {
      // Images without MPPS: the first one moves the exam to in progress and links the study.
      const imageStudyUid = generateUid();
      const file = path.join(work, 'ct.dcm');
      await writeFile(
        file,
        syntheticImage({
          patientId,
          issuerOfPatientId: 'HOSP',
          patientName: 'DOE^JANE^Q',
          accessionNumber: `A1-${run10}`,
          studyInstanceUid: imageStudyUid,
          sopInstanceUid: generateUid(),
          modality: 'CT',
          rows: 16,
          columns: 16,
        }),
      );
      await run('storescu', ['-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort), file], {
        env: dcmtkEnv,
      });
      await lb.running.services.examTracker.settled();
      const linked = await lb.running.services.ris.orderByAccession(`A1-${run10}`);
      expect(linked?.status).toBe('in-progress');
      expect(linked?.study_instance_uid).toBe(imageStudyUid);

      // MPPS from an SCU for the MR order: IN PROGRESS, then COMPLETED; a completed step cannot change.
      const association = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        callingAeTitle: 'MR1',
        contexts: [
          { id: 1, abstractSyntax: MPPS, transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian] },
        ],
      });
      try {
        const mppsUid = generateUid();
        const ts = TransferSyntaxUid.ExplicitVRLittleEndian;
        const created = await association.sendRequest(
          1,
          {
            commandField: CommandField.NCreateRq,
            affectedSopClassUid: MPPS,
            affectedSopInstanceUid: mppsUid,
          },
          encodeIdentifier(
            {
              '00100020': { vr: 'LO', Value: [patientId] },
              '00400252': { vr: 'CS', Value: ['IN PROGRESS'] },
              '00400253': { vr: 'SH', Value: ['PPS-1'] },
              '00400244': { vr: 'DA', Value: [today] },
              '00400245': { vr: 'TM', Value: ['140500'] },
              '00400270': {
                vr: 'SQ',
                Value: [
                  {
                    '00080050': { vr: 'SH', Value: [`A2-${run10}`] },
                    '0020000D': { vr: 'UI', Value: [mrStudyUid] },
                  },
                ],
              },
            },
            ts,
          ),
        );
        expect(created.command.status).toBe(Status.Success);
        expect(created.command.affectedSopInstanceUid).toBe(mppsUid);
        expect((await lb.running.services.ris.orderByAccession(`A2-${run10}`))?.status).toBe('in-progress');
        // The step left the worklist once started.
        expect(await worklist([sps('ScheduledStationAETitle=MR1'), sps('Modality=MR')])).toHaveLength(0);

        const completion = encodeIdentifier(
          {
            '00400252': { vr: 'CS', Value: ['COMPLETED'] },
            '00400250': { vr: 'DA', Value: [today] },
            '00400251': { vr: 'TM', Value: ['143000'] },
          },
          ts,
        );
        const set = await association.sendRequest(
          1,
          { commandField: CommandField.NSetRq, requestedSopClassUid: MPPS, requestedSopInstanceUid: mppsUid },
          completion,
        );
        expect(set.command.status).toBe(Status.Success);
        expect((await lb.running.services.ris.orderByAccession(`A2-${run10}`))?.status).toBe('completed');
        const again = await association.sendRequest(
          1,
          { commandField: CommandField.NSetRq, requestedSopClassUid: MPPS, requestedSopInstanceUid: mppsUid },
          completion,
        );
        // PS3.4 F.7.2.2.2: Processing failure 0110 with Error ID A710.
        expect(again.command.status).toBe(0x0110);
        expect(again.command.errorId).toBe(0xa710);
        const unknown = await association.sendRequest(
          1,
          {
            commandField: CommandField.NSetRq,
            requestedSopClassUid: MPPS,
            requestedSopInstanceUid: generateUid(),
          },
          completion,
        );
        expect(unknown.command.status).toBe(0x0112);
      } finally {
        await association.release();
      }
      // The CT exam had no MPPS: once its images stop coming it is taken as completed.
      const tracker = lb.running.services.examTracker;
      expect(await tracker.completeQuietExams(60_000)).toBe(0);
      expect(await tracker.completeQuietExams(60_000, Date.now() + 120_000)).toBe(1);
      const done = await lb.running.services.ris.order(`A1-${run10}`, {
        username: 'test',
        roles: ['admin'],
        protocol: 'system',
      });
      expect(done.status).toBe('completed');
      expect(done.history.at(-1)).toMatchObject({ status: 'completed', reason: 'images complete (no MPPS)' });
    });

    it('shows an A08 rename in QIDO-RS, C-FIND, and in the objects WADO-RS, WADO-URI and C-GET send (IHE PIR)', async () => {
      const [ack] = await mllpSend(lb.hl7Port, [
        hl7Message(
          msh('ADT^A08', `A08-${run10}`, '2.5.1'),
          segment('EVN', { 2: hl7Now() }),
          pid(patientId, 'ROE^JANE'),
        ),
      ]);
      expect(ackOf(ack!).code).toBe('AA');
      const studies = await qido(`PatientID=${patientId}&includefield=00100010`);
      expect(studies.length).toBeGreaterThan(0);
      expect(studies[0]!['00100010']?.Value?.[0]).toEqual({ Alphabetic: 'ROE^JANE' });
      expect(await qido(`PatientName=ROE*&PatientID=${patientId}`)).toHaveLength(studies.length);
      expect(await qido(`PatientName=DOE*&PatientID=${patientId}`)).toHaveLength(0);

      // WADO-RS metadata gives the current name, with the name the modality sent kept as original.
      const studyUid = studies[0]!['0020000D']?.Value?.[0] as string;
      const metadata = (await (
        await fetch(`${lb.dicomweb}/studies/${studyUid}/metadata`, {
          headers: { authorization: lb.authorization },
        })
      ).json()) as DicomJson[];
      expect(metadata[0]!['00100010']?.Value).toEqual([{ Alphabetic: 'ROE^JANE' }]);
      const original = (metadata[0]!['04000561']?.Value as DicomJson[])[0]!;
      expect((original['04000550']?.Value as DicomJson[])[0]!['00100010']?.Value).toEqual([
        { Alphabetic: 'DOE^JANE^Q' },
      ]);

      expect(await registerNode(lb, 'findscu', { aet: 'FINDSCU', port: 104 })).toBe(201);
      const out = await mkdtemp(path.join(work, 'cfind-'));
      await run(
        'findscu',
        [
          '-S',
          '-X',
          '-od',
          out,
          '-aec',
          TEST_AE_TITLE,
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `PatientID=${patientId}`,
          '-k',
          'PatientName',
          '127.0.0.1',
          String(lb.dicomPort),
        ],
        { env: dcmtkEnv },
      );
      const files = (await readdir(out)).filter((f) => f.startsWith('rsp'));
      expect(files.length).toBe(studies.length);
      const first = (await readPart10(await readFile(path.join(out, files[0]!)))).dataSet;
      expect(getString(first, Tag.PatientName)).toBe('ROE^JANE');

      // Whole objects leave with the current name; what the modality sent is in Original Attributes
      // Sequence. Read back with DCMTK's dcmdump, and checked as Part 10 files by dcmftest.
      const dump = async (file: string) => (await run('dcmdump', ['+L', file], { env: dcmtkEnv })).stdout;
      const expectCorrected = (text: string) => {
        expect(text).toMatch(/\(0010,0010\) PN \[ROE\^JANE\]/);
        expect(text).toContain('(0400,0561) SQ');
        expect(text).toMatch(/\(0400,0550\) SQ[\s\S]*\(0010,0010\) PN \[DOE\^JANE\^Q\]/);
        expect(text).toMatch(/\(0400,0565\) CS \[CORRECT\]/);
      };
      const seriesUid = metadata[0]!['0020000E']?.Value?.[0] as string;
      const sopUid = metadata[0]!['00080018']?.Value?.[0] as string;
      const uri = await fetch(
        `${lb.baseUrl}/wado?requestType=WADO&studyUID=${studyUid}&seriesUID=${seriesUid}&objectUID=${sopUid}&contentType=application/dicom`,
        { headers: { authorization: lb.authorization } },
      );
      expect(uri.status).toBe(200);
      const fromUri = path.join(out, 'wado-uri.dcm');
      await writeFile(fromUri, Buffer.from(await uri.arrayBuffer()));
      await run('dcmftest', [fromUri]);
      expectCorrected(await dump(fromUri));

      const asStored = await fetch(
        `${lb.dicomweb}/studies/${studyUid}/series/${seriesUid}/instances/${sopUid}`,
        {
          headers: {
            authorization: lb.authorization,
            accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
          },
        },
      );
      expect(asStored.status).toBe(200);
      const body = Buffer.from(await asStored.arrayBuffer());
      const part = body.subarray(body.indexOf('\r\n\r\n') + 4);
      const fromRs = path.join(out, 'wado-rs.dcm');
      await writeFile(fromRs, part.subarray(0, part.lastIndexOf('\r\n--')));
      expectCorrected(await dump(fromRs));

      const retrieved = await mkdtemp(path.join(work, 'cget-'));
      await run(
        'getscu',
        [
          '-S',
          '-aet',
          'FINDSCU',
          '-aec',
          TEST_AE_TITLE,
          '-od',
          retrieved,
          '-k',
          'QueryRetrieveLevel=IMAGE',
          '-k',
          `StudyInstanceUID=${studyUid}`,
          '-k',
          `SeriesInstanceUID=${seriesUid}`,
          '-k',
          `SOPInstanceUID=${sopUid}`,
          '127.0.0.1',
          String(lb.dicomPort),
        ],
        { env: dcmtkEnv },
      );
      const [got] = await readdir(retrieved);
      expectCorrected(await dump(path.join(retrieved, got!)));
    });

    it('merges on A40: the prior patient’s studies move to the survivor, and later images follow', async () => {
      const priorStudy = generateUid();
      const image = (studyUid: string) =>
        syntheticImage({
          patientId: priorPatientId,
          issuerOfPatientId: 'HOSP',
          patientName: 'DOE^J',
          studyInstanceUid: studyUid,
          sopInstanceUid: generateUid(),
          rows: 8,
          columns: 8,
        });
      await storeInArchive(lb, image(priorStudy));
      const before = (await qido(`PatientID=${patientId}`)).length;
      const [ack] = await mllpSend(lb.hl7Port, [
        hl7Message(
          msh('ADT^A40^ADT_A39', `A40-${run10}`, '2.5.1'),
          segment('EVN', { 2: hl7Now() }),
          pid(patientId, 'ROE^JANE'),
          segment('MRG', { 1: `${priorPatientId}^^^HOSP^MR` }),
        ),
      ]);
      expect(ackOf(ack!).code).toBe('AA');
      const after = await qido(`PatientID=${patientId}`);
      expect(after.length).toBe(before + 1);
      expect(after.map((s) => s['0020000D']?.Value?.[0])).toContain(priorStudy);
      expect(await qido(`PatientID=${priorPatientId}`)).toHaveLength(0);
      // An image still carrying the old ID lands on the surviving patient.
      const lateStudy = generateUid();
      await storeInArchive(lb, image(lateStudy));
      expect((await qido(`PatientID=${patientId}`)).map((s) => s['0020000D']?.Value?.[0])).toContain(
        lateStudy,
      );
    });

    it('answers a resent message from its log without applying it twice', async () => {
      const message = ormNew(`DUP-${run10}`, `PL3-${run10}`, `A3-${run10}`);
      const [first] = await mllpSend(lb.hl7Port, [message]);
      const [second] = await mllpSend(lb.hl7Port, [message]);
      expect(ackOf(first!).code).toBe('AA');
      expect(second).toBe(first);
      const orders = await lb.running.services.database.db
        .selectFrom('imaging_order')
        .select('pk')
        .where('placer_order_number', '=', `PL3-${run10}`)
        .execute();
      expect(orders).toHaveLength(1);
    });

    it('refuses bad input with AR or AE and a precise ERR, and applies nothing', async () => {
      const noPatientId = hl7Message(
        msh('ORM^O01', `BAD1-${run10}`, '2.5.1'),
        segment('PID', { 1: '1', 5: 'NOBODY^NO' }),
        segment('ORC', { 1: 'NW', 2: `PL4-${run10}^EHR` }),
        segment('OBR', { 1: '1', 2: `PL4-${run10}^EHR`, 4: 'X^X^L', 24: 'CT' }),
      );
      const unknownType = hl7Message(msh('ZZZ^Z01', `BAD2-${run10}`, '2.5.1'), pid());
      const missingPrior = hl7Message(
        msh('ADT^A40', `BAD3-${run10}`, '2.5.1'),
        pid(),
        segment('MRG', { 1: `NOBODY-${run10}^^^HOSP^MR` }),
      );
      const unknownOrder = hl7Message(
        msh('ORM^O01', `BAD4-${run10}`, '2.3.1'),
        pid(),
        segment('ORC', { 1: 'CA', 2: `NOSUCH-${run10}^EHR` }),
        segment('OBR', { 1: '1', 2: `NOSUCH-${run10}^EHR` }),
      );
      const badVersion = hl7Message(msh('ADT^A08', `BAD5-${run10}`, '3.0'), pid());
      const duplicate = ormNew(`BAD6-${run10}`, `PL-${run10}`, `A9-${run10}`);
      const reusedStudy = hl7Message(
        msh('OMI^O23^OMI_O23', `BAD8-${run10}`, '2.5.1'),
        pid(),
        segment('ORC', { 1: 'NW', 2: `PL8-${run10}^EHR` }),
        segment('OBR', { 1: '1', 2: `PL8-${run10}^EHR`, 4: 'MRBRAIN^MR brain^L' }),
        segment('IPC', { 1: `A8-${run10}`, 3: mrStudyUid, 5: 'MR' }),
      );
      const unknownCharset = hl7Message(
        `${msh('ADT^A08', `BAD9-${run10}`, '2.5.1')}||||||ISO-8859-99`,
        pid(),
      );
      const [reused, charset] = (await mllpSend(lb.hl7Port, [reusedStudy, unknownCharset])).map(ackOf);
      expect(reused).toMatchObject({ code: 'AE' });
      expect(reused!.errors.join()).toContain('|205^');
      expect(await lb.running.services.ris.orderByAccession(`A8-${run10}`)).toBeUndefined();
      expect(charset).toMatchObject({ code: 'AR' });
      expect(charset!.errors.join()).toMatch(/MSH\^\d*\^18\|102\^/);
      const badEncoding = hl7Message(
        `MSH|^^\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||ADT^A08|BAD7-${run10}|P|2.5.1`,
        pid(),
      );
      const acks = (
        await mllpSend(lb.hl7Port, [
          noPatientId,
          unknownType,
          missingPrior,
          unknownOrder,
          badVersion,
          duplicate,
        ])
      ).map(ackOf);
      expect(acks.map((a) => a.code)).toEqual(['AE', 'AR', 'AE', 'AE', 'AR', 'AE']);
      expect(acks[0]!.errors.join()).toMatch(/PID\^\d*\^3\|101\^/);
      expect(acks[1]!.errors.join()).toContain('200');
      expect(acks[2]!.errors.join()).toMatch(/MRG\^\d*\^1\|204\^/);
      expect(acks[3]!.errors.join()).toContain('204');
      expect(acks[4]!.errors.join()).toContain('203');
      expect(acks[5]!.errors.join()).toContain('205');
      // Wrong encoding characters (mllp_send drops such a message itself, so it goes over our client).
      const client = await connectMllp({ host: '127.0.0.1', port: lb.hl7Port });
      const rejected = Buffer.from(await client.send(badEncoding)).toString('latin1');
      await client.close();
      expect(ackOf(rejected).code).toBe('AR');
      expect(ackOf(rejected).errors.join()).toContain('|102^');
      expect(rejected).toContain(`MSA|AR|BAD7-${run10}|`);
      const ris = lb.running.services.ris;
      expect(await ris.findOrder({ placerOrderNumber: `PL4-${run10}`, placerIssuer: 'EHR' })).toBeUndefined();
      expect(await ris.orderByAccession(`A9-${run10}`)).toBeUndefined();
      // Garbage on the port is dropped; the listener answers the next sender.
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(lb.hl7Port, '127.0.0.1', () => {
          socket.end(Buffer.from('\x00\xffGARBAGE\x1c\x0d\x0bnot hl7 at all\x1c\x0d'));
        });
        socket.on('error', reject);
        socket.on('close', () => resolve());
        socket.resume();
      });
      const [after] = await mllpSend(lb.hl7Port, [
        hl7Message(msh('ADT^A08', `OK-${run10}`, '2.5.1'), pid(patientId, 'ROE^JANE')),
      ]);
      expect(ackOf(after!).code).toBe('AA');
    });

    it('reads messages split across TCP packets and several messages in one packet', async () => {
      const frame = (text: string) =>
        Buffer.concat([Buffer.from([0x0b]), Buffer.from(text, 'latin1'), Buffer.from([0x1c, 0x0d])]);
      const messages = [1, 2, 3].map((n) =>
        frame(hl7Message(msh('ADT^A08', `SPLIT${n}-${run10}`, '2.5.1'), pid(patientId, 'ROE^JANE'))),
      );
      const replies: string[] = [];
      await new Promise<void>((resolve, reject) => {
        let received = '';
        // The third ACK may come once the end byte (0x1C) is in, before the last piece (its CR) is
        // written: the socket ends only after every piece went out.
        let written: Promise<void> = Promise.resolve();
        const socket = net.connect(lb.hl7Port, '127.0.0.1', () => {
          socket.setNoDelay(true);
          written = (async () => {
            // Two messages in one write, then the third in pieces of 7 bytes.
            socket.write(Buffer.concat([messages[0]!, messages[1]!]));
            for (let i = 0; i < messages[2]!.length; i += 7) {
              socket.write(messages[2]!.subarray(i, i + 7));
              await new Promise((r) => setTimeout(r, 2));
            }
          })();
        });
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          const { frames, rest } = mllpFrames(received);
          replies.push(...frames);
          received = rest;
          if (replies.length === 3) void written.then(() => socket.end());
        });
        socket.on('error', reject);
        socket.on('close', () => resolve());
      });
      expect(replies.map((r) => ackOf(r).code)).toEqual(['AA', 'AA', 'AA']);
      expect(replies.map((r) => /MSA\|AA\|([^|\r]*)/.exec(r)?.[1])).toEqual(
        [1, 2, 3].map((n) => `SPLIT${n}-${run10}`),
      );
    });
  });
}

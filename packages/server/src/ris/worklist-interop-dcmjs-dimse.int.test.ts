import { generateUid } from '@lightbox/dicom';
import dcmjsDimse from 'dcmjs-dimse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackOf, hl7Message, hl7Now, mllpSend } from '../test-support/hl7-peers.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

/*
 * Issue #6: the Modality Worklist and MPPS SCPs as an independent SCU sees them. dcmjs-dimse (npm, a test
 * peer only) builds its requests with its own dcmjs data sets and decodes the answers per Specific
 * Character Set, so nothing of Lightbox's own DICOM code is on the client side. Orders come in over HL7
 * from mllp_send (Debian python3-hl7), as in scheduled-workflow.int.test.ts.
 */

const { Client, Dataset } = dcmjsDimse;
// dcmjs-dimse logs every PDU at info level.
dcmjsDimse.log.setLevel('error');
const { CFindRequest, NCreateRequest, NSetRequest } = dcmjsDimse.requests;
const { SopClass, Status } = dcmjsDimse.constants;

type ScuRequest = InstanceType<typeof dcmjsDimse.requests.Request>;
type ScuResponse = InstanceType<typeof dcmjsDimse.responses.Response>;
/** A data set as dcmjs naturalizes it (keywords, arrays for multi-valued and sequence elements). */
type Naturalized = Record<string, unknown>;

const MODALITY_AE = 'DCMJS_CT';
const UID = /^[0-9]+(\.[0-9]+)+$/;
/** PS3.7 C.4.x failure statuses an MPPS SCP answers (PS3.4 F.7.2.1.1.2 and F.7.2.2.1.2). */
const INVALID_ATTRIBUTE_VALUE = 0x0106;
const DUPLICATE_SOP_INSTANCE = 0x0111;
const NO_SUCH_OBJECT_INSTANCE = 0x0112;
/** PS3.4 F.7.2.2.2: Performed Procedure Step Object may no longer be updated is Processing failure (Error ID A710). */
const NO_LONGER_UPDATABLE = 0x0110;

/** A segment from its numbered fields (HL7 numbering). */
function segment(id: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  const values = Array.from({ length: last }, (_, i) => fields[i + 1] ?? '');
  return [id, ...values].join('|');
}

/** MSH with MSH-18 = 8859/1: the message travels as ISO 8859-1 bytes (mllpSend writes latin1). */
function msh(type: string, controlId: string): string {
  return `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||${type}|${controlId}|P|2.3.1||||||8859/1`;
}

/** The text of a naturalized value: a string, the first of several, or a person name's alphabetic group. */
function text(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  if (typeof first === 'object' && 'Alphabetic' in first) return String(first.Alphabetic);
  return String(first);
}

/** The items of a naturalized sequence. */
function items(value: unknown): Naturalized[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Naturalized[];
}

/** A DICOM time (HHMMSS) of a local time. */
function dicomTime(date = new Date()): string {
  return hl7Now(date).slice(8, 14);
}

for (const dialect of DIALECTS) {
  describe(`Modality Worklist and MPPS with dcmjs-dimse as the SCU on ${dialect}`, () => {
    let lb: TestLightbox;
    const run = Date.now().toString(36).toUpperCase();
    const today = hl7Now().slice(0, 8);
    const patientId = `DCM-${run}`;
    /** The worklist answer of scenario 1, which the MPPS of scenario 2 refers to. */
    let scheduled: { accession: string; studyUid: string; requestedProcedureId: string; stepId: string };

    /** Sends requests on one association (dcmjs-dimse sends them one after the other); each one's responses. */
    function exchange(requests: ScuRequest[]): Promise<ScuResponse[][]> {
      return new Promise((resolve, reject) => {
        const client = new Client();
        const responses = requests.map((): ScuResponse[] => []);
        requests.forEach((request, i) => {
          request.on('response', (response: ScuResponse) => responses[i]!.push(response));
          client.addRequest(request);
        });
        client.on('associationRejected', (result: unknown) =>
          reject(new Error(`association rejected: ${JSON.stringify(result)}`)),
        );
        client.on('networkError', (error: Error) => reject(error));
        client.on('closed', () => resolve(responses));
        client.send('127.0.0.1', lb.dicomPort, MODALITY_AE, TEST_AE_TITLE, {
          connectTimeout: 5000,
          associationTimeout: 10_000,
          pduTimeout: 10_000,
        });
      });
    }

    /** The final status of each request sent together on one association, in order. */
    async function statuses(requests: ScuRequest[]): Promise<number[]> {
      return (await exchange(requests)).map((responses) => responses.at(-1)?.getStatus() ?? -1);
    }

    /** One request alone on its association; its last response. */
    async function single(request: ScuRequest): Promise<ScuResponse> {
      const [responses] = await exchange([request]);
      expect(responses).toHaveLength(1);
      return responses![0]!;
    }

    /**
     * The worklist as DCMJS_CT asks for it: CT steps of today, in the given character set. Keys given here
     * are added to (or replace) the ~40 return keys createWorklistFindRequest always sends.
     */
    async function queryWorklist(characterSet: string): Promise<{ matches: Naturalized[]; final: number }> {
      const request = CFindRequest.createWorklistFindRequest({
        SpecificCharacterSet: characterSet,
        PatientName: '',
        PatientID: '',
        PatientBirthDate: '',
        AccessionNumber: '',
        StudyInstanceUID: '',
        RequestedProcedureID: '',
        RequestedProcedureDescription: '',
        // createWorklistFindRequest's default PregnancyStatus '' is written by dcmjs as the value 0;
        // Lightbox treats it as a return key (not a matching key it supports), so it is left as sent.
        ScheduledProcedureStepSequence: [
          {
            Modality: 'CT',
            ScheduledProcedureStepStartDate: today,
            ScheduledStationAETitle: MODALITY_AE,
            ScheduledProcedureStepStartTime: '',
            ScheduledProcedureStepID: '',
          },
        ],
      });
      const [responses] = await exchange([request]);
      const pending = responses!.filter((r) => r.getStatus() === Status.Pending);
      const last = responses!.at(-1)!;
      return {
        matches: pending.map((r) => r.getDataset()?.getElements() ?? {}),
        final: last.getStatus(),
      };
    }

    async function sendOrder(control: string, accession: string, name: string): Promise<void> {
      const start = `${today}0900`;
      const order = hl7Message(
        msh('ORM^O01', control),
        segment('PID', { 1: '1', 3: `${patientId}^^^HOSP^MR`, 5: name, 7: '19750315', 8: 'M' }),
        segment('PV1', { 1: '1', 2: 'O', 3: 'RAD^101^1' }),
        segment('ORC', { 1: 'NW', 2: `PL-${accession}^EHR`, 7: `^^^${start}^^R` }),
        segment('OBR', {
          1: '1',
          2: `PL-${accession}^EHR`,
          4: 'CTCHEST^CT chest^L',
          18: accession,
          19: `RP-${accession}`,
          24: 'CT',
          27: `^^^${start}^^R`,
        }),
      );
      const [ack] = await mllpSend(lb.hl7Port, [order]);
      expect(ackOf(ack!).code).toBe('AA');
    }

    const statusOf = async (accession: string) =>
      (await lb.running.services.ris.orderByAccession(accession))?.status;

    /** An MPPS N-CREATE data set (PS3.4 F.7.2.1.1; IHE RAD-6) for a scheduled step. */
    function inProgress(step: typeof scheduled, ppsId: string, status = 'IN PROGRESS'): Naturalized {
      return {
        SpecificCharacterSet: 'ISO_IR 192',
        Modality: 'CT',
        PatientName: 'MÜLLER^JÜRGEN',
        PatientID: patientId,
        PatientBirthDate: '19750315',
        PatientSex: 'M',
        ReferencedPatientSequence: [],
        ProcedureCodeSequence: [],
        ScheduledStepAttributesSequence: [
          {
            AccessionNumber: step.accession,
            StudyInstanceUID: step.studyUid,
            RequestedProcedureID: step.requestedProcedureId,
            RequestedProcedureDescription: 'CT chest',
            ScheduledProcedureStepID: step.stepId,
            ScheduledProcedureStepDescription: '',
            ScheduledProtocolCodeSequence: [],
            ReferencedStudySequence: [],
          },
        ],
        PerformedProcedureStepID: ppsId,
        PerformedStationAETitle: MODALITY_AE,
        PerformedStationName: 'CT ROOM 1',
        PerformedLocation: '',
        PerformedProcedureStepStartDate: today,
        PerformedProcedureStepStartTime: dicomTime(),
        PerformedProcedureStepEndDate: '',
        PerformedProcedureStepEndTime: '',
        PerformedProcedureStepStatus: status,
        PerformedProcedureStepDescription: 'CT chest',
        PerformedProcedureTypeDescription: '',
        PerformedProtocolCodeSequence: [],
        StudyID: '',
        PerformedSeriesSequence: [],
      };
    }

    /** N-CREATE; without a UID, dcmjs-dimse leaves Affected SOP Instance UID out of the command. */
    function nCreate(sopInstanceUid: string | undefined, attributes: Naturalized) {
      const request = new NCreateRequest(SopClass.ModalityPerformedProcedureStep, sopInstanceUid as string);
      request.setDataset(new Dataset(attributes));
      return request;
    }

    function nSet(sopInstanceUid: string, modifications: Naturalized) {
      const request = new NSetRequest(SopClass.ModalityPerformedProcedureStep, sopInstanceUid);
      request.setDataset(new Dataset(modifications));
      return request;
    }

    const completion = (): Naturalized => ({
      PerformedProcedureStepStatus: 'COMPLETED',
      PerformedProcedureStepEndDate: today,
      PerformedProcedureStepEndTime: dicomTime(),
      PerformedSeriesSequence: [
        {
          PerformingPhysicianName: '',
          ProtocolName: 'CHEST ROUTINE',
          OperatorsName: 'TECH^TINA',
          SeriesInstanceUID: generateUid(),
          SeriesDescription: 'Chest 1.0 mm',
          RetrieveAETitle: TEST_AE_TITLE,
          ReferencedImageSequence: [
            {
              ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
              ReferencedSOPInstanceUID: generateUid(),
            },
          ],
          ReferencedNonImageCompositeSOPInstanceSequence: [],
        },
      ],
    });

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
    });

    afterAll(async () => {
      await lb?.stop();
    });

    it('answers a worklist C-FIND from dcmjs-dimse with the HL7 order, a Latin-1 name intact', async () => {
      await sendOrder(`ORM1-${run}`, `A1-${run}`, 'MÜLLER^JÜRGEN');
      expect(await statusOf(`A1-${run}`)).toBe('scheduled');

      // dcmjs decodes by the Specific Character Set of the answer (and then reports it as ISO_IR 192,
      // whatever came), so the name comes back intact only if the bytes and their label agree.
      for (const characterSet of ['ISO_IR 100', 'ISO_IR 192']) {
        const { matches, final } = await queryWorklist(characterSet);
        expect(final).toBe(Status.Success);
        expect(matches).toHaveLength(1);
        const item = matches[0]!;
        expect(text(item.PatientName)).toBe('MÜLLER^JÜRGEN');
        expect(text(item.PatientID)).toBe(patientId);
        expect(text(item.PatientBirthDate)).toBe('19750315');
        expect(text(item.AccessionNumber)).toBe(`A1-${run}`);
        expect(text(item.RequestedProcedureID)).toBe(`RP-A1-${run}`);
        expect(text(item.RequestedProcedureDescription)).toBe('CT chest');
        expect(text(item.StudyInstanceUID)).toMatch(UID);
        const steps = items(item.ScheduledProcedureStepSequence);
        expect(steps).toHaveLength(1);
        expect(text(steps[0]!.Modality)).toBe('CT');
        expect(text(steps[0]!.ScheduledProcedureStepStartDate)).toBe(today);
        expect(text(steps[0]!.ScheduledProcedureStepStartTime)).toBe('090000');
        expect(text(steps[0]!.ScheduledStationAETitle)).toBe(MODALITY_AE);
        expect(text(steps[0]!.ScheduledProcedureStepID)).toMatch(/\S/);
        scheduled = {
          accession: text(item.AccessionNumber)!,
          studyUid: text(item.StudyInstanceUID)!,
          requestedProcedureId: text(item.RequestedProcedureID)!,
          stepId: text(steps[0]!.ScheduledProcedureStepID)!,
        };
      }
    });

    it('takes MPPS N-CREATE IN PROGRESS then N-SET COMPLETED from dcmjs-dimse; the order follows', async () => {
      const mppsUid = generateUid();
      const created = await single(nCreate(mppsUid, inProgress(scheduled, `PPS1-${run}`.slice(0, 16))));
      expect(created.getStatus()).toBe(Status.Success);
      expect(created.getAffectedSopInstanceUid()).toBe(mppsUid);
      expect(await statusOf(scheduled.accession)).toBe('in-progress');
      // The step left the worklist once started.
      expect((await queryWorklist('ISO_IR 192')).matches).toHaveLength(0);

      const step = await lb.running.services.database.db
        .selectFrom('performed_step')
        .select(['status', 'station_ae', 'study_instance_uid', 'attributes'])
        .where('sop_instance_uid', '=', mppsUid)
        .executeTakeFirstOrThrow();
      expect(step).toMatchObject({
        status: 'IN PROGRESS',
        station_ae: MODALITY_AE,
        study_instance_uid: scheduled.studyUid,
      });
      // dcmjs writes text as UTF-8 under ISO_IR 192; the name is read back as sent.
      const stored = JSON.parse(step.attributes) as Record<string, { Value?: unknown[] }>;
      expect(text(stored['00100010']?.Value)).toBe('MÜLLER^JÜRGEN');

      const set = await single(nSet(mppsUid, completion()));
      expect(set.getStatus()).toBe(Status.Success);
      expect(await statusOf(scheduled.accession)).toBe('completed');

      // A completed step is final (PS3.4 F.7.2.2.2): setting it again is a processing failure.
      const again = await single(nSet(mppsUid, completion()));
      expect(again.getStatus()).toBe(NO_LONGER_UPDATABLE);
      expect(await statusOf(scheduled.accession)).toBe('completed');
    });

    it('takes N-CREATE then N-SET DISCONTINUED with a reason; the order is discontinued', async () => {
      await sendOrder(`ORM2-${run}`, `A2-${run}`, 'MÜLLER^JÜRGEN');
      const { matches } = await queryWorklist('ISO_IR 192');
      expect(matches).toHaveLength(1);
      const item = matches[0]!;
      expect(text(item.AccessionNumber)).toBe(`A2-${run}`);
      const step = {
        accession: text(item.AccessionNumber)!,
        studyUid: text(item.StudyInstanceUID)!,
        requestedProcedureId: text(item.RequestedProcedureID)!,
        stepId: text(items(item.ScheduledProcedureStepSequence)[0]?.ScheduledProcedureStepID)!,
      };

      const mppsUid = generateUid();
      const answered = await statuses([
        nCreate(mppsUid, inProgress(step, `PPS2-${run}`.slice(0, 16))),
        nSet(mppsUid, {
          PerformedProcedureStepStatus: 'DISCONTINUED',
          PerformedProcedureStepEndDate: today,
          PerformedProcedureStepEndTime: dicomTime(),
          PerformedProcedureStepDiscontinuationReasonCodeSequence: [
            {
              CodeValue: '110514',
              CodingSchemeDesignator: 'DCM',
              CodeMeaning: 'Incorrect worklist entry selected',
            },
          ],
          PerformedSeriesSequence: [],
        }),
      ]);
      // Both on one association, in order: the N-CREATE and the N-SET each succeed.
      expect(answered).toEqual([Status.Success, Status.Success]);
      expect(await statusOf(step.accession)).toBe('discontinued');
    });

    it('answers the failure statuses of PS3.4 F.7.2 to an independent SCU', async () => {
      const unknown = await single(
        nSet(generateUid(), {
          PerformedProcedureStepStatus: 'COMPLETED',
          PerformedProcedureStepEndDate: today,
          PerformedProcedureStepEndTime: dicomTime(),
        }),
      );
      expect(unknown.getStatus()).toBe(NO_SUCH_OBJECT_INSTANCE);

      const step = {
        accession: `NONE-${run}`,
        studyUid: generateUid(),
        requestedProcedureId: '',
        stepId: '',
      };
      // PS3.4 F.7.2.1.1 (Table F.7.2-1): a step is created IN PROGRESS; the refused one does not exist.
      const refusedUid = generateUid();
      const completedAtOnce = await single(
        nCreate(refusedUid, {
          ...inProgress(step, 'PPS-BAD', 'COMPLETED'),
          PerformedProcedureStepEndDate: today,
          PerformedProcedureStepEndTime: dicomTime(),
        }),
      );
      expect(completedAtOnce.getStatus()).toBe(INVALID_ATTRIBUTE_VALUE);
      expect((await single(nSet(refusedUid, completion()))).getStatus()).toBe(NO_SUCH_OBJECT_INSTANCE);

      const twice = generateUid();
      const answered = await statuses([
        nCreate(twice, inProgress(step, 'PPS-TWICE')),
        nCreate(twice, inProgress(step, 'PPS-TWICE')),
      ]);
      expect(answered).toEqual([Status.Success, DUPLICATE_SOP_INSTANCE]);
    });

    it('assigns the SOP Instance UID when the N-CREATE names none (PS3.4 F.7.2.1.1)', async () => {
      const step = {
        accession: `NONE-${run}`,
        studyUid: generateUid(),
        requestedProcedureId: '',
        stepId: '',
      };
      // Affected SOP Instance UID (0000,1000) left out: the SCP assigns one, returns it, and it can be set.
      const assigned = await single(nCreate(undefined, inProgress(step, 'PPS-SCP-UID')));
      expect(assigned.getStatus()).toBe(Status.Success);
      const uid = assigned.getAffectedSopInstanceUid();
      expect(uid).toMatch(UID);
      expect((await single(nSet(uid, completion()))).getStatus()).toBe(Status.Success);

      // Sent with zero length (as dcmjs-dimse does for ''): no UID either (PS3.5 §9.1), so each step
      // gets a UID of its own rather than sharing '' with the next one.
      const empty = (
        await exchange([
          nCreate('', inProgress(step, 'PPS-EMPTY-1')),
          nCreate('', inProgress(step, 'PPS-EMPTY-2')),
        ])
      ).map((responses) => responses.at(-1)!);
      expect(empty.map((r) => r.getStatus())).toEqual([Status.Success, Status.Success]);
      const uids = empty.map((r) => r.getAffectedSopInstanceUid());
      expect(uids).toEqual([expect.stringMatching(UID), expect.stringMatching(UID)]);
      expect(uids[0]).not.toBe(uids[1]);
      const blank = await lb.running.services.database.db
        .selectFrom('performed_step')
        .select('sop_instance_uid')
        .where('sop_instance_uid', '=', '')
        .execute();
      expect(blank).toHaveLength(0);
    });
  });
}

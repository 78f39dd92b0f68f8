import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  generateUid,
  getString,
  getStrings,
  readDataSetIn,
  readPart10,
  Tag,
  TransferSyntaxUid,
  type DataSet,
  type DicomJson,
} from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { CommandField, Status, type CommandSet } from '@lightbox/dimse';
import { connectScu } from '@lightbox/dimse/test-support';
import { encodeIdentifier } from './identifier.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode, storeInArchive } from '../test-support/dimse-fixtures.js';
import { pydicomCopy } from '../test-support/pydicom-copy.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

const run = promisify(execFile);
const dcmtkEnv = { ...process.env, TCP_NODELAY: '1' };
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
/** Study Root C-FIND in Explicit VR Little Endian: what the tests' own SCU proposes. */
const FIND_CONTEXTS = [
  { id: 1, abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian] },
];

interface FindResult {
  responses: DataSet[];
  log: string;
}

for (const dialect of DIALECTS) {
  describe(`C-FIND SCP on ${dialect}`, () => {
    let lb: TestLightbox;
    let work: string;
    const patientId = `FIND-${Date.now()}`;
    const studyUid = generateUid();
    const seriesUids = [generateUid(), generateUid()];
    const sopUids: string[] = [];

    /** Runs findscu with the given model flag and keys; the responses come back as data sets. */
    async function findscu(model: '-S' | '-P', keys: string[], extra: string[] = []): Promise<FindResult> {
      const out = await mkdtemp(path.join(work, 'find-'));
      const args = [model, ...extra, '-v', '-X', '-od', out, '-aec', TEST_AE_TITLE];
      for (const key of keys) args.push('-k', key);
      const { stderr } = await run('findscu', [...args, '127.0.0.1', String(lb.dicomPort)], {
        env: dcmtkEnv,
      }).catch((error: { stderr: string }) => ({ stderr: error.stderr }));
      const files = (await readdir(out)).filter((f) => f.startsWith('rsp')).sort();
      const responses: DataSet[] = [];
      for (const file of files)
        responses.push((await readPart10(await readFile(path.join(out, file)))).dataSet);
      return { responses, log: stderr };
    }

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-find-'));
      // Query is allowed from registered nodes only (issue #3 §4).
      for (const [name, aet] of [
        ['findscu', 'FINDSCU'],
        ['test-scu', 'TEST_SCU'],
      ]) {
        expect(await registerNode(lb, name!, { aet: aet!, port: 104 })).toBe(201);
      }
      for (let i = 0; i < 6; i++) {
        const sopInstanceUid = generateUid();
        sopUids.push(sopInstanceUid);
        const bytes = syntheticImage({
          patientId,
          patientName: 'Müller^Jürgen',
          specificCharacterSet: 'ISO_IR 100',
          studyInstanceUid: studyUid,
          seriesInstanceUid: seriesUids[i % 2]!,
          sopInstanceUid,
          instanceNumber: i + 1,
          modality: i % 2 === 0 ? 'CT' : 'SR',
          studyDate: '20240315',
          accessionNumber: `ACC-${patientId}`,
          rows: 8,
          columns: 8,
        });
        await storeInArchive(lb, bytes);
      }
    });
    afterAll(async () => {
      await lb?.stop();
      await rm(work, { recursive: true, force: true });
    });

    it('finds a study by patient ID in the study root model and returns exactly the requested keys', async () => {
      const { responses } = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        `PatientID=${patientId}`,
        'PatientName',
        'StudyInstanceUID',
        'StudyDate',
        'AccessionNumber',
        'ModalitiesInStudy',
        'NumberOfStudyRelatedSeries',
        'NumberOfStudyRelatedInstances',
      ]);
      expect(responses).toHaveLength(1);
      const study = responses[0]!;
      expect(getString(study, Tag.StudyInstanceUID)).toBe(studyUid);
      expect(getString(study, Tag.PatientName)).toBe('Müller^Jürgen');
      expect(getString(study, Tag.AccessionNumber)).toBe(`ACC-${patientId}`);
      expect(getStrings(study, Tag.ModalitiesInStudy).sort()).toEqual(['CT', 'SR']);
      expect(getString(study, Tag.NumberOfStudyRelatedSeries)).toBe('2');
      expect(getString(study, Tag.NumberOfStudyRelatedInstances)).toBe('6');
      expect(getString(study, Tag.QueryRetrieveLevel)).toBe('STUDY');
      expect(getString(study, Tag.RetrieveAETitle)).toBe(TEST_AE_TITLE);
      expect(study.has(Tag.StudyDescription)).toBe(false); // not asked for
    });

    it('answers in the Specific Character Set of the request when it holds the values, else in UTF-8', async () => {
      const latin1 = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        'SpecificCharacterSet=ISO_IR 100',
        `PatientID=${patientId}`,
        'PatientName',
      ]);
      expect(getString(latin1.responses[0]!, Tag.SpecificCharacterSet)).toBe('ISO_IR 100');
      expect(getString(latin1.responses[0]!, Tag.PatientName)).toBe('Müller^Jürgen');
      // ü is not in ISO 8859-5 (Cyrillic): the answer stays in UTF-8 and says so.
      const cyrillic = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        'SpecificCharacterSet=ISO_IR 144',
        `PatientID=${patientId}`,
        'PatientName',
      ]);
      expect(getString(cyrillic.responses[0]!, Tag.SpecificCharacterSet)).toBe('ISO_IR 192');
      expect(getString(cyrillic.responses[0]!, Tag.PatientName)).toBe('Müller^Jürgen');
    });

    it('answers a Japanese request whose first character set value is empty (\\ISO 2022 IR 87) in that set', async () => {
      const japanesePatient = `${patientId}-JP`;
      await storeInArchive(
        lb,
        syntheticImage({
          patientId: japanesePatient,
          patientName: 'Yamada^Tarou=山田^太郎',
          specificCharacterSet: 'ISO_IR 192',
          studyInstanceUid: generateUid(),
          seriesInstanceUid: generateUid(),
          sopInstanceUid: generateUid(),
          rows: 8,
          columns: 8,
        }),
      );
      const { responses } = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        'SpecificCharacterSet=\\ISO 2022 IR 87',
        `PatientID=${japanesePatient}`,
        'PatientName',
      ]);
      expect(responses).toHaveLength(1);
      // The empty first value is the default repertoire, not the text "null" (PS3.5 §6.1.2.5.3).
      expect(getStrings(responses[0]!, Tag.SpecificCharacterSet)).toEqual(['', 'ISO 2022 IR 87']);
      expect(getString(responses[0]!, Tag.PatientName)).toBe('Yamada^Tarou=山田^太郎');
    });

    it('returns of a sequence only the attributes its requested item names (PS3.4 C.2.2.2.6)', async () => {
      const plan = await pydicomCopy(work, 'rtplan.dcm', { newStudy: true, newSeries: true });
      await storeInArchive(lb, plan.bytes);
      const { responses } = await findscu('-S', [
        'QueryRetrieveLevel=IMAGE',
        `StudyInstanceUID=${plan.studyUid}`,
        `SeriesInstanceUID=${plan.seriesUid}`,
        'SOPInstanceUID',
        'FractionGroupSequence[0].FractionGroupNumber',
      ]);
      expect(responses).toHaveLength(1);
      const fractionGroups = responses[0]!.get(0x300a0070)?.items ?? [];
      expect(fractionGroups.length).toBeGreaterThan(0);
      for (const group of fractionGroups) {
        expect([...group.elements.keys()]).toEqual([0x300a0071]); // FractionGroupNumber alone
      }
    });

    it('matches with wildcards and date ranges, and returns nothing for a non-matching range', async () => {
      const hit = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        'PatientName=M*LLER*',
        'StudyDate=20240101-20241231',
        'StudyInstanceUID',
      ]);
      expect(hit.responses.map((r) => getString(r, Tag.StudyInstanceUID))).toContain(studyUid);
      const miss = await findscu('-S', [
        'QueryRetrieveLevel=STUDY',
        `PatientID=${patientId}`,
        'StudyDate=-20231231',
      ]);
      expect(miss.responses).toHaveLength(0);
      expect(miss.log).toContain('Success');
    });

    it('lists the series of a study and the instances of a series', async () => {
      const series = await findscu('-S', [
        'QueryRetrieveLevel=SERIES',
        `StudyInstanceUID=${studyUid}`,
        'SeriesInstanceUID',
        'Modality',
        'NumberOfSeriesRelatedInstances',
      ]);
      expect(series.responses.map((r) => getString(r, Tag.SeriesInstanceUID)).sort()).toEqual(
        [...seriesUids].sort(),
      );
      expect(series.responses.map((r) => getString(r, Tag.NumberOfSeriesRelatedInstances))).toEqual([
        '3',
        '3',
      ]);
      const images = await findscu('-S', [
        'QueryRetrieveLevel=IMAGE',
        `StudyInstanceUID=${studyUid}`,
        `SeriesInstanceUID=${seriesUids[0]}`,
        'SOPInstanceUID',
        'InstanceNumber',
      ]);
      expect(images.responses.map((r) => getString(r, Tag.SOPInstanceUID)).sort()).toEqual(
        [sopUids[0], sopUids[2], sopUids[4]].sort(),
      );
    });

    it('matches a list of UIDs at IMAGE level', async () => {
      const { responses } = await findscu('-S', [
        'QueryRetrieveLevel=IMAGE',
        `StudyInstanceUID=${studyUid}`,
        `SOPInstanceUID=${sopUids[1]}\\${sopUids[5]}`,
      ]);
      expect(responses.map((r) => getString(r, Tag.SOPInstanceUID)).sort()).toEqual(
        [sopUids[1], sopUids[5]].sort(),
      );
    });

    it('answers the patient level of the patient root model with per-patient counts', async () => {
      const { responses } = await findscu('-P', [
        'QueryRetrieveLevel=PATIENT',
        `PatientID=${patientId}`,
        'PatientName',
        'NumberOfPatientRelatedStudies',
        'NumberOfPatientRelatedSeries',
        'NumberOfPatientRelatedInstances',
      ]);
      expect(responses).toHaveLength(1);
      expect(getString(responses[0]!, Tag.NumberOfPatientRelatedStudies)).toBe('1');
      expect(getString(responses[0]!, Tag.NumberOfPatientRelatedSeries)).toBe('2');
      expect(getString(responses[0]!, Tag.NumberOfPatientRelatedInstances)).toBe('6');
      const studies = await findscu('-P', [
        'QueryRetrieveLevel=STUDY',
        `PatientID=${patientId}`,
        'StudyInstanceUID',
      ]);
      expect(studies.responses.map((r) => getString(r, Tag.StudyInstanceUID))).toEqual([studyUid]);
    });

    it('matches a list of 40 000 UIDs, more than one SQL statement takes parameters', async () => {
      const association = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        contexts: FIND_CONTEXTS,
      });
      const uids = Array.from({ length: 40_000 }, () => generateUid());
      uids[12_345] = sopUids[2]!;
      uids[39_999] = sopUids[3]!;
      const identifier: DicomJson = {
        '00080052': { vr: 'CS', Value: ['IMAGE'] },
        '0020000D': { vr: 'UI', Value: [studyUid] },
        '00080018': { vr: 'UI', Value: uids },
      };
      const pending: Uint8Array[] = [];
      const final = await association.sendRequest(
        1,
        { commandField: CommandField.CFindRq, priority: 0, affectedSopClassUid: STUDY_ROOT_FIND },
        encodeIdentifier(identifier, TransferSyntaxUid.ExplicitVRLittleEndian),
        (response) => pending.push(response.dataSet!),
      );
      await association.release();
      expect(final.command.status).toBe(Status.Success);
      const matches: string[] = [];
      for (const bytes of pending) {
        const dataSet = await readDataSetIn(bytes, TransferSyntaxUid.ExplicitVRLittleEndian);
        matches.push(getString(dataSet, Tag.SOPInstanceUID)!);
      }
      expect(matches.sort()).toEqual([sopUids[2], sopUids[3]].sort());
    });

    it('refuses the query service to a calling AE that is not a registered node', async () => {
      const { log, responses } = await findscu(
        '-S',
        ['QueryRetrieveLevel=STUDY', `PatientID=${patientId}`],
        ['-aet', 'STRANGER'],
      );
      expect(responses).toHaveLength(0);
      expect(log).toMatch(/No Acceptable Presentation Contexts|no presentation context/i);
    });

    it('refuses a level the information model does not have with A900', async () => {
      const study = await findscu('-S', ['QueryRetrieveLevel=PATIENT', 'PatientID']);
      expect(study.log).toMatch(/Error: DataSetDoesNotMatchSOPClass|a900/i);
      const bad = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'StudyDate=2024-2025']);
      expect(bad.log).toMatch(/Error: DataSetDoesNotMatchSOPClass|a900/i);
    });

    it('stops with Cancel when the peer sends C-CANCEL', async () => {
      const responses: CommandSet[] = [];
      const association = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        contexts: FIND_CONTEXTS,
      });
      const identifier: DicomJson = {
        '00080052': { vr: 'CS', Value: ['IMAGE'] },
        '0020000D': { vr: 'UI', Value: [studyUid] },
        '00080018': { vr: 'UI' },
      };
      const bytes = encodeIdentifier(identifier, TransferSyntaxUid.ExplicitVRLittleEndian);
      const messageId = association.pendingMessageId;
      const final = association.sendRequest(
        1,
        { commandField: CommandField.CFindRq, priority: 0, affectedSopClassUid: STUDY_ROOT_FIND },
        bytes,
        (pending) => responses.push(pending.command),
      );
      await association.cancel(1, messageId);
      const last = await final;
      await association.release();
      expect(last.command.status).toBe(Status.Cancel);
      expect(last.command.messageIdBeingRespondedTo).toBe(messageId);
      expect(responses.length).toBeLessThan(6);
      expect(responses.every((r) => r.messageIdBeingRespondedTo === messageId)).toBe(true);
    });

    it('agrees to relational queries when asked (PS3.4 C.3.4) and answers an IMAGE query by patient alone', async () => {
      const contexts = FIND_CONTEXTS;
      const relational = await connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        contexts,
        // Relational queries, combined date-time matching, fuzzy semantic matching of names.
        extendedNegotiation: [{ sopClassUid: STUDY_ROOT_FIND, info: Uint8Array.of(1, 1, 1) }],
      });
      expect(relational.accepted?.user.extendedNegotiation.map((e) => ({ ...e, info: [...e.info] }))).toEqual(
        [{ sopClassUid: STUDY_ROOT_FIND, info: [1, 0, 0] }],
      );
      const matches: unknown[] = [];
      // No Study or Series Instance UID: a relational query across the archive.
      const identifier: DicomJson = {
        '00080052': { vr: 'CS', Value: ['IMAGE'] },
        '00100020': { vr: 'LO', Value: [patientId] },
        '00080018': { vr: 'UI' },
        '0020000D': { vr: 'UI' },
      };
      const final = await relational.sendRequest(
        1,
        { commandField: CommandField.CFindRq, priority: 0, affectedSopClassUid: STUDY_ROOT_FIND },
        encodeIdentifier(identifier, TransferSyntaxUid.ExplicitVRLittleEndian),
        (pending) => matches.push(pending.dataSet),
      );
      await relational.release();
      expect(final.command.status).toBe(Status.Success);
      expect(matches).toHaveLength(6);

      // Not asked for: nothing is answered.
      const plain = await connectScu({ port: lb.dicomPort, calledAeTitle: TEST_AE_TITLE, contexts });
      expect(plain.accepted?.user.extendedNegotiation).toEqual([]);
      await plain.release();
    });

    it('reads identifiers and answers in implicit VR when that is what the peer proposes', async () => {
      // -xi proposes nothing else: a response in any other syntax would not parse.
      const { responses } = await findscu(
        '-S',
        ['QueryRetrieveLevel=STUDY', `PatientID=${patientId}`, 'PatientName'],
        ['-xi'],
      );
      expect(responses).toHaveLength(1);
      expect(getString(responses[0]!, Tag.PatientName)).toBe('Müller^Jürgen');
    });
  });
}

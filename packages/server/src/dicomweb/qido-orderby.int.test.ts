import { generateUid, Tag } from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

type Json = Record<string, { vr: string; Value?: unknown[] }>;

/**
 * The studies of the archive, stored in this order: names in mixed case and with accents, equal names,
 * dates and times, counts; '' is an empty value.
 */
interface StudyFixture {
  patientId: string;
  patientName: string;
  studyDate: string;
  studyTime?: string;
  instances: number;
  modality: string;
  institution?: string;
}

const STUDIES: StudyFixture[] = [
  {
    patientId: 'P3',
    patientName: 'Doe^John',
    studyDate: '20240301',
    studyTime: '090000',
    instances: 1,
    modality: 'CT',
  },
  {
    patientId: 'P1',
    patientName: 'doeble^ann',
    studyDate: '20240115',
    instances: 3,
    modality: 'MR',
    institution: 'North',
  },
  {
    patientId: 'P2',
    patientName: 'Ávila^Bea',
    studyDate: '20230720',
    instances: 2,
    modality: 'CT',
    institution: 'North',
  },
  {
    patientId: 'P4',
    patientName: 'Zeta^Zed',
    studyDate: '20240301',
    studyTime: '140000',
    instances: 2,
    modality: 'CT',
  },
  {
    patientId: 'P5',
    patientName: 'DOE^JOHN',
    studyDate: '20220101',
    instances: 1,
    modality: 'CT',
    institution: 'North',
  },
  {
    patientId: 'P6',
    patientName: '',
    studyDate: '',
    studyTime: '',
    instances: 1,
    modality: 'CT',
    institution: 'North',
  },
];

for (const dialect of DIALECTS) {
  describe(`QIDO-RS orderby (Lightbox extension) on ${dialect}`, () => {
    let lb: TestLightbox;
    const get = (query: string) =>
      fetch(`${lb.dicomweb}/studies?${query}`, { headers: { authorization: lb.authorization } });
    /** The Patient IDs of the studies a search answers, in the order it answers them. */
    const patientIds = async (query: string): Promise<string[]> => {
      const response = await get(query);
      expect(response.status, query).toBe(200);
      return ((await response.json()) as Json[]).map((study) => String(study['00100020']?.Value?.[0]));
    };
    const studyUids = async (query: string): Promise<string[]> =>
      ((await (await get(query)).json()) as Json[]).map((study) => String(study['0020000D']!.Value![0]));

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      // One study after the other, so that the order of their primary keys is the order above.
      for (const study of STUDIES) {
        const studyInstanceUid = generateUid();
        const seriesInstanceUid = generateUid();
        const objects = Array.from({ length: study.instances }, (_, n) =>
          syntheticImage({
            rows: 4,
            columns: 4,
            specificCharacterSet: 'ISO_IR 100',
            studyInstanceUid,
            seriesInstanceUid,
            sopInstanceUid: generateUid(),
            instanceNumber: n + 1,
            patientId: study.patientId,
            modality: study.modality,
            accessionNumber: `A-${study.patientId}`,
            patientName: study.patientName,
            studyDate: study.studyDate,
            ...(study.studyTime !== undefined ? { studyTime: study.studyTime } : {}),
            extra:
              study.institution !== undefined
                ? [textElement(Tag.InstitutionName, 'LO', study.institution)]
                : [],
          }),
        );
        const { body, contentType } = multipartBody(objects.map((bytes) => ({ bytes })));
        const stored = await fetch(`${lb.dicomweb}/studies`, {
          method: 'POST',
          body,
          headers: { authorization: lb.authorization, 'content-type': contentType },
        });
        expect(stored.status).toBe(200);
      }
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('sorts by patient name ignoring case and accents, family name first, unnamed last', async () => {
      // ÁVILA before DOE (accent folded), DOE^JOHN before DOEBLE^ANN ('^' is no letter), lower case
      // doeble among the upper case.
      // Equal names (P3, P5) in the order they were stored, or its reverse when descending.
      const ascending = await patientIds('orderby=PatientName');
      expect(ascending).toEqual(['P2', 'P3', 'P5', 'P1', 'P4', 'P6']);
      expect(await patientIds('orderby=-PatientName')).toEqual(['P4', 'P1', 'P5', 'P3', 'P2', 'P6']);
      // By tag, the same.
      expect(await patientIds('orderby=00100010')).toEqual(ascending);
    });

    it('sorts by two keys, the second deciding between equal first ones', async () => {
      expect(await patientIds('orderby=PatientName,-StudyDate')).toEqual([
        'P2',
        'P3',
        'P5',
        'P1',
        'P4',
        'P6',
      ]);
      expect(await patientIds('orderby=PatientName,StudyDate')).toEqual(['P2', 'P5', 'P3', 'P1', 'P4', 'P6']);
      expect(await patientIds('orderby=-NumberOfStudyRelatedInstances,PatientID')).toEqual([
        'P1',
        'P2',
        'P4',
        'P3',
        'P5',
        'P6',
      ]);
    });

    it('sorts dates with the time as tiebreak, undated last either way; -StudyDate is the default order', async () => {
      expect(await patientIds('orderby=StudyDate')).toEqual(['P5', 'P2', 'P1', 'P3', 'P4', 'P6']);
      expect(await patientIds('orderby=-StudyDate')).toEqual(['P4', 'P3', 'P1', 'P2', 'P5', 'P6']);
      expect(await studyUids('orderby=-StudyDate')).toEqual(await studyUids(''));
    });

    it('sorts the matches of a search, with and without a column for the key matched', async () => {
      expect(await patientIds('PatientName=doe*&orderby=-StudyDate')).toEqual(['P3', 'P1', 'P5']);
      // InstitutionName has no column: its candidates are sorted before their JSON is tested; with a
      // leading wildcard there are no candidates, and the JSON is tested in the order asked for.
      expect(await patientIds('InstitutionName=*orth&orderby=PatientName')).toEqual(['P2', 'P5', 'P1', 'P6']);
      expect(await patientIds('InstitutionName=North&orderby=PatientName')).toEqual(['P2', 'P5', 'P1', 'P6']);
      expect(await patientIds('InstitutionName=North&orderby=-AccessionNumber')).toEqual([
        'P6',
        'P5',
        'P2',
        'P1',
      ]);
    });

    it('pages through a sorted list with limit and offset, every study exactly once', async () => {
      for (const orderby of ['PatientName', '-PatientName', 'ModalitiesInStudy', '-StudyDate,PatientName']) {
        const all = await studyUids(`orderby=${orderby}`);
        expect(all).toHaveLength(STUDIES.length);
        const pages: string[] = [];
        for (let offset = 0; offset < STUDIES.length; offset += 2) {
          pages.push(...(await studyUids(`orderby=${orderby}&limit=2&offset=${offset}`)));
        }
        expect(pages, orderby).toEqual(all);
        expect(new Set(pages).size, orderby).toBe(STUDIES.length);
      }
    });

    it('answers 400 problem+json naming orderby and the key for a key it cannot sort by', async () => {
      for (const [query, key] of [
        ['orderby=NoSuchKeyword', 'NoSuchKeyword'],
        ['orderby=PatientName,-SeriesDescription', 'SeriesDescription'],
        ['orderby=PatientName,PatientName', 'PatientName'],
      ] as const) {
        const response = await get(query);
        expect(response.status, query).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const problem = (await response.json()) as { parameter: string; detail: string };
        expect(problem.parameter, query).toBe('orderby');
        expect(problem.detail, query).toContain(key);
      }
      const [study] = await studyUids('limit=1');
      const series = await fetch(`${lb.dicomweb}/studies/${study}/series?orderby=PatientName`, {
        headers: { authorization: lb.authorization },
      });
      expect(series.status).toBe(400);
    });
  });
}

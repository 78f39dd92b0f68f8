import { describe, expect, it } from 'vitest';
import type { ImageDisplayRequest } from '../viewer/image-display-request';
import type { DicomJson } from './dicom-json';
import { chooseStudies, patientStudyQuery } from './invoked-studies';

type PatientRequest = Extract<ImageDisplayRequest, { requestType: 'PATIENT' }>;

const patient = (more: Partial<PatientRequest> = {}): PatientRequest => ({
  requestType: 'PATIENT',
  patientId: 'P1',
  issuer: 'HOSP',
  modalities: [],
  ...more,
});

function study(uid: string, date: string, time?: string, issuer = 'HOSP'): DicomJson {
  return {
    '0020000D': { vr: 'UI', Value: [uid] },
    '00080020': { vr: 'DA', Value: [date] },
    ...(time !== undefined ? { '00080030': { vr: 'TM', Value: [time] } } : {}),
    ...(issuer !== '' ? { '00100021': { vr: 'LO', Value: [issuer] } } : {}),
  };
}

describe('the studies of an Invoke Image Display PATIENT request', () => {
  it('queries by Patient ID and issuer, the bounds’ days and the modalities, never by name', () => {
    const query = patientStudyQuery(
      patient({
        lower: { date: '20230101', time: '083000' },
        upper: { date: '20240630', time: '235959' },
        modalities: ['CT', 'MR'],
      }),
      'HOSP',
    );
    expect(Object.fromEntries(query)).toMatchObject({
      PatientID: 'P1',
      IssuerOfPatientID: 'HOSP',
      StudyDate: '20230101-20240630',
      ModalitiesInStudy: 'CT\\MR',
      limit: '500',
    });
    expect(query.getAll('includefield')).toEqual(['StudyTime', 'IssuerOfPatientID']);
    expect(query.has('PatientName')).toBe(false);
  });

  it('asks for no more than the most recent results wanted, and leaves out an absent issuer and bound', () => {
    const query = patientStudyQuery(patient({ issuer: '', mostRecentResults: 2 }), '');
    expect(query.get('limit')).toBe('2');
    expect(query.has('IssuerOfPatientID')).toBe(false);
    expect(query.has('StudyDate')).toBe(false);
    expect(
      patientStudyQuery(patient({ upper: { date: '20240101', time: '235959' } }), 'X').get('StudyDate'),
    ).toBe('-20240101');
  });

  it('opens the newest first, limited to the most recent results', () => {
    const results = [
      study('1.1', '20220101'),
      study('1.3', '20240101', '1015'),
      study('1.2', '20240101', '0900'),
    ];
    expect(chooseStudies(results, patient())).toEqual({ studyUids: ['1.3', '1.2', '1.1'] });
    expect(chooseStudies(results, patient({ mostRecentResults: 2 }))).toEqual({ studyUids: ['1.3', '1.2'] });
  });

  it('keeps to the bounds’ times on their days; a study without a time stays in', () => {
    const results = [
      study('1.1', '20240101', '075959'),
      study('1.2', '20240101', '080000'),
      study('1.3', '20240102', '180000.123'),
      study('1.4', '20240102'),
    ];
    const request = patient({
      lower: { date: '20240101', time: '080000' },
      upper: { date: '20240102', time: '120000' },
    });
    expect(chooseStudies(results, request)).toEqual({ studyUids: ['1.4', '1.2'] });
  });

  it('refuses a bare Patient ID shared by patients of different authorities', () => {
    const results = [
      study('1.1', '20240101', undefined, 'HOSP'),
      study('1.2', '20240102', undefined, 'OTHER'),
    ];
    const chosen = chooseStudies(results, patient({ issuer: '' }));
    expect(chosen).toEqual({ problem: expect.stringContaining('2 assigning authorities') });
    expect(chooseStudies([study('1.1', '20240101', undefined, '')], patient({ issuer: '' }))).toEqual({
      studyUids: ['1.1'],
    });
  });

  it('finds none when the archive answers none', () => {
    expect(chooseStudies([], patient())).toEqual({ studyUids: [] });
  });
});

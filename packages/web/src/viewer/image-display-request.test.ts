import { describe, expect, it } from 'vitest';
import { parseImageDisplayRequest, type ParsedImageDisplayRequest } from './image-display-request';

const parse = (query: string): ParsedImageDisplayRequest =>
  parseImageDisplayRequest(new URLSearchParams(query));
const problemOf = (query: string): string => {
  const parsed = parse(query);
  if (parsed.ok) throw new Error(`${query} was accepted`);
  return parsed.problem;
};

describe('Invoke Image Display requests (RAD-106)', () => {
  it('reads a STUDY request’s Study Instance UIDs, comma-separated or repeated, once each', () => {
    expect(parse('requestType=STUDY&studyUID=1.2.3,%201.2.4&studyUID=1.2.3')).toEqual({
      ok: true,
      request: { requestType: 'STUDY', studyUids: ['1.2.3', '1.2.4'] },
    });
  });

  it('reads a STUDY request by accession numbers, and the display preferences', () => {
    expect(
      parse(
        'requestType=study&accessionNumber=A1,A2&viewerType=IHE_BIR&diagnosticQuality=true&keyImagesOnly=FALSE',
      ),
    ).toEqual({
      ok: true,
      request: {
        requestType: 'STUDY',
        accessionNumbers: ['A1', 'A2'],
        viewerType: 'IHE_BIR',
        diagnosticQuality: true,
        keyImagesOnly: false,
      },
    });
  });

  it('refuses STUDY requests that name no study, both kinds of key, or what is not a UID', () => {
    expect(problemOf('requestType=STUDY')).toBe('a STUDY request needs studyUID or accessionNumber');
    expect(problemOf('requestType=STUDY&studyUID=,')).toBe(
      'a STUDY request needs studyUID or accessionNumber',
    );
    expect(problemOf('requestType=STUDY&studyUID=1.2&accessionNumber=A')).toContain('not both');
    expect(problemOf('requestType=STUDY&studyUID=1.2.abc')).toBe('studyUID 1.2.abc is not a DICOM UID');
    expect(problemOf('requestType=STUDY&studyUID=1.02.3')).toContain('not a DICOM UID');
    expect(problemOf(`requestType=STUDY&studyUID=1.${'2'.repeat(63)}`)).toContain('not a DICOM UID');
    // A wildcard would match other studies than the one named.
    expect(problemOf('requestType=STUDY&accessionNumber=A*')).toContain('accessionNumber A*');
  });

  it('refuses a missing, repeated or unknown requestType', () => {
    expect(problemOf('studyUID=1.2.3')).toBe('requestType (STUDY or PATIENT) is missing');
    expect(problemOf('requestType=&studyUID=1.2.3')).toBe('requestType (STUDY or PATIENT) is missing');
    expect(problemOf('requestType=SERIES&studyUID=1.2.3')).toBe('requestType SERIES is not STUDY or PATIENT');
    expect(problemOf('requestType=STUDY&requestType=PATIENT')).toBe('requestType is given 2 times');
  });

  it('reads a PATIENT request: the CX identifier, its authority (namespace first), dates, count and modalities', () => {
    const query = new URLSearchParams({
      requestType: 'PATIENT',
      patientID: 'MRN7^^^HOSP&1.2.840.99&ISO',
      lowerDateTime: '2023-01-01T08:30:00Z',
      upperDateTime: '2024-06-30',
      mostRecentResults: '3',
      modalitiesInStudy: 'ct,MR',
    });
    expect(parseImageDisplayRequest(query)).toEqual({
      ok: true,
      request: {
        requestType: 'PATIENT',
        patientId: 'MRN7',
        issuer: 'HOSP',
        otherIssuer: '1.2.840.99',
        lower: { date: '20230101', time: '083000' },
        upper: { date: '20240630', time: '235959' },
        mostRecentResults: 3,
        modalities: ['CT', 'MR'],
      },
    });
  });

  it('takes the universal ID as the authority when there is no namespace, and none when there is no ^^^', () => {
    const universal = parse(`requestType=PATIENT&patientID=${encodeURIComponent('P1^^^&2.16.840.1&ISO')}`);
    expect(universal.ok && universal.request).toMatchObject({ patientId: 'P1', issuer: '2.16.840.1' });
    expect(universal.ok && 'otherIssuer' in universal.request).toBe(false);
    const bare = parse('requestType=PATIENT&patientID=P1');
    expect(bare.ok && bare.request).toMatchObject({ patientId: 'P1', issuer: '', modalities: [] });
  });

  it('refuses a PATIENT request that does not name one patient exactly', () => {
    expect(problemOf('requestType=PATIENT')).toContain('needs patientID');
    expect(problemOf('requestType=PATIENT&patientID=%5E%5E%5EHOSP')).toContain('no identifier');
    expect(problemOf('requestType=PATIENT&patientID=P*')).toContain('may not contain');
    expect(problemOf('requestType=PATIENT&patientID=P1&patientID=P2')).toBe('patientID is given 2 times');
    // `&` not written as %26: the authority was cut off into other parameters.
    expect(problemOf('requestType=PATIENT&patientID=P1^^^&1.2.3&ISO')).toContain('%26');
  });

  it('refuses bounds, counts and modalities it cannot read', () => {
    const patient = 'requestType=PATIENT&patientID=P1';
    expect(problemOf(`${patient}&lowerDateTime=20240101`)).toContain('lowerDateTime must be a date and time');
    expect(problemOf(`${patient}&upperDateTime=2024-02-30T00:00:00`)).toContain('not a calendar date');
    expect(problemOf(`${patient}&lowerDateTime=2024-03-02&upperDateTime=2024-03-01`)).toBe(
      'lowerDateTime is after upperDateTime',
    );
    expect(problemOf(`${patient}&mostRecentResults=0`)).toContain('mostRecentResults');
    expect(problemOf(`${patient}&mostRecentResults=two`)).toContain('mostRecentResults');
    expect(problemOf(`${patient}&modalitiesInStudy=C-T`)).toBe('modalitiesInStudy C-T is not a modality');
    expect(problemOf(`${patient}&keyImagesOnly=yes`)).toBe('keyImagesOnly must be true or false');
  });

  it('accepts a bound with a zone offset or fraction, and one day as both bounds', () => {
    const parsed = parse(
      `requestType=PATIENT&patientID=P1&lowerDateTime=${encodeURIComponent('2024-03-01T00:00:00.5+01:00')}&upperDateTime=2024-03-01`,
    );
    expect(parsed.ok && parsed.request).toMatchObject({
      lower: { date: '20240301', time: '000000' },
      upper: { date: '20240301', time: '235959' },
    });
  });
});

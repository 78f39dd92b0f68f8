import { describe, expect, it } from 'vitest';
import { EMPTY_SEARCH, NEWEST_FIRST, nextSort, studyQuery } from './study-search';

const page = { offset: 0, limit: 25 };

describe('studyQuery', () => {
  it('asks for every study, a page at a time, with the list columns', () => {
    const params = studyQuery(EMPTY_SEARCH, { offset: 50, limit: 25 });
    expect(params.get('limit')).toBe('25');
    expect(params.get('offset')).toBe('50');
    expect(params.getAll('includefield')).toContain('ModalitiesInStudy');
    expect(params.has('PatientName')).toBe(false);
  });

  it('matches names and descriptions as prefixes unless the user typed wildcards', () => {
    expect(studyQuery({ ...EMPTY_SEARCH, patientName: 'doe' }, page).get('PatientName')).toBe('doe*');
    expect(studyQuery({ ...EMPTY_SEARCH, patientName: 'd?e^j*' }, page).get('PatientName')).toBe('d?e^j*');
    expect(studyQuery({ ...EMPTY_SEARCH, studyDescription: ' CT ' }, page).get('StudyDescription')).toBe(
      'CT*',
    );
  });

  it('sends fuzzy name searches as typed, with fuzzymatching', () => {
    const params = studyQuery({ ...EMPTY_SEARCH, patientName: 'Schmidt', fuzzy: true }, page);
    expect(params.get('PatientName')).toBe('Schmidt');
    expect(params.get('fuzzymatching')).toBe('true');
  });

  it('matches identifiers exactly and dates as a DICOM range', () => {
    const params = studyQuery(
      {
        ...EMPTY_SEARCH,
        patientId: ' 123 ',
        accessionNumber: 'A1',
        dateFrom: '2024-01-01',
        dateTo: '',
        modality: 'ct',
      },
      page,
    );
    expect(params.get('PatientID')).toBe('123');
    expect(params.get('AccessionNumber')).toBe('A1');
    expect(params.get('StudyDate')).toBe('20240101-');
    expect(params.get('ModalitiesInStudy')).toBe('CT');
    expect(
      studyQuery({ ...EMPTY_SEARCH, dateFrom: '2024-02-03', dateTo: '2024-02-03' }, page).get('StudyDate'),
    ).toBe('20240203');
    expect(studyQuery({ ...EMPTY_SEARCH, dateTo: '2024-02-03' }, page).get('StudyDate')).toBe('-20240203');
  });

  it('asks the server for the order of the column chosen, newest first among equals', () => {
    // The archive's own order needs no orderby.
    expect(studyQuery(EMPTY_SEARCH, page).has('orderby')).toBe(false);
    const byName = { ...EMPTY_SEARCH, sort: { key: 'PatientName', descending: false } } as const;
    expect(studyQuery(byName, page).get('orderby')).toBe('PatientName,-StudyDate');
    expect(
      studyQuery({ ...byName, sort: { key: 'NumberOfStudyRelatedInstances', descending: true } }, page).get(
        'orderby',
      ),
    ).toBe('-NumberOfStudyRelatedInstances,-StudyDate');
    expect(
      studyQuery({ ...byName, sort: { key: 'StudyDate', descending: false } }, page).get('orderby'),
    ).toBe('StudyDate');
  });

  it('turns the order around on the same column, and starts another column ascending', () => {
    expect(nextSort(NEWEST_FIRST, 'StudyDate')).toEqual({ key: 'StudyDate', descending: false });
    const byName = nextSort(NEWEST_FIRST, 'PatientName');
    expect(byName).toEqual({ key: 'PatientName', descending: false });
    expect(nextSort(byName, 'PatientName')).toEqual({ key: 'PatientName', descending: true });
    expect(nextSort(nextSort(byName, 'PatientName'), 'PatientName')).toEqual(byName);
    expect(nextSort(nextSort(byName, 'PatientName'), 'AccessionNumber')).toEqual({
      key: 'AccessionNumber',
      descending: false,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../settings/user-settings';
import { settingsOfSort, sortOfSettings, startingSearch } from './study-list-defaults';
import { EMPTY_SEARCH, NEWEST_FIRST, nextSort, studyQuery } from './study-search';

const studyList = DEFAULT_SETTINGS.studyList;
/** 2 March 2024, local time: the range of 7 days crosses the end of a leap February. */
const TODAY = new Date(2024, 2, 2, 23, 30);

describe('startingSearch', () => {
  it('starts empty with the default settings', () => {
    expect(startingSearch(studyList, TODAY)).toEqual(EMPTY_SEARCH);
  });

  it("limits the dates to the user's range, today included", () => {
    const range = (defaultDateRange: typeof studyList.defaultDateRange) =>
      startingSearch({ ...studyList, defaultDateRange }, TODAY);
    expect(range('today')).toMatchObject({ dateFrom: '2024-03-02', dateTo: '2024-03-02' });
    expect(range('last-7-days')).toMatchObject({ dateFrom: '2024-02-25', dateTo: '2024-03-02' });
    expect(range('last-30-days')).toMatchObject({ dateFrom: '2024-02-02', dateTo: '2024-03-02' });
    expect(studyQuery(range('today'), { offset: 0, limit: 50 }).get('StudyDate')).toBe('20240302');
  });

  it("fills the modality field with the user's modalities, any of which matches", () => {
    const search = startingSearch({ ...studyList, defaultModalities: ['CT', 'MR'] }, TODAY);
    expect(search.modality).toBe('CT, MR');
    expect(studyQuery(search, { offset: 0, limit: 50 }).get('ModalitiesInStudy')).toBe('CT\\MR');
  });

  it('opens in the order the user last sorted the list in, from the first page', () => {
    const byName = startingSearch(
      { ...studyList, sort: { column: 'PatientName', direction: 'desc' } },
      TODAY,
    );
    expect(byName.sort).toEqual({ key: 'PatientName', descending: true });
    expect(studyQuery(byName, { offset: 0, limit: 50 }).get('orderby')).toBe('-PatientName,-StudyDate');
    const fewestImages = startingSearch(
      { ...studyList, sort: { column: 'NumberOfStudyRelatedInstances', direction: 'asc' } },
      TODAY,
    );
    expect(fewestImages.sort).toEqual({ key: 'NumberOfStudyRelatedInstances', descending: false });
  });
});

describe('the order as the settings keep it', () => {
  it("is the archive's own order, newest first, by default", () => {
    expect(sortOfSettings(studyList.sort)).toEqual(NEWEST_FIRST);
    expect(settingsOfSort(NEWEST_FIRST)).toEqual({ column: 'StudyDate', direction: 'desc' });
  });

  it('keeps every order a click on a header gives, either way', () => {
    let sort = NEWEST_FIRST;
    for (const key of ['PatientName', 'PatientName', 'StudyDate', 'AccessionNumber'] as const) {
      sort = nextSort(sort, key);
      expect(sortOfSettings(settingsOfSort(sort))).toEqual(sort);
    }
    expect(settingsOfSort({ key: 'PatientName', descending: true })).toEqual({
      column: 'PatientName',
      direction: 'desc',
    });
  });
});

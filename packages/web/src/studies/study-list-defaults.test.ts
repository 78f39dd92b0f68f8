import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../settings/user-settings';
import { startingSearch } from './study-list-defaults';
import { EMPTY_SEARCH, studyQuery } from './study-search';

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
});

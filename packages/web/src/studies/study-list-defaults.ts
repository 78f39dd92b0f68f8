import type { StudyListSort, UserSettings } from '../settings/user-settings';
import { EMPTY_SEARCH, type StudySearch, type StudySort } from './study-search';

/** Days a default date range covers, today included. */
const RANGE_DAYS = { today: 1, 'last-7-days': 7, 'last-30-days': 30 } as const;

/** A local calendar day as the date inputs hold it (YYYY-MM-DD). */
export function isoDay(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The list's order as the settings keep it. */
export function sortOfSettings(sort: StudyListSort): StudySort {
  return { key: sort.column, descending: sort.direction === 'desc' };
}

/** The settings' record of one of the list's orders. */
export function settingsOfSort(sort: StudySort): StudyListSort {
  return { column: sort.key, direction: sort.descending ? 'desc' : 'asc' };
}

/**
 * The search the study list opens with, from the user's settings: their date range (ending today, in the
 * browser's own calendar, as the reading room's day is), their modalities (shown as `CT, MR`, any of
 * which may match) and the order they last sorted the list in. Every other field starts empty.
 */
export function startingSearch(settings: UserSettings['studyList'], today: Date = new Date()): StudySearch {
  const search: StudySearch = {
    ...EMPTY_SEARCH,
    modality: settings.defaultModalities.join(', '),
    sort: sortOfSettings(settings.sort),
  };
  if (settings.defaultDateRange === 'any') return search;
  const first = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  first.setDate(first.getDate() - (RANGE_DAYS[settings.defaultDateRange] - 1));
  return { ...search, dateFrom: isoDay(first), dateTo: isoDay(today) };
}

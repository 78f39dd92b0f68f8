/** The attributes the study list's columns sort by (QIDO-RS `orderby`, a Lightbox extension). */
export type StudySortKey =
  | 'PatientName'
  | 'PatientID'
  | 'PatientBirthDate'
  | 'StudyDate'
  | 'ModalitiesInStudy'
  | 'StudyDescription'
  | 'AccessionNumber'
  | 'ReferringPhysicianName'
  | 'NumberOfStudyRelatedInstances';

/** The order of the study list: one column, ascending or descending. */
export interface StudySort {
  key: StudySortKey;
  descending: boolean;
}

/** The archive's own order, newest first: what the list shows until a column is chosen. */
export const NEWEST_FIRST: StudySort = { key: 'StudyDate', descending: true };

/**
 * The order after a click on a column's header: the same column turns around; another one starts
 * ascending (A→Z, oldest first, fewest images first).
 */
export function nextSort(current: StudySort, key: StudySortKey): StudySort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: false };
}

/**
 * `orderby` of a sort: the column's attribute, then, among equal values, the newest study first (a
 * patient's studies, sorted by name, read as a history). Nothing for the archive's own order, so that
 * the default query stays the standard one.
 */
function orderBy(sort: StudySort): string | undefined {
  if (sort.key === NEWEST_FIRST.key && sort.descending === NEWEST_FIRST.descending) return undefined;
  const key = `${sort.descending ? '-' : ''}${sort.key}`;
  return sort.key === 'StudyDate' ? key : `${key},-StudyDate`;
}

/** What the study list's search form holds, and the list's order. */
export interface StudySearch {
  patientName: string;
  /** Match names by sound as well (QIDO `fuzzymatching=true`). */
  fuzzy: boolean;
  patientId: string;
  accessionNumber: string;
  /** YYYY-MM-DD from the date inputs; either may be empty for an open range. */
  dateFrom: string;
  dateTo: string;
  modality: string;
  studyDescription: string;
  referringPhysicianName: string;
  sort: StudySort;
}

/** An empty search: every study the user may see, newest first. */
export const EMPTY_SEARCH: StudySearch = {
  patientName: '',
  fuzzy: false,
  patientId: '',
  accessionNumber: '',
  dateFrom: '',
  dateTo: '',
  modality: '',
  studyDescription: '',
  referringPhysicianName: '',
  sort: NEWEST_FIRST,
};

/** Attributes the study list shows, asked for by `includefield` beyond the required return keys. */
const INCLUDE_FIELDS = [
  'StudyDescription',
  'ModalitiesInStudy',
  'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances',
  'ReferringPhysicianName',
  'InstitutionName',
];

/** A free-text field becomes a wildcard match unless the user typed wildcards or asked for exact matching. */
function textMatch(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || /[*?]/.test(trimmed)) return trimmed;
  return `${trimmed}*`;
}

/**
 * The modality codes typed in the field: `CT, MR`, `ct mr` and `CT\MR` alike. Several become one
 * backslash-separated value, as DICOM writes several values; the archive matches a study that has any.
 */
function modalityCodes(field: string): string[] {
  return field
    .toUpperCase()
    .split(/[\s,\\]+/)
    .filter((code) => code !== '');
}

function dicomDate(isoDate: string): string {
  return isoDate.replaceAll('-', '');
}

/**
 * The QIDO-RS query (PS3.18 10.6) of a search and a page: names and descriptions match as typed prefixes
 * (or with the user's own `*`/`?`), IDs and accession numbers exactly, dates as a range; in the
 * search's order, sorted and paged by the server.
 */
export function studyQuery(search: StudySearch, page: { offset: number; limit: number }): URLSearchParams {
  const params = new URLSearchParams();
  const name = textMatch(search.patientName);
  if (name !== '') params.set('PatientName', search.fuzzy ? search.patientName.trim() : name);
  if (search.fuzzy && name !== '') params.set('fuzzymatching', 'true');
  if (search.patientId.trim() !== '') params.set('PatientID', search.patientId.trim());
  if (search.accessionNumber.trim() !== '') params.set('AccessionNumber', search.accessionNumber.trim());
  if (search.dateFrom !== '' || search.dateTo !== '') {
    const from = dicomDate(search.dateFrom);
    const to = dicomDate(search.dateTo);
    params.set('StudyDate', from === to ? from : `${from}-${to}`);
  }
  const modalities = modalityCodes(search.modality);
  if (modalities.length > 0) params.set('ModalitiesInStudy', modalities.join('\\'));
  const description = textMatch(search.studyDescription);
  if (description !== '') params.set('StudyDescription', description);
  const referring = textMatch(search.referringPhysicianName);
  if (referring !== '') params.set('ReferringPhysicianName', referring);
  const order = orderBy(search.sort);
  if (order !== undefined) params.set('orderby', order);
  for (const field of INCLUDE_FIELDS) params.append('includefield', field);
  params.set('limit', String(page.limit));
  params.set('offset', String(page.offset));
  return params;
}

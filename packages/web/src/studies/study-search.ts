/** What the study list's search form holds. */
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

function dicomDate(isoDate: string): string {
  return isoDate.replaceAll('-', '');
}

/**
 * The QIDO-RS query (PS3.18 10.6) of a search and a page: names and descriptions match as typed prefixes
 * (or with the user's own `*`/`?`), IDs and accession numbers exactly, dates as a range.
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
  if (search.modality.trim() !== '') params.set('ModalitiesInStudy', search.modality.trim().toUpperCase());
  const description = textMatch(search.studyDescription);
  if (description !== '') params.set('StudyDescription', description);
  const referring = textMatch(search.referringPhysicianName);
  if (referring !== '') params.set('ReferringPhysicianName', referring);
  for (const field of INCLUDE_FIELDS) params.append('includefield', field);
  params.set('limit', String(page.limit));
  params.set('offset', String(page.offset));
  return params;
}

import { PRIVATE_SITE_TAG } from './synthetic-ct.js';
import { hash32, syntheticInstance, type ArchiveScale } from './synthetic-archive.js';

/** One typical QIDO-RS `/studies` query; `path(n)` varies the values from sample to sample. */
export interface QuerySpec {
  id: string;
  label: string;
  path: (n: number) => string;
}

function addDays(date: string, days: number): string {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
  return new Date(ms + days * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}

/** A misspelling that sounds the same (what fuzzy matching is for): SMITH → SMYTH, CLARK → KLARK. */
function misspell(name: string): string {
  if (name.includes('I')) return name.replace('I', 'Y');
  if (name.startsWith('C')) return `K${name.slice(1)}`;
  if (name.includes('O')) return name.replace('O', 'OH');
  return `${name}E`;
}

/**
 * The typical QIDO `/studies` queries of the issue, with values drawn from the synthetic archive so that
 * each one finds what a user would find: PatientID exact, PatientName prefix wildcard, StudyDate range
 * with ModalitiesInStudy, AccessionNumber, fuzzy PatientName, unfiltered with limit=50, and a private
 * attribute (plus a standard attribute without a column of its own). Filtered queries ask for at most 100
 * results, as worklist UIs do.
 */
export function typicalQueries(scale: ArchiveScale): QuerySpec[] {
  const instance = (n: number, salt: number) => syntheticInstance(scale, hash32(n, salt) % scale.studies, 0);
  const q = (text: string) => encodeURIComponent(text);
  const family = (n: number, salt: number) => instance(n, salt).patientName.split('^')[0]!;
  return [
    {
      id: 'patient-id',
      label: 'PatientID exact',
      path: (n) => `/studies?PatientID=${q(instance(n, 101).patientId)}&limit=100`,
    },
    {
      id: 'patient-name-prefix',
      label: 'PatientName prefix*',
      path: (n) => `/studies?PatientName=${q(`${family(n, 102).slice(0, 4)}*`)}&limit=100`,
    },
    {
      id: 'date-range-modality',
      label: 'StudyDate 1 month + ModalitiesInStudy',
      path: (n) => {
        const a = instance(n, 103);
        return `/studies?StudyDate=${a.studyDate}-${addDays(a.studyDate, 30)}&ModalitiesInStudy=${a.modality}&limit=100`;
      },
    },
    {
      id: 'accession',
      label: 'AccessionNumber exact',
      path: (n) => `/studies?AccessionNumber=${q(instance(n, 104).accessionNumber)}&limit=100`,
    },
    {
      id: 'fuzzy-name',
      label: 'PatientName fuzzy (misspelt)',
      path: (n) => `/studies?PatientName=${q(misspell(family(n, 105)))}&fuzzymatching=true&limit=100`,
    },
    { id: 'unfiltered', label: 'unfiltered, limit=50', path: () => `/studies?limit=50` },
    {
      id: 'private-attribute',
      label: 'private (0009,1001) value',
      path: (n) =>
        `/studies?${PRIVATE_SITE_TAG.toString(16).padStart(8, '0').toUpperCase()}=${q(instance(n, 106).siteCode)}&limit=100`,
    },
    {
      id: 'any-attribute',
      label: 'InstitutionName (no column)',
      path: (n) => `/studies?InstitutionName=${q(instance(n, 107).institutionName)}&limit=100`,
    },
  ];
}

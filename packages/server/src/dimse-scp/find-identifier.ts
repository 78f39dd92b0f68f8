/**
 * C-FIND identifiers (PS3.4 §C.4.1.1.3, §C.6): the keys of a request become an archive query (the same
 * one QIDO-RS builds), and each match becomes a response identifier holding exactly the requested keys.
 */
import { parseHexTag, type DicomJson, type DicomJsonAttribute, type PersonNameJson } from '@lightbox/dicom';
import { parseAttributeMatch } from '../archive/query/attribute-match.js';
import { projectIdentifier } from '../archive/query/project-identifier.js';
import type { ArchiveQuery, AttributeFilter, QueryLevel } from '../archive/query/archive-query.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** Query/Retrieve Level (0008,0052) values (PS3.4 §C.6.1.1.1, §C.6.2.1.1). */
export type FindLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

/** The information model of the C-FIND SOP class. */
export type InformationModel = 'patient-root' | 'study-root';

/** A parsed C-FIND request. */
export interface FindRequest {
  level: FindLevel;
  /** The archive query; at PATIENT level a study query whose matches are grouped by patient. */
  query: ArchiveQuery;
  /** The identifier as received: its keys are the keys to return. */
  requested: DicomJson;
}

const QUERY_RETRIEVE_LEVEL = '00080052';
const SPECIFIC_CHARACTER_SET = '00080005';
const RETRIEVE_AE_TITLE = '00080054';
/** Keys that only ask for a value to be returned; they never restrict the matches. */
const RETURN_ONLY: ReadonlySet<string> = new Set([
  SPECIFIC_CHARACTER_SET, QUERY_RETRIEVE_LEVEL, RETRIEVE_AE_TITLE, '00080056', '00080201', '00201200',
  '00201202', '00201204', '00201206', '00201208', '00201209', '00080062', '00880130', '00880140',
]); // prettier-ignore
/**
 * Return-only keys whose values the archive itself keeps (availability, timezone, the study's and
 * series' counters and SOP Classes in Study): they never restrict the matches, but they must still be
 * asked of the archive, which returns only the default keys of the level and those it is asked for.
 * Without this, SOP Classes in Study (0008,0062) came back empty, and a C-GET SCU that negotiates its
 * storage contexts from it (odil's) had nothing to propose.
 */
const ARCHIVE_RETURN_ONLY: ReadonlySet<string> = new Set([
  '00080056', '00080062', '00080201', '00201206', '00201208', '00201209',
]); // prettier-ignore

/** The levels of each information model, top down. */
export const LEVELS: Record<InformationModel, readonly FindLevel[]> = {
  'patient-root': ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
  'study-root': ['STUDY', 'SERIES', 'IMAGE'],
};

const ARCHIVE_LEVEL: Record<FindLevel, QueryLevel> = {
  PATIENT: 'study',
  STUDY: 'study',
  SERIES: 'series',
  IMAGE: 'instance',
};

/** Patient-level keys of the patient root model (PS3.4 Table C.6-1): the only matching keys at PATIENT level. */
const PATIENT_KEYS: ReadonlySet<string> = new Set([
  '00100010',
  '00100020',
  '00100021',
  '00100030',
  '00100040',
]);

function mismatch(detail: string): AppError {
  return new AppError(ErrorCode.DataSetMismatch, detail);
}

function tagOf(hex: string): number {
  const tag = parseHexTag(hex);
  if (tag === undefined) throw mismatch(`${hex} is not a tag`);
  return tag;
}

function personNameText(value: PersonNameJson): string {
  return [value.Alphabetic ?? '', value.Ideographic ?? '', value.Phonetic ?? ''].join('=').replace(/=+$/, '');
}

/** The value of a matching key as the text QIDO-RS would carry (multiple values joined by backslash). */
function keyText(attribute: DicomJsonAttribute): string {
  const values = attribute.Value ?? [];
  return values
    .map((value) => {
      if (value === null) return '';
      if (typeof value === 'object') return personNameText(value as PersonNameJson);
      return String(value);
    })
    .join('\\');
}

function filtersOf(tag: string, attribute: DicomJsonAttribute): AttributeFilter[] {
  const path = tagOf(tag);
  if (attribute.vr === 'SQ') {
    // Sequence matching (PS3.4 §C.2.2.2.6): the keys of the single item match within the sequence.
    const item = attribute.Value?.[0];
    if (item === undefined || item === null || typeof item !== 'object') return [];
    return Object.entries(item as DicomJson).flatMap(([inner, value]) =>
      keyText(value) === '' || value.vr === 'SQ'
        ? []
        : [
            {
              path: [path, tagOf(inner)],
              vr: value.vr,
              match: parseAttributeMatch(value.vr, keyText(value), inner),
            },
          ],
    );
  }
  const text = keyText(attribute);
  if (text === '') return [];
  return [{ path: [path], vr: attribute.vr, match: parseAttributeMatch(attribute.vr, text, tag) }];
}

/** Parses a C-FIND identifier (as DICOM JSON) into a request; a bad identifier is DataSetMismatch (A900). */
export function parseFindIdentifier(
  identifier: DicomJson,
  model: InformationModel,
  maxResults: number,
): FindRequest {
  const levelText = keyText(identifier[QUERY_RETRIEVE_LEVEL] ?? { vr: 'CS' }).trim();
  const level = LEVELS[model].find((l) => l === levelText);
  if (level === undefined) {
    throw mismatch(`Query/Retrieve Level "${levelText}" is not one of ${LEVELS[model].join(', ')}`);
  }
  const filters: AttributeFilter[] = [];
  const includeFields: number[] = [];
  for (const [tag, attribute] of Object.entries(identifier)) {
    if (RETURN_ONLY.has(tag)) {
      if (ARCHIVE_RETURN_ONLY.has(tag)) includeFields.push(tagOf(tag));
      continue;
    }
    if (level === 'PATIENT' && !PATIENT_KEYS.has(tag) && keyText(attribute) !== '') {
      throw mismatch(`key ${tag} cannot be matched at PATIENT level`);
    }
    try {
      filters.push(...filtersOf(tag, attribute));
    } catch (error) {
      if (error instanceof AppError) throw mismatch(error.detail);
      throw error;
    }
    includeFields.push(tagOf(tag));
  }
  return {
    level,
    requested: identifier,
    query: {
      level: ARCHIVE_LEVEL[level],
      filters,
      fuzzy: false,
      includeFields,
      limit: maxResults,
      offset: 0,
    },
  };
}

function patientKey(match: DicomJson): string {
  return JSON.stringify([match['00100020']?.Value ?? [], match['00100021']?.Value ?? []]);
}

function count(match: DicomJson, tag: string): number {
  const value = match[tag]?.Value?.[0];
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/**
 * PATIENT level of the patient root model: study matches grouped by patient (ID and issuer), with the
 * patient's number of related studies, series and instances (PS3.4 Table C.6-1).
 */
export function groupByPatient(studies: readonly DicomJson[]): DicomJson[] {
  const patients = new Map<string, DicomJson>();
  for (const study of studies) {
    const key = patientKey(study);
    const patient = patients.get(key);
    if (patient === undefined) {
      patients.set(key, {
        ...study,
        '00201200': { vr: 'IS', Value: [1] },
        '00201202': { vr: 'IS', Value: [count(study, '00201206')] },
        '00201204': { vr: 'IS', Value: [count(study, '00201208')] },
      });
      continue;
    }
    patient['00201200'] = { vr: 'IS', Value: [count(patient, '00201200') + 1] };
    patient['00201202'] = { vr: 'IS', Value: [count(patient, '00201202') + count(study, '00201206')] };
    patient['00201204'] = { vr: 'IS', Value: [count(patient, '00201204') + count(study, '00201208')] };
  }
  return [...patients.values()];
}

/**
 * The response identifier of one match (PS3.4 §C.4.1.1.3.2): every requested key, with its value when
 * the archive holds one and empty otherwise, the Query/Retrieve Level, and where to retrieve it from.
 */
export function responseIdentifier(
  match: DicomJson,
  request: FindRequest,
  retrieveAeTitle: string,
): DicomJson {
  const out: DicomJson = {};
  for (const [tag, attribute] of Object.entries(request.requested)) {
    if (tag === SPECIFIC_CHARACTER_SET) continue; // set from the values actually returned
    // A requested sequence item names the attributes returned from each stored item (PS3.4 C.2.2.2.6).
    out[tag] =
      attribute.vr === 'SQ'
        ? projectIdentifier(match, { [tag]: attribute })[tag]!
        : (match[tag] ?? { vr: attribute.vr });
  }
  out[QUERY_RETRIEVE_LEVEL] = { vr: 'CS', Value: [request.level] };
  out[RETRIEVE_AE_TITLE] = { vr: 'AE', Value: [retrieveAeTitle] };
  return out;
}

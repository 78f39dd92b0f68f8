import type { DicomJson } from '@lightbox/dicom';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { LEVELS, type FindLevel, type InformationModel } from './find-identifier.js';

const QUERY_RETRIEVE_LEVEL = '00080052';
const SPECIFIC_CHARACTER_SET = '00080005';
const PATIENT_ID = '00100020';
const ISSUER_OF_PATIENT_ID = '00100021';
const STUDY_UID = '0020000D';
const SERIES_UID = '0020000E';
const SOP_UID = '00080018';

/** The unique key of each level (PS3.4 Tables C.6-1, C.6-5). */
const UNIQUE_KEY: Record<FindLevel, string> = {
  PATIENT: PATIENT_ID,
  STUDY: STUDY_UID,
  SERIES: SERIES_UID,
  IMAGE: SOP_UID,
};

function mismatch(detail: string): AppError {
  return new AppError(ErrorCode.DataSetMismatch, detail);
}

function values(identifier: DicomJson, tag: string): string[] {
  return (identifier[tag]?.Value ?? [])
    .map((value) => (value === null ? '' : String(value).trim()))
    .filter((value) => value !== '');
}

/**
 * The identifier of a C-MOVE or C-GET reduced to what selects the instances (PS3.4 C.4.2.2.1, C.4.3.2.1):
 * the Query/Retrieve Level and the unique keys, that of the level required (a UID list there, a single
 * Patient ID at PATIENT level), those above it used when given. Any other key is not a matching key of
 * a retrieve and is left out: it neither widens nor narrows the selection. Without this, an empty Study
 * Instance UID matched every study (a whole archive moved by one request), and a Patient Name next to the
 * UID could make an existing study select nothing. A900 when the level or its key is missing.
 */
export function retrieveIdentifier(identifier: DicomJson, model: InformationModel): DicomJson {
  const levelText = String(identifier[QUERY_RETRIEVE_LEVEL]?.Value?.[0] ?? '').trim();
  const levels = LEVELS[model];
  const depth = levels.findIndex((level) => level === levelText);
  if (depth < 0) throw mismatch(`Query/Retrieve Level "${levelText}" is not one of ${levels.join(', ')}`);
  const level = levels[depth]!;
  const key = UNIQUE_KEY[level];
  if (values(identifier, key).length === 0)
    throw mismatch(`a retrieve at ${level} level needs the unique key ${key} with a value`);
  const patientIds = values(identifier, PATIENT_ID);
  // Patient ID is a single value matched as it is: a wildcard would select other patients' studies.
  if (patientIds.length > 1 || patientIds.some((id) => /[*?]/.test(id)))
    throw mismatch('the Patient ID of a retrieve is a single value without wildcards');
  // UIDs are matched as single values or lists (PS3.4 C.2.2.2.2): `*` would be universal matching.
  for (const tag of [STUDY_UID, SERIES_UID, SOP_UID]) {
    if (values(identifier, tag).some((uid) => /[*?]/.test(uid)))
      throw mismatch(`the unique key ${tag} of a retrieve holds UIDs, not wildcards`);
  }

  const selecting: DicomJson = { [QUERY_RETRIEVE_LEVEL]: { vr: 'CS', Value: [level] } };
  const charset = identifier[SPECIFIC_CHARACTER_SET];
  if (charset !== undefined) selecting[SPECIFIC_CHARACTER_SET] = charset;
  const keys = levels.slice(0, depth + 1).map((l) => UNIQUE_KEY[l]);
  if (keys.includes(PATIENT_ID) && values(identifier, ISSUER_OF_PATIENT_ID).length > 0)
    keys.push(ISSUER_OF_PATIENT_ID);
  for (const tag of keys) {
    const attribute = identifier[tag];
    if (attribute !== undefined && values(identifier, tag).length > 0) selecting[tag] = attribute;
  }
  return selecting;
}

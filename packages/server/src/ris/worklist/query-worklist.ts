import type { DicomJson } from '@lightbox/dicom';
import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.js';
import { parseAttributeMatch } from '../../archive/query/attribute-match.js';
import { FINAL_EXAM_STATUSES, OPEN_STEP_STATUSES } from '../exam-status.js';
import { elementTexts } from '../../archive/dicom-json-values.js';
import { projectIdentifier } from '../../archive/query/project-identifier.js';
import { matchesIdentifier } from './match-identifier.js';
import { worklistItem, worklistNeeds, type WorklistColumn, type WorklistRow } from './worklist-item.js';
import { worklistMatchingKeys } from './worklist-matching-keys.js';

/** The single values of a key that the database can narrow by, or undefined when it cannot. */
function exactValues(identifier: DicomJson | undefined, key: string): string[] | undefined {
  const element = identifier?.[key];
  if (element === undefined) return undefined;
  const match = parseAttributeMatch(element.vr, elementTexts(element).join('\\'), key);
  return match.kind === 'values' ? match.values : undefined;
}

/** How each column of a worklist row is selected. */
const SELECTIONS = {
  patient_attributes: 'p.attributes as patient_attributes',
  accession_number: 'o.accession_number',
  placer_order_number: 'o.placer_order_number',
  filler_order_number: 'o.filler_order_number',
  priority: 'o.priority',
  reason: 'o.reason',
  procedure_code: 'o.procedure_code',
  procedure_scheme: 'o.procedure_scheme',
  procedure_description: 'o.procedure_description',
  ordering_provider: 'o.ordering_provider',
  referring_physician: 'o.referring_physician',
  patient_location: 'o.patient_location',
  admission_id: 'o.admission_id',
  study_instance_uid: 'o.study_instance_uid',
  requested_procedure_id: 'o.requested_procedure_id',
  step_id: 's.step_id',
  step_status: 's.status as step_status',
  station_ae: 's.station_ae',
  station_name: 's.station_name',
  location: 's.location',
  modality: 's.modality',
  start_date: 's.start_date',
  start_time: 's.start_time',
  performing_physician: 's.performing_physician',
  description: 's.description',
  protocol_code: 's.protocol_code',
  protocol_scheme: 's.protocol_scheme',
  protocol_meaning: 's.protocol_meaning',
} as const satisfies Record<WorklistColumn, string>;

/**
 * Answers a Modality Worklist C-FIND (PS3.4 K.6): the database narrows by the keys it indexes (station AE,
 * start date, modality, accession, patient ID, step status); every key is then matched in memory (PS3.4
 * C.2.2.2) and each match projected onto the requested keys. Steps without a station are offered to every
 * station. By default only steps still to be performed are listed. Only the columns the identifier's keys
 * are made of are read, and each row becomes an item of just those keys.
 */
export async function queryWorklist(
  db: Kysely<Tables>,
  identifier: DicomJson,
  maxResults: number,
): Promise<DicomJson[]> {
  const matching = worklistMatchingKeys(identifier);
  const stepKeys = ((matching['00400100']?.Value ?? []) as DicomJson[])[0];
  const needs = worklistNeeds(identifier);
  // Kysely needs one selection at least (an identifier without keys).
  if (needs.columns.length === 0) needs.columns.push('step_id');
  let query = db
    .selectFrom('procedure_step as s')
    .innerJoin('imaging_order as o', 'o.pk', 's.order_pk')
    .innerJoin('patient as p', 'p.pk', 'o.patient_pk')
    .select(needs.columns.map((column) => SELECTIONS[column]))
    .where('o.status', 'not in', [...FINAL_EXAM_STATUSES]);
  const stations = exactValues(stepKeys, '00400001');
  const modalities = exactValues(stepKeys, '00080060');
  // A step no station is assigned to is offered to every station: an order must reach a modality's
  // worklist without a manual step. Assign stations (catalog, IPC-9, booking) to narrow the lists.
  if (stations !== undefined) query = query.where('s.station_ae', 'in', [...stations, '']);
  if (modalities !== undefined) query = query.where('s.modality', 'in', modalities);
  const statuses = exactValues(stepKeys, '00400020');
  query = query.where('s.status', 'in', statuses ?? OPEN_STEP_STATUSES);
  const dateElement = stepKeys?.['00400002'];
  if (dateElement !== undefined) {
    const match = parseAttributeMatch('DA', elementTexts(dateElement).join('\\'), '00400002');
    if (match.kind === 'values') query = query.where('s.start_date', 'in', match.values);
    if (match.kind === 'range') {
      if (match.from !== undefined) query = query.where('s.start_date', '>=', match.from);
      if (match.to !== undefined) query = query.where('s.start_date', '<=', match.to);
    }
  }
  const accessions = exactValues(matching, '00080050');
  if (accessions !== undefined) query = query.where('o.accession_number', 'in', accessions);
  const patientIds = exactValues(matching, '00100020');
  if (patientIds !== undefined) query = query.where('p.patient_id', 'in', patientIds);
  // Only the selected columns are set: worklistItem reads no others.
  const rows = (await query
    .orderBy('s.start_date')
    .orderBy('s.start_time')
    .orderBy('s.pk')
    .execute()) as WorklistRow[];
  // Steps without a station match any requested station; matched in memory as if they had it.
  const requestedStation = stations?.[0];
  const results: DicomJson[] = [];
  // A patient's attributes are read once per query, however many of their steps match.
  const patients = new Map<string, DicomJson>();
  const noPatient: DicomJson = {};
  for (const row of rows) {
    let patient = noPatient;
    if (needs.patient) {
      const known = patients.get(row.patient_attributes);
      patient = known ?? (JSON.parse(row.patient_attributes) as DicomJson);
      if (known === undefined) patients.set(row.patient_attributes, patient);
    }
    const item = worklistItem(row, patient, identifier, requestedStation);
    if (!matchesIdentifier(item, matching)) continue;
    results.push(projectIdentifier(item, identifier));
    if (results.length >= maxResults) break;
  }
  return results;
}

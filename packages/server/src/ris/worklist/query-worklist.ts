import type { DicomJson } from '@lightbox/dicom';
import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.js';
import { parseAttributeMatch } from '../../archive/query/attribute-match.js';
import { FINAL_EXAM_STATUSES, OPEN_STEP_STATUSES } from '../exam-status.js';
import { elementTexts } from '../../archive/dicom-json-values.js';
import { matchesIdentifier, projectIdentifier } from './match-identifier.js';
import { worklistItem, type WorklistRow } from './worklist-item.js';
import { worklistMatchingKeys } from './worklist-matching-keys.js';

/** The single values of a key that the database can narrow by, or undefined when it cannot. */
function exactValues(identifier: DicomJson | undefined, key: string): string[] | undefined {
  const element = identifier?.[key];
  if (element === undefined) return undefined;
  const match = parseAttributeMatch(element.vr, elementTexts(element).join('\\'), key);
  return match.kind === 'values' ? match.values : undefined;
}

/**
 * Answers a Modality Worklist C-FIND (PS3.4 K.6): the database narrows by the keys it indexes (station AE,
 * start date, modality, accession, patient ID, step status); every key is then matched in memory (PS3.4
 * C.2.2.2) and each match projected onto the requested keys. Steps without a station are offered to every
 * station. By default only steps still to be performed are listed.
 */
export async function queryWorklist(
  db: Kysely<Tables>,
  identifier: DicomJson,
  maxResults: number,
): Promise<DicomJson[]> {
  const matching = worklistMatchingKeys(identifier);
  const stepKeys = ((matching['00400100']?.Value ?? []) as DicomJson[])[0];
  let query = db
    .selectFrom('procedure_step as s')
    .innerJoin('imaging_order as o', 'o.pk', 's.order_pk')
    .innerJoin('patient as p', 'p.pk', 'o.patient_pk')
    .select([
      'p.attributes as patient_attributes',
      'o.accession_number',
      'o.placer_order_number',
      'o.filler_order_number',
      'o.priority',
      'o.reason',
      'o.procedure_code',
      'o.procedure_scheme',
      'o.procedure_description',
      'o.ordering_provider',
      'o.referring_physician',
      'o.patient_location',
      'o.admission_id',
      'o.study_instance_uid',
      'o.requested_procedure_id',
      's.step_id',
      's.status as step_status',
      's.station_ae',
      's.station_name',
      's.location',
      's.modality',
      's.start_date',
      's.start_time',
      's.performing_physician',
      's.description',
      's.protocol_code',
      's.protocol_scheme',
      's.protocol_meaning',
    ])
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
  const rows: WorklistRow[] = await query
    .orderBy('s.start_date')
    .orderBy('s.start_time')
    .orderBy('s.pk')
    .execute();
  // Steps without a station match any requested station; matched in memory as if they had it.
  const requestedStation = stations?.[0];
  const results: DicomJson[] = [];
  // A patient's attributes are read once per query, however many of their steps match.
  const patients = new Map<string, DicomJson>();
  for (const row of rows) {
    let patient = patients.get(row.patient_attributes);
    if (patient === undefined) {
      patient = JSON.parse(row.patient_attributes) as DicomJson;
      patients.set(row.patient_attributes, patient);
    }
    const item = worklistItem(
      row.station_ae === '' && requestedStation !== undefined
        ? { ...row, station_ae: requestedStation }
        : row,
      patient,
    );
    if (!matchesIdentifier(item, matching)) continue;
    results.push(projectIdentifier(item, identifier));
    if (results.length >= maxResults) break;
  }
  return results;
}

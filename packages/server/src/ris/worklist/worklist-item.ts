import type { DicomJson, DicomJsonAttribute } from '@lightbox/dicom';
import { textAttribute } from '../../archive/dicom-json-values.js';

/** The columns of one worklist entry: a scheduled step with its order and patient. */
export interface WorklistRow {
  patient_attributes: string;
  accession_number: string;
  placer_order_number: string | null;
  filler_order_number: string | null;
  priority: string;
  reason: string | null;
  procedure_code: string | null;
  procedure_scheme: string | null;
  procedure_description: string | null;
  ordering_provider: string | null;
  referring_physician: string | null;
  patient_location: string | null;
  admission_id: string | null;
  study_instance_uid: string;
  requested_procedure_id: string;
  step_id: string;
  step_status: string;
  station_ae: string;
  station_name: string | null;
  location: string | null;
  modality: string | null;
  start_date: string | null;
  start_time: string | null;
  performing_physician: string | null;
  description: string | null;
  protocol_code: string | null;
  protocol_scheme: string | null;
  protocol_meaning: string | null;
}

/** A column of {@link WorklistRow}. */
export type WorklistColumn = keyof WorklistRow;

function codeSequence(
  code: string | null,
  scheme: string | null,
  meaning: string | null,
): DicomJsonAttribute {
  if (code === null) return { vr: 'SQ', Value: [] };
  return {
    vr: 'SQ',
    Value: [
      {
        '00080100': textAttribute('SH', code),
        '00080102': textAttribute('SH', scheme ?? 'L'),
        '00080104': textAttribute('LO', meaning ?? code),
      },
    ],
  };
}

/** One attribute of a worklist item: the columns it is made of, and how. */
interface Source {
  columns: readonly WorklistColumn[];
  attribute(row: WorklistRow): DicomJsonAttribute;
}

function text(vr: DicomJsonAttribute['vr'], column: WorklistColumn): Source {
  return { columns: [column], attribute: (row) => textAttribute(vr, row[column]) };
}

const EMPTY_SEQUENCE: Source = { columns: [], attribute: () => ({ vr: 'SQ', Value: [] }) };

/** The attributes of the Scheduled Procedure Step Sequence item, by tag. */
const STEP: Readonly<Record<string, Source>> = {
  '00080060': text('CS', 'modality'),
  '00400001': text('AE', 'station_ae'),
  '00400002': text('DA', 'start_date'),
  '00400003': text('TM', 'start_time'),
  '00400006': text('PN', 'performing_physician'),
  '00400007': text('LO', 'description'),
  '00400008': {
    columns: ['protocol_code', 'protocol_scheme', 'protocol_meaning'],
    attribute: (row) => codeSequence(row.protocol_code, row.protocol_scheme, row.protocol_meaning),
  },
  '00400009': text('SH', 'step_id'),
  '00400010': text('SH', 'station_name'),
  '00400011': text('SH', 'location'),
  '00400020': text('CS', 'step_status'),
};

const SCHEDULED_STEP = '00400100';

/** The attributes of the order and its requested procedure, by tag (the patient's come from its JSON). */
const ORDER: Readonly<Record<string, Source>> = {
  '00080050': text('SH', 'accession_number'),
  '00080090': text('PN', 'referring_physician'),
  '00081110': EMPTY_SEQUENCE,
  '00081120': EMPTY_SEQUENCE,
  '0020000D': text('UI', 'study_instance_uid'),
  '00321032': text('PN', 'ordering_provider'),
  '00321060': text('LO', 'procedure_description'),
  '00321064': {
    columns: ['procedure_code', 'procedure_scheme', 'procedure_description'],
    attribute: (row) => codeSequence(row.procedure_code, row.procedure_scheme, row.procedure_description),
  },
  '00380010': text('LO', 'admission_id'),
  '00380300': text('LO', 'patient_location'),
  // Filled from the step's own keys when asked for; empty here.
  [SCHEDULED_STEP]: EMPTY_SEQUENCE,
  '00401001': text('SH', 'requested_procedure_id'),
  '00401002': text('LO', 'reason'),
  '00401003': text('SH', 'priority'),
  '00402016': text('LO', 'placer_order_number'),
  '00402017': text('LO', 'filler_order_number'),
};

function has(table: Readonly<Record<string, Source>>, key: string): boolean {
  return Object.hasOwn(table, key);
}

/** The step item's keys an identifier asks for; undefined: the whole item (no item, or an empty one). */
function requestedStepKeys(identifier: DicomJson): string[] | undefined {
  const item = ((identifier[SCHEDULED_STEP]?.Value ?? []) as DicomJson[])[0];
  if (item === undefined) return undefined;
  const keys = Object.keys(item);
  return keys.length === 0 ? undefined : keys;
}

/** What the worklist items of an identifier are made of: the row's columns, and the patient's attributes. */
export interface WorklistNeeds {
  columns: WorklistColumn[];
  /** Some key is not the order's nor the step's: it comes from the patient's attributes. */
  patient: boolean;
}

/** The columns (and whether the patient's attributes) the items answering `identifier` need. */
export function worklistNeeds(identifier: DicomJson): WorklistNeeds {
  const columns = new Set<WorklistColumn>();
  let patient = false;
  for (const key of Object.keys(identifier)) {
    if (!has(ORDER, key)) {
      patient = true;
      continue;
    }
    for (const column of ORDER[key]!.columns) columns.add(column);
    if (key !== SCHEDULED_STEP) continue;
    const stepKeys = requestedStepKeys(identifier) ?? Object.keys(STEP);
    for (const stepKey of stepKeys) for (const column of STEP[stepKey]?.columns ?? []) columns.add(column);
  }
  if (patient) columns.add('patient_attributes');
  return { columns: [...columns], patient };
}

function stepItem(row: WorklistRow, keys: readonly string[], station: string | undefined): DicomJson {
  const item: DicomJson = {};
  for (const key of keys) {
    const source = STEP[key];
    if (source === undefined) continue;
    // A step no station is assigned to answers as the station that asked for it.
    item[key] =
      key === '00400001' && row.station_ae === '' && station !== undefined
        ? textAttribute('AE', station)
        : source.attribute(row);
  }
  return item;
}

/**
 * A worklist item (PS3.4 K.6.1.2; IHE RAD TF-2 RAD-5 return keys): patient, visit, imaging service request,
 * requested procedure and the one scheduled procedure step of this row. The patient's attributes are the
 * index's current ones, so an ADT update shows in the next query. With `identifier`, only the attributes it
 * asks for (as matching or return keys) are built, from the columns {@link worklistNeeds} names; `station`
 * stands for the station of a step that has none.
 */
export function worklistItem(
  row: WorklistRow,
  patient: DicomJson = JSON.parse(row.patient_attributes) as DicomJson,
  identifier?: DicomJson,
  station?: string,
): DicomJson {
  if (identifier === undefined) {
    const item: DicomJson = { ...patient };
    for (const key of Object.keys(ORDER)) item[key] = ORDER[key]!.attribute(row);
    item[SCHEDULED_STEP] = { vr: 'SQ', Value: [stepItem(row, Object.keys(STEP), station)] };
    return item;
  }
  const item: DicomJson = {};
  for (const key of Object.keys(identifier)) {
    if (key === SCHEDULED_STEP) {
      const keys = requestedStepKeys(identifier) ?? Object.keys(STEP);
      item[key] = { vr: 'SQ', Value: [stepItem(row, keys, station)] };
    } else if (has(ORDER, key)) {
      item[key] = ORDER[key]!.attribute(row);
    } else if (patient[key] !== undefined) {
      item[key] = patient[key];
    }
  }
  return item;
}

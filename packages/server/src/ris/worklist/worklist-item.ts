import type { DicomJson, DicomJsonAttribute, Vr } from '@lightbox/dicom';

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

function text(vr: Vr, value: string | null | undefined): DicomJsonAttribute {
  if (value === null || value === undefined || value === '') return { vr };
  return vr === 'PN' ? { vr, Value: [{ Alphabetic: value }] } : { vr, Value: [value] };
}

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
        '00080100': text('SH', code),
        '00080102': text('SH', scheme ?? 'L'),
        '00080104': text('LO', meaning ?? code),
      },
    ],
  };
}

/**
 * A worklist item (PS3.4 K.6.1.2; IHE RAD TF-2 RAD-5 return keys): patient, visit, imaging service request,
 * requested procedure and the one scheduled procedure step of this row. The patient's attributes are the
 * index's current ones, so an ADT update shows in the next query.
 */
export function worklistItem(
  row: WorklistRow,
  patient: DicomJson = JSON.parse(row.patient_attributes) as DicomJson,
): DicomJson {
  const step: DicomJson = {
    '00080060': text('CS', row.modality),
    '00400001': text('AE', row.station_ae),
    '00400002': text('DA', row.start_date),
    '00400003': text('TM', row.start_time),
    '00400006': text('PN', row.performing_physician),
    '00400007': text('LO', row.description),
    '00400008': codeSequence(row.protocol_code, row.protocol_scheme, row.protocol_meaning),
    '00400009': text('SH', row.step_id),
    '00400010': text('SH', row.station_name),
    '00400011': text('SH', row.location),
    '00400020': text('CS', row.step_status),
  };
  return {
    ...patient,
    '00080050': text('SH', row.accession_number),
    '00080090': text('PN', row.referring_physician),
    '00081110': { vr: 'SQ', Value: [] },
    '00081120': { vr: 'SQ', Value: [] },
    '0020000D': text('UI', row.study_instance_uid),
    '00321032': text('PN', row.ordering_provider),
    '00321060': text('LO', row.procedure_description),
    '00321064': codeSequence(row.procedure_code, row.procedure_scheme, row.procedure_description),
    '00380010': text('LO', row.admission_id),
    '00380300': text('LO', row.patient_location),
    '00400100': { vr: 'SQ', Value: [step] },
    '00401001': text('SH', row.requested_procedure_id),
    '00401002': text('LO', row.reason),
    '00401003': text('SH', row.priority),
    '00402016': text('LO', row.placer_order_number),
    '00402017': text('LO', row.filler_order_number),
  };
}

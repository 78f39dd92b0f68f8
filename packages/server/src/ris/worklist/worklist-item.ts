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
    '00080060': textAttribute('CS', row.modality),
    '00400001': textAttribute('AE', row.station_ae),
    '00400002': textAttribute('DA', row.start_date),
    '00400003': textAttribute('TM', row.start_time),
    '00400006': textAttribute('PN', row.performing_physician),
    '00400007': textAttribute('LO', row.description),
    '00400008': codeSequence(row.protocol_code, row.protocol_scheme, row.protocol_meaning),
    '00400009': textAttribute('SH', row.step_id),
    '00400010': textAttribute('SH', row.station_name),
    '00400011': textAttribute('SH', row.location),
    '00400020': textAttribute('CS', row.step_status),
  };
  return {
    ...patient,
    '00080050': textAttribute('SH', row.accession_number),
    '00080090': textAttribute('PN', row.referring_physician),
    '00081110': { vr: 'SQ', Value: [] },
    '00081120': { vr: 'SQ', Value: [] },
    '0020000D': textAttribute('UI', row.study_instance_uid),
    '00321032': textAttribute('PN', row.ordering_provider),
    '00321060': textAttribute('LO', row.procedure_description),
    '00321064': codeSequence(row.procedure_code, row.procedure_scheme, row.procedure_description),
    '00380010': textAttribute('LO', row.admission_id),
    '00380300': textAttribute('LO', row.patient_location),
    '00400100': { vr: 'SQ', Value: [step] },
    '00401001': textAttribute('SH', row.requested_procedure_id),
    '00401002': textAttribute('LO', row.reason),
    '00401003': textAttribute('SH', row.priority),
    '00402016': textAttribute('LO', row.placer_order_number),
    '00402017': textAttribute('LO', row.filler_order_number),
  };
}

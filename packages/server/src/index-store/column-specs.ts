import { Tag } from '@lightbox/dicom';

/** The levels of the study root information model, the patient's included. */
export type Level = 'patient' | 'study' | 'series' | 'instance';
export type ColumnKind = 'text' | 'name' | 'date' | 'time' | 'number' | 'set';

export interface ColumnSpec {
  level: Level;
  column: string;
  kind: ColumnKind;
  /** For names: the tag of their phonetic keys in `person_name_key`, and the column with all component groups. */
  nameKeyTag?: number;
  raw?: string;
}

// Attributes with a column of their own (PS3.18 Tables 10.6.1-5/6/7 and a few more). Every other
// attribute, private ones included, is matched in the stored DICOM JSON, narrowed first through the
// `attribute_value` table where it can be (attribute-values.ts).
export const COLUMNS: ReadonlyMap<number, ColumnSpec> = new Map<number, ColumnSpec>([
  [
    0x00100010,
    {
      level: 'patient',
      column: 'patient_name_search',
      kind: 'name',
      nameKeyTag: Tag.PatientName,
      raw: 'patient_name',
    },
  ],
  [0x00100020, { level: 'patient', column: 'patient_id', kind: 'text' }],
  [0x00100021, { level: 'patient', column: 'issuer_of_patient_id', kind: 'text' }],
  [0x00100030, { level: 'patient', column: 'patient_birth_date', kind: 'date' }],
  [0x00100040, { level: 'patient', column: 'patient_sex', kind: 'text' }],
  [0x0020000d, { level: 'study', column: 'study_instance_uid', kind: 'text' }],
  [0x00080020, { level: 'study', column: 'study_date', kind: 'date' }],
  [0x00080030, { level: 'study', column: 'study_time', kind: 'time' }],
  [0x00080050, { level: 'study', column: 'accession_number', kind: 'text' }],
  [0x00200010, { level: 'study', column: 'study_id', kind: 'text' }],
  [0x00081030, { level: 'study', column: 'study_description', kind: 'text' }],
  [
    0x00080090,
    {
      level: 'study',
      column: 'referring_physician_name_search',
      kind: 'name',
      nameKeyTag: Tag.ReferringPhysicianName,
      raw: 'referring_physician_name',
    },
  ],
  [0x00080061, { level: 'study', column: 'modalities_in_study', kind: 'set' }],
  [0x00080062, { level: 'study', column: 'sop_classes_in_study', kind: 'set' }],
  [0x00201206, { level: 'study', column: 'number_of_series', kind: 'number' }],
  [0x00201208, { level: 'study', column: 'number_of_instances', kind: 'number' }],
  [0x0020000e, { level: 'series', column: 'series_instance_uid', kind: 'text' }],
  [0x00080060, { level: 'series', column: 'modality', kind: 'text' }],
  [0x00200011, { level: 'series', column: 'series_number', kind: 'number' }],
  [0x0008103e, { level: 'series', column: 'series_description', kind: 'text' }],
  [0x00400244, { level: 'series', column: 'performed_procedure_step_start_date', kind: 'date' }],
  [0x00400245, { level: 'series', column: 'performed_procedure_step_start_time', kind: 'time' }],
  [0x00180015, { level: 'series', column: 'body_part_examined', kind: 'text' }],
  [0x00201209, { level: 'series', column: 'number_of_instances', kind: 'number' }],
  [0x00080018, { level: 'instance', column: 'sop_instance_uid', kind: 'text' }],
  [0x00080016, { level: 'instance', column: 'sop_class_uid', kind: 'text' }],
  [0x00200013, { level: 'instance', column: 'instance_number', kind: 'number' }],
  [0x00280010, { level: 'instance', column: 'rows', kind: 'number' }],
  [0x00280011, { level: 'instance', column: 'columns', kind: 'number' }],
  [0x00280100, { level: 'instance', column: 'bits_allocated', kind: 'number' }],
  [0x00280008, { level: 'instance', column: 'number_of_frames', kind: 'number' }],
]);

/** True when the attribute has a column of its own (matched there, never in the stored JSON). */
export function hasOwnColumn(tag: number): boolean {
  return COLUMNS.has(tag);
}

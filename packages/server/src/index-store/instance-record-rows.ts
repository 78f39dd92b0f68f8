import type { InstanceRecord } from '../archive/instance-record.js';
import type { InstanceTable, PatientTable, SeriesTable, StudyTable } from '../db/tables.js';

/**
 * The index rows an instance record creates, as committing it writes them (key left to the database).
 * The synthetic index of the benchmarks builds its rows with the same functions, so that it holds what
 * ingest would.
 */

/** A new patient, created at `now`. */
export function patientRow(p: InstanceRecord['patient'], now: number): Omit<PatientTable, 'pk'> {
  return {
    patient_key: p.key,
    patient_id: p.patientId,
    issuer_of_patient_id: p.issuer,
    patient_name: p.name,
    patient_name_search: p.nameSearch,
    patient_name_fuzzy: p.nameFuzzy,
    patient_birth_date: p.birthDate,
    patient_sex: p.sex,
    attributes: p.attributes,
    merged_into_pk: null,
    created_at: now,
    updated_at: now,
  };
}

/** A new study of a patient, created at `now`, with no series yet (its instances count it up). */
export function studyRow(s: InstanceRecord['study'], patientPk: number, now: number): Omit<StudyTable, 'pk'> {
  return {
    patient_pk: patientPk,
    study_instance_uid: s.uid,
    study_date: s.date,
    study_time: s.time,
    accession_number: s.accessionNumber,
    study_id: s.studyId,
    study_description: s.description,
    referring_physician_name: s.referringPhysicianName,
    referring_physician_name_search: s.referringPhysicianNameSearch,
    referring_physician_name_fuzzy: s.referringPhysicianNameFuzzy,
    modalities_in_study: '',
    sop_classes_in_study: '',
    number_of_series: 0,
    number_of_instances: 0,
    attributes: s.attributes,
    created_at: now,
    updated_at: now,
  };
}

/** A new series of a study, created at `now`, with no instances yet. */
export function seriesRow(
  s: InstanceRecord['series'],
  studyPk: number,
  now: number,
): Omit<SeriesTable, 'pk'> {
  return {
    study_pk: studyPk,
    series_instance_uid: s.uid,
    modality: s.modality,
    series_number: s.number,
    series_description: s.description,
    performed_procedure_step_start_date: s.ppsStartDate,
    performed_procedure_step_start_time: s.ppsStartTime,
    body_part_examined: s.bodyPartExamined,
    number_of_instances: 0,
    attributes: s.attributes,
    created_at: now,
    updated_at: now,
  };
}

/** The instance itself, in its series and study, stored at `now`. */
export function instanceRow(
  r: InstanceRecord,
  seriesPk: number,
  studyPk: number,
  now: number,
): Omit<InstanceTable, 'pk'> {
  return {
    series_pk: seriesPk,
    study_pk: studyPk,
    sop_instance_uid: r.instance.sopInstanceUid,
    sop_class_uid: r.instance.sopClassUid,
    instance_number: r.instance.number,
    rows: r.instance.rows,
    columns: r.instance.columns,
    bits_allocated: r.instance.bitsAllocated,
    number_of_frames: r.instance.numberOfFrames,
    transfer_syntax_uid: r.instance.transferSyntaxUid,
    blob_key: r.blob.key,
    size: r.blob.size,
    sha256: r.blob.sha256,
    metadata: r.instance.metadata,
    frame_index: r.instance.frameIndex,
    created_at: now,
  };
}

import type { Insertable } from 'kysely';
import type { PatientTable, StudyTable } from '../db/tables.js';

/**
 * Rows of an older archive's index, for migration tests: a patient `P<pk>` and a study `1.2.<pk>` with
 * nothing but what the test gives (columns a later migration added are not set).
 */
export function oldPatientRow(pk: number, given: Partial<Insertable<PatientTable>> = {}) {
  return {
    pk,
    patient_key: `P${pk}\\`,
    patient_id: `P${pk}`,
    issuer_of_patient_id: '',
    patient_name: null,
    patient_name_search: null,
    patient_name_fuzzy: null,
    patient_birth_date: null,
    patient_sex: null,
    attributes: '{}',
    merged_into_pk: null,
    created_at: 0,
    updated_at: 0,
    ...given,
  };
}

export function oldStudyRow(pk: number, patientPk: number, given: Partial<Insertable<StudyTable>> = {}) {
  return {
    pk,
    patient_pk: patientPk,
    study_instance_uid: `1.2.${pk}`,
    study_date: null,
    study_time: null,
    accession_number: null,
    study_id: null,
    study_description: null,
    referring_physician_name: null,
    referring_physician_name_search: null,
    referring_physician_name_fuzzy: null,
    modalities_in_study: '',
    sop_classes_in_study: '',
    number_of_series: 0,
    number_of_instances: 0,
    attributes: '{}',
    created_at: 0,
    updated_at: 0,
    ...given,
  };
}

import { stringifyDicomJson, Tag, type DicomJson, type Vr } from '@lightbox/dicom';
import type { Selectable, Transaction } from 'kysely';
import { fuzzyNameKeys, normalizeAlphabeticName } from '../archive/matching/person-name-search.js';
import type { PatientTable, Tables } from '../db/tables.js';
import { replaceNameKeys } from '../index-store/person-name-keys.js';
import { textAttribute } from '../archive/dicom-json-values.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { patientKeyOf, type PatientDemographics } from './patient-demographics.js';

type Tx = Transaction<Tables>;

/** A patient row of the index. */
export type PatientRecord = Selectable<PatientTable>;

/** What {@link registerPatient} did. */
export interface PatientRegistration {
  patient: PatientRecord;
  created: boolean;
  /** DICOM keywords of the attributes that changed (for the audit detail; no values). */
  changed: string[];
}

/** What {@link mergePatients} moved. */
export interface PatientMerge {
  survivor: PatientRecord;
  prior: PatientRecord;
  studies: string[];
  orders: number;
}

/** The patient with this identifier, following merges to the surviving record. */
export async function findPatient(
  trx: Tx,
  patientId: string,
  issuer: string,
): Promise<PatientRecord | undefined> {
  const row = await trx
    .selectFrom('patient')
    .selectAll()
    .where('patient_key', '=', patientKeyOf(patientId, issuer))
    .executeTakeFirst();
  if (row?.merged_into_pk == null) return row;
  return trx.selectFrom('patient').selectAll().where('pk', '=', row.merged_into_pk).executeTakeFirst();
}

function setValue(json: DicomJson, tag: number, vr: Vr, value: string | null | undefined): void {
  if (value === undefined) return;
  const key = tag.toString(16).padStart(8, '0').toUpperCase();
  json[key] = textAttribute(vr, value);
}

/**
 * Creates the patient, or updates the demographics the message carries (HL7 ADT A01/A04/A08/A31, the PID of
 * an order). Updates change the index — what QIDO and C-FIND answer — while the stored objects keep what
 * the modality sent (DESIGN §2 "what came in is kept").
 */
export async function registerPatient(
  trx: Tx,
  demographics: PatientDemographics,
  now: number,
): Promise<PatientRegistration> {
  if (demographics.patientId.trim() === '') {
    throw new AppError(ErrorCode.InvalidParameter, 'the patient identifier is empty', 'PatientID');
  }
  const existing = await findPatient(trx, demographics.patientId, demographics.issuer);
  const json: DicomJson = existing === undefined ? {} : (JSON.parse(existing.attributes) as DicomJson);
  setValue(json, Tag.PatientID, 'LO', demographics.patientId);
  setValue(json, Tag.IssuerOfPatientID, 'LO', demographics.issuer === '' ? undefined : demographics.issuer);
  setValue(json, Tag.PatientName, 'PN', demographics.name);
  setValue(json, Tag.PatientBirthDate, 'DA', demographics.birthDate);
  setValue(json, Tag.PatientSex, 'CS', demographics.sex);
  const name = demographics.name === undefined ? (existing?.patient_name ?? null) : demographics.name || null;
  const columns = {
    patient_name: name,
    patient_name_search: name === null ? null : normalizeAlphabeticName(name),
    patient_name_fuzzy: name === null ? null : fuzzyNameKeys(name),
    patient_birth_date:
      demographics.birthDate === undefined
        ? (existing?.patient_birth_date ?? null)
        : demographics.birthDate || null,
    patient_sex: demographics.sex === undefined ? (existing?.patient_sex ?? null) : demographics.sex || null,
    attributes: stringifyDicomJson(json),
    updated_at: now,
  };
  if (existing === undefined) {
    const created = await trx
      .insertInto('patient')
      .values({
        patient_key: patientKeyOf(demographics.patientId, demographics.issuer),
        patient_id: demographics.patientId,
        issuer_of_patient_id: demographics.issuer,
        ...columns,
        merged_into_pk: null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await replaceNameKeys(trx, Tag.PatientName, created.pk, columns.patient_name_fuzzy);
    return { patient: created, created: true, changed: [] };
  }
  const changed: string[] = [];
  if (columns.patient_name !== existing.patient_name) changed.push('PatientName');
  if (columns.patient_birth_date !== existing.patient_birth_date) changed.push('PatientBirthDate');
  if (columns.patient_sex !== existing.patient_sex) changed.push('PatientSex');
  if (changed.length === 0) return { patient: existing, created: false, changed };
  const updated = await trx
    .updateTable('patient')
    .set(columns)
    .where('pk', '=', existing.pk)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (changed.includes('PatientName')) {
    await replaceNameKeys(trx, Tag.PatientName, existing.pk, columns.patient_name_fuzzy);
  }
  return { patient: updated, created: false, changed };
}

/**
 * Merges the prior patient into the survivor (HL7 ADT A40; IHE PIR): the prior's studies and orders move to
 * the survivor, the prior record stays as a pointer to it (so later images sent with the old ID land on the
 * survivor), and the merge is recorded. The prior patient must exist: a merge is never guessed.
 */
export async function mergePatients(
  trx: Tx,
  survivor: PatientDemographics,
  prior: { patientId: string; issuer: string },
  actor: string,
  now: number,
): Promise<PatientMerge> {
  const priorRow = await trx
    .selectFrom('patient')
    .selectAll()
    .where('patient_key', '=', patientKeyOf(prior.patientId, prior.issuer))
    .executeTakeFirst();
  if (priorRow === undefined) {
    throw new AppError(
      ErrorCode.NotFound,
      `the prior patient ${prior.patientId} to merge is unknown`,
      'MRG-1',
    );
  }
  if (priorRow.merged_into_pk !== null) {
    throw new AppError(ErrorCode.Conflict, `patient ${prior.patientId} was already merged`, 'MRG-1');
  }
  const { patient: target } = await registerPatient(trx, survivor, now);
  if (target.pk === priorRow.pk) {
    throw new AppError(ErrorCode.InvalidParameter, 'a patient cannot be merged into itself', 'MRG-1');
  }
  const studies = await trx
    .selectFrom('study')
    .select('study_instance_uid')
    .where('patient_pk', '=', priorRow.pk)
    .execute();
  await trx
    .updateTable('study')
    .set({ patient_pk: target.pk, updated_at: now })
    .where('patient_pk', '=', priorRow.pk)
    .execute();
  const orders = await trx
    .updateTable('imaging_order')
    .set({ patient_pk: target.pk, updated_at: now })
    .where('patient_pk', '=', priorRow.pk)
    .executeTakeFirst();
  // Records merged into the prior one earlier now point at the survivor too: one hop always reaches it.
  await trx
    .updateTable('patient')
    .set({ merged_into_pk: target.pk })
    .where('merged_into_pk', '=', priorRow.pk)
    .execute();
  await trx
    .updateTable('patient')
    .set({ merged_into_pk: target.pk, updated_at: now })
    .where('pk', '=', priorRow.pk)
    .execute();
  await trx
    .insertInto('patient_merge')
    .values({ source_pk: priorRow.pk, target_pk: target.pk, merged_at: now, actor, reason: null })
    .execute();
  return {
    survivor: target,
    prior: priorRow,
    studies: studies.map((s) => s.study_instance_uid),
    orders: Number(orders.numUpdatedRows),
  };
}

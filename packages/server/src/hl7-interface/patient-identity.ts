import { Hl7ParseError, type Hl7Field, type Hl7Message, type Hl7Segment } from '@lightbox/hl7';
import type { PatientDemographics } from '../patients/patient-demographics.js';
import { dateTime, optionalText, patientName, patientSex, requiredSegment } from './hl7-values.js';

/** Identifier type codes (table 0203) that name a patient record: medical record, patient internal, person. */
const RECORD_TYPES: ReadonlySet<string> = new Set(['MR', 'PI', 'PT', 'PN', '']);

/**
 * The patient identifier of a CX list (PID-3, MRG-1): the first medical-record identifier, with its
 * assigning authority as IssuerOfPatientID (HD namespace, else universal ID). Identity comes only from
 * here: a message without one is refused, never matched by name.
 */
export function patientIdentifier(
  field: Hl7Field,
  fieldName: string,
  location: { segment: string; field: number },
) {
  const repetitions = field.repetitions.filter((r) => r.value(1).trim() !== '');
  const chosen = repetitions.find((r) => RECORD_TYPES.has(r.value(5).trim().toUpperCase())) ?? repetitions[0];
  if (chosen === undefined) {
    throw new Hl7ParseError('101', `${fieldName} (patient identifier) is required`, location);
  }
  const issuer = chosen.value(4, 1).trim() || chosen.value(4, 2).trim();
  return { patientId: chosen.value(1).trim(), issuer };
}

/** The demographics of a PID segment (HL7 v2.5.1 §3.4.2), PID-3 (or the older PID-2) as identity. */
export function patientOf(pid: Hl7Segment): PatientDemographics {
  const identifierField = pid.field(3).isEmpty ? pid.field(2) : pid.field(3);
  const identity = patientIdentifier(identifierField, 'PID-3', { segment: 'PID', field: 3 });
  const birth = optionalText(pid.field(7));
  return {
    ...identity,
    name: patientName(pid.field(5)),
    birthDate: birth === undefined || birth === null ? birth : (dateTime(birth).date ?? undefined),
    sex: patientSex(pid.field(8)),
  };
}

/** The message's patient: its PID segment (required). */
export function messagePatient(message: Hl7Message): PatientDemographics {
  return patientOf(requiredSegment(message, 'PID'));
}

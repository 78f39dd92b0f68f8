/**
 * A patient's identity and demographics as an HL7 PID segment or a form gives them. Patients are keyed by
 * PatientID + IssuerOfPatientID, as in the archive (DESIGN §2): identity is never guessed from a name.
 * For each optional value, `null` deletes it (HL7's `""`) and `undefined` leaves it as it is.
 */
export interface PatientDemographics {
  patientId: string;
  /** IssuerOfPatientID (0010,0021): the assigning authority's namespace; '' when none. */
  issuer: string;
  /** DICOM PN text (family^given^middle^prefix^suffix). */
  name?: string | null;
  /** DICOM DA (YYYYMMDD). */
  birthDate?: string | null;
  /** DICOM CS: M, F or O. */
  sex?: string | null;
}

/** The index key of a patient: the same key the archive derives from an instance's PatientID and issuer. */
export function patientKeyOf(patientId: string, issuer: string): string {
  return `${patientId}\\${issuer}`;
}

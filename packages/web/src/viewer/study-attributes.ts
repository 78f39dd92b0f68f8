import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';

function person(value: string) {
  return value === '' ? [] : [{ Alphabetic: value }];
}

/**
 * The Patient and General Study modules (dcmjs keyword form) of a document Lightbox creates in a study (SR,
 * KOS), copied from the archive's current values for that study, so the document lands on the same patient
 * (ID and issuer) and study: identity is copied, never guessed.
 */
export function patientStudyAttributes(study: DicomJson): Record<string, unknown> {
  const issuer = textOf(study, JsonTag.IssuerOfPatientID);
  return {
    PatientName: person(textOf(study, JsonTag.PatientName)),
    PatientID: textOf(study, JsonTag.PatientID),
    ...(issuer !== '' ? { IssuerOfPatientID: issuer } : {}),
    PatientBirthDate: textOf(study, JsonTag.PatientBirthDate),
    PatientSex: textOf(study, JsonTag.PatientSex),
    StudyInstanceUID: textOf(study, JsonTag.StudyInstanceUID),
    StudyDate: textOf(study, JsonTag.StudyDate),
    StudyTime: textOf(study, JsonTag.StudyTime),
    ReferringPhysicianName: person(textOf(study, JsonTag.ReferringPhysicianName)),
    StudyID: textOf(study, JsonTag.StudyID),
    AccessionNumber: textOf(study, JsonTag.AccessionNumber),
  };
}

import type { DicomJson } from '@lightbox/dicom';

/**
 * The keys Lightbox matches on in a worklist query (PS3.4 Table K.6-1: the required matching keys and the
 * optional ones it supports). Every other key is a return key only: it is answered, never matched — so a
 * client that sends, say, an empty numeric PregnancyStatus (read as 0) still gets its worklist.
 */
const MATCHING_KEYS: ReadonlySet<string> = new Set([
  '00080050', // AccessionNumber
  '00080090', // ReferringPhysicianName
  '0020000D', // StudyInstanceUID
  '00321032', // RequestingPhysician
  '00321060', // RequestedProcedureDescription
  '00380010', // AdmissionID
  '00380300', // CurrentPatientLocation
  '00401001', // RequestedProcedureID
  '00401003', // RequestedProcedurePriority
  '00402016', // PlacerOrderNumberImagingServiceRequest
  '00402017', // FillerOrderNumberImagingServiceRequest
  '00100010', // PatientName
  '00100020', // PatientID
  '00100021', // IssuerOfPatientID
  '00100030', // PatientBirthDate
  '00100040', // PatientSex
  '00400100', // ScheduledProcedureStepSequence
]);

/** Keys matched inside the Scheduled Procedure Step Sequence item. */
const STEP_MATCHING_KEYS: ReadonlySet<string> = new Set([
  '00400001', // ScheduledStationAETitle
  '00400002', // ScheduledProcedureStepStartDate
  '00400003', // ScheduledProcedureStepStartTime
  '00080060', // Modality
  '00400006', // ScheduledPerformingPhysicianName
  '00400007', // ScheduledProcedureStepDescription
  '00400009', // ScheduledProcedureStepID
  '00400010', // ScheduledStationName
  '00400011', // ScheduledProcedureStepLocation
  '00400020', // ScheduledProcedureStepStatus
]);

function only(json: DicomJson, keys: ReadonlySet<string>): DicomJson {
  const out: DicomJson = {};
  for (const [key, value] of Object.entries(json)) if (keys.has(key.toUpperCase())) out[key] = value;
  return out;
}

/** The part of a worklist identifier that is matched; the whole identifier still says what is returned. */
export function worklistMatchingKeys(identifier: DicomJson): DicomJson {
  const matching = only(identifier, MATCHING_KEYS);
  const step = matching['00400100'];
  const item = (step?.Value ?? [])[0] as DicomJson | undefined;
  if (step !== undefined && item !== undefined) {
    matching['00400100'] = { vr: 'SQ', Value: [only(item, STEP_MATCHING_KEYS)] };
  }
  return matching;
}

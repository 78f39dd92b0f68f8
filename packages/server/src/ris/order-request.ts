import type { PatientDemographics } from '../patients/patient-demographics.js';

/** A coded entry (HL7 CE/CWE, DICOM code sequence item). */
export interface CodedEntry {
  code: string;
  scheme: string;
  meaning: string;
}

/** Requested Procedure Priority (0040,1003) values (PS3.3 C.4.11). */
export const Priority = {
  Stat: 'STAT',
  High: 'HIGH',
  Routine: 'ROUTINE',
  Medium: 'MEDIUM',
  Low: 'LOW',
} as const;

/** One of {@link Priority}. */
export type PriorityValue = (typeof Priority)[keyof typeof Priority];

/** A scheduled procedure step as the order gives it (OMI's IPC segment), all optional. */
export interface StepRequest {
  stepId?: string;
  stationAe?: string;
  stationName?: string;
  location?: string;
  modality?: string;
  protocol?: CodedEntry;
  description?: string;
}

/** A new or changed imaging order, from HL7 (ORM^O01, OMI^O23) or the order-entry screen. */
export interface OrderRequest {
  patient: PatientDemographics;
  placerOrderNumber?: string;
  placerIssuer?: string;
  fillerOrderNumber?: string;
  /** Given by the sender, else generated. */
  accessionNumber?: string;
  requestedProcedureId?: string;
  studyInstanceUid?: string;
  /** When absent: ROUTINE for a new order, unchanged for a change. */
  priority?: PriorityValue;
  procedure?: CodedEntry;
  modality?: string;
  /** DICOM DA / TM of the requested start. */
  requestedDate?: string;
  requestedTime?: string;
  reason?: string;
  /** DICOM PN text. */
  orderingProvider?: string;
  referringPhysician?: string;
  referringProviderId?: string;
  /** Who issued `referringProviderId` (HL7 PV1-8.9); with a new ID, absent means not known. */
  referringProviderIssuer?: string;
  patientLocation?: string;
  admissionId?: string;
  steps?: readonly StepRequest[];
}

/** Which order a change, cancellation or status message is about. */
export interface OrderReference {
  placerOrderNumber?: string;
  placerIssuer?: string;
  fillerOrderNumber?: string;
  accessionNumber?: string;
}

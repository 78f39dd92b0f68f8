/** Exam status as the RIS tracks it (server ris/exam-status.ts). */
export type ExamStatus =
  | 'ordered'
  | 'scheduled'
  | 'arrived'
  | 'in-progress'
  | 'completed'
  | 'cancelled'
  | 'discontinued'
  | 'no-show';

/** Requested Procedure Priority (0040,1003). */
export type Priority = 'STAT' | 'HIGH' | 'ROUTINE' | 'MEDIUM' | 'LOW';

/** A scheduled procedure step as `GET /api/orders` shows it. */
export interface StepView {
  stepId: string;
  status: string;
  /** '' when no station is assigned. */
  stationAe: string;
  stationName: string | null;
  location: string | null;
  modality: string | null;
  /** DICOM DA (YYYYMMDD). */
  startDate: string | null;
  /** DICOM TM (HHMMSS). */
  startTime: string | null;
  durationMinutes: number;
  /** The technologist the exam is assigned to (Scheduled Performing Physician's Name), DICOM PN. */
  performingTechnologist: string | null;
  description: string | null;
}

/** A modality station of the department (`GET /api/stations`): a column of the calendar. */
export interface ModalityStation {
  aeTitle: string;
  stationName: string | null;
  /** The room. */
  location: string | null;
  modality: string | null;
  description: string | null;
}

/** An order (one requested procedure) as `GET /api/orders` shows it. */
export interface OrderView {
  accessionNumber: string;
  status: ExamStatus;
  statusReason: string | null;
  priority: Priority | string;
  patient: {
    patientId: string;
    issuer: string;
    /** DICOM PN (FAMILY^GIVEN). */
    name: string | null;
    birthDate: string | null;
    sex: string | null;
  };
  procedure: { code: string; scheme: string | null; meaning: string | null } | null;
  modality: string | null;
  requestedDate: string | null;
  requestedTime: string | null;
  reason: string | null;
  orderingProvider: string | null;
  referringPhysician: string | null;
  referringProviderId: string | null;
  referringProviderIssuer: string | null;
  placerOrderNumber: string | null;
  fillerOrderNumber: string | null;
  studyInstanceUid: string;
  patientLocation: string | null;
  source: 'hl7' | 'ui' | string;
  createdAt: number;
  updatedAt: number;
  steps: StepView[];
}

/** One status change of an exam. */
export interface HistoryEntry {
  status: string;
  reason: string | null;
  actor: string;
  at: number;
}

/** An order with its history (`GET /api/orders/:accession`). */
export interface OrderDetail extends OrderView {
  history: HistoryEntry[];
}

/** What `POST /api/orders` takes. */
export interface PlaceOrderBody {
  patient: { patientId: string; issuer?: string; name?: string; birthDate?: string; sex?: 'M' | 'F' | 'O' };
  modality: string;
  procedure?: { code: string; meaning: string; scheme?: string };
  priority?: Priority;
  requestedDate?: string;
  requestedTime?: string;
  reason?: string;
  orderingProvider?: string;
  referringPhysician?: string;
  referringProviderId?: string;
  accessionNumber?: string;
  stationAe?: string;
}

/** What `POST /api/orders` answers. */
export interface PlacedOrder {
  accessionNumber: string;
  studyInstanceUid: string;
  status: ExamStatus;
  patientId: string;
}

/** A slot an exam is booked into (`PUT /api/orders/:accession/schedule`). */
export interface ScheduleSlot {
  date: string;
  time: string;
  modality?: string;
  stationAe?: string;
  stationName?: string;
  location?: string;
  durationMinutes?: number;
  /** The technologist it is assigned to ('' for none). */
  performingTechnologist?: string;
}

/** The statuses set by hand (`POST /api/orders/:accession/status`). */
export type ManualStatus = 'arrived' | 'no-show' | 'cancelled' | 'discontinued' | 'in-progress' | 'completed';

/** A logged HL7 message (`GET /api/hl7-messages`). */
export interface Hl7MessageRow {
  id: number;
  direction: 'in' | 'out';
  peer: string;
  messageType: string;
  controlId: string;
  sendingApplication?: string;
  version?: string;
  state: 'processed' | 'ignored' | 'rejected' | 'error' | 'pending' | 'sent' | 'failed' | string;
  ackCode: string | null;
  detail: string | null;
  attempts?: number;
  createdAt: number;
}

/** One logged HL7 message with its text and acknowledgement (`GET /api/hl7-messages/:id`). */
export interface Hl7MessageDetail extends Hl7MessageRow {
  raw: string;
  ack: string | null;
}

/** A reconciliation exception (`GET /api/exceptions`): a study that matched no order, or the wrong patient. */
export interface ReconciliationException {
  id: number | string;
  kind: 'unknown-accession' | 'patient-mismatch' | string;
  state: 'open' | 'resolved' | 'dismissed';
  studyInstanceUid: string;
  accessionNumber: string | null;
  studyDate: string | null;
  modalities: string[];
  patient: { patientId: string; issuer: string; name: string | null };
  order: null | { accessionNumber: string; patient: { patientId: string; name: string | null } };
  detail: string | null;
  createdAt: number;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolution: string | null;
}

import type { Generated } from 'kysely';

/**
 * Row types of the index (DESIGN §2 "ports: IndexStore"). Times are epoch milliseconds; DICOM dates and
 * times are kept as normalised text (YYYYMMDD, HHMMSS.FFFFFF) so that ranges compare as strings.
 * Every `attributes`/`metadata` column holds a DICOM JSON object (PS3.18 §F.2) as text.
 */
export interface PatientTable {
  pk: Generated<number>;
  /** Identity key: PatientID + IssuerOfPatientID, or a per-study key when the ID is empty (never merged). */
  patient_key: string;
  patient_id: string;
  issuer_of_patient_id: string;
  patient_name: string | null;
  /** Normalised name groups for matching (upper case, no accents; groups joined by '='). */
  patient_name_search: string | null;
  /** Phonetic keys of the name components, space separated and space padded, for fuzzy matching. */
  patient_name_fuzzy: string | null;
  patient_birth_date: string | null;
  patient_sex: string | null;
  attributes: string;
  /** Set when this patient was merged into another (merge history; RIS issue). */
  merged_into_pk: number | null;
  created_at: number;
  updated_at: number;
}

/** A merge of one patient record into another, kept for audit and unmerge. */
export interface PatientMergeTable {
  pk: Generated<number>;
  source_pk: number;
  target_pk: number;
  merged_at: number;
  actor: string;
  reason: string | null;
}

export interface StudyTable {
  pk: Generated<number>;
  patient_pk: number;
  study_instance_uid: string;
  study_date: string | null;
  study_time: string | null;
  accession_number: string | null;
  study_id: string | null;
  study_description: string | null;
  referring_physician_name: string | null;
  referring_physician_name_search: string | null;
  referring_physician_name_fuzzy: string | null;
  /** Modalities as a delimited set, e.g. `\CT\SR\`, so one LIKE finds a member. */
  modalities_in_study: string;
  sop_classes_in_study: string;
  number_of_series: number;
  number_of_instances: number;
  attributes: string;
  created_at: number;
  updated_at: number;
}

export interface SeriesTable {
  pk: Generated<number>;
  study_pk: number;
  series_instance_uid: string;
  modality: string | null;
  series_number: number | null;
  series_description: string | null;
  performed_procedure_step_start_date: string | null;
  performed_procedure_step_start_time: string | null;
  body_part_examined: string | null;
  number_of_instances: number;
  attributes: string;
  created_at: number;
  updated_at: number;
}

export interface InstanceTable {
  pk: Generated<number>;
  series_pk: number;
  study_pk: number;
  sop_instance_uid: string;
  sop_class_uid: string;
  instance_number: number | null;
  rows: number | null;
  columns: number | null;
  bits_allocated: number | null;
  number_of_frames: number | null;
  transfer_syntax_uid: string;
  blob_key: string;
  size: number;
  sha256: string;
  /** Full DICOM JSON of the instance; BulkDataURIs relative to the DICOMweb root. */
  metadata: string;
  /** Byte ranges of every frame in the stored object (JSON), or null when unknown. */
  frame_index: string | null;
  created_at: number;
}

/** A blob being written: lets recovery delete what a crash left between blob write and index commit. */
export interface PendingBlobTable {
  blob_key: string;
  created_at: number;
}

export interface UserTable {
  pk: Generated<number>;
  username: string;
  password_hash: string;
  /** JSON array of role names. */
  roles: string;
  disabled: number;
  display_name: string | null;
  /** JSON array of provider identifiers (e.g. NPI) matched against a study's referring provider. */
  provider_ids: string;
  /** JSON array of institution names the user is restricted to; empty means no restriction. */
  institutions: string;
  /** Failed password attempts since the last success (account lockout). */
  failed_logins: number;
  /** Epoch ms until which the account is locked, or null. */
  locked_until: number | null;
  /** `<issuer>#<subject>` for a user who signs in through OpenID Connect (their password is unusable). */
  oidc_subject: string | null;
  created_at: number;
  updated_at: number;
}

/** A user's own settings (issue #5 §1): what the web app starts with, on any workstation. */
export interface UserSettingsTable {
  user_pk: number;
  /** The settings document as the user last saved it (JSON; see user-settings/user-settings-document.ts). */
  settings: string;
  updated_at: number;
}

/** A setting the administrator keeps for the whole department (e.g. the viewer's hanging protocols). */
export interface DepartmentSettingTable {
  /** What the document is: `hanging-protocols`. */
  name: string;
  /** The document as last saved (JSON; validated before it is stored). */
  document: string;
  /** Writes so far, 1 for the first: the ETag a writer sends back (If-Match) to replace what it read. */
  version: number;
  updated_at: number;
}

/** A personal API token (Bearer): only its SHA-256 is kept. */
export interface ApiTokenTable {
  pk: Generated<number>;
  user_pk: number;
  name: string;
  token_hash: string;
  /** The first characters of the token, shown in lists so that a user can tell tokens apart. */
  token_prefix: string;
  /** JSON array of permissions the token is limited to (a subset of its user's). */
  permissions: string;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A browser session (cookie): only the SHA-256 of the session ID is kept. */
export interface UserSessionTable {
  pk: Generated<number>;
  session_hash: string;
  user_pk: number;
  csrf_token: string;
  address: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** One audit event (PS3.15 A.5) in the hash chain; `seq` orders the chain. */
export interface AuditEventTable {
  seq: number;
  occurred_at: number;
  event_id: string;
  event_type: string | null;
  action: string;
  outcome: string;
  username: string;
  /** JSON array. */
  roles: string;
  protocol: string;
  address: string | null;
  ae_title: string | null;
  /** JSON arrays of participant objects. */
  patient_ids: string;
  study_uids: string;
  detail: string | null;
  /** HMAC-SHA-256 over the previous event's hash and this event's fields. */
  hash: string;
}

/** Participant objects of audit events, for search by patient or study. */
export interface AuditParticipantTable {
  event_seq: number;
  kind: string;
  value: string;
}

/**
 * A key of the key ring (encryption at rest, the audit chain), wrapped (AES-256-GCM) by the master key, so
 * that changing the master key rewraps these rows and nothing else.
 */
export interface KeyRingTable {
  id: string;
  /** `objects` (data keys of stored objects; the newest is used for new objects) or `audit-chain`. */
  purpose: string;
  /** base64 of IV (12) ‖ ciphertext (32) ‖ tag (16). */
  wrapped_key: string;
  master_key_id: string;
  created_at: number;
}

/** A time-boxed emergency ("break-the-glass") access of a user, with its stated reason. */
export interface EmergencyAccessTable {
  pk: Generated<number>;
  user_pk: number;
  reason: string;
  started_at: number;
  expires_at: number;
  ended_at: number | null;
}

/** A notice for the users of a role (security officers, administrators): intrusion alerts, emergency access. */
export interface NotificationTable {
  pk: Generated<number>;
  created_at: number;
  /** The role told. */
  audience: string;
  subject: string;
  body: string;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

/** A key a study is found by for study-level access (its referring providers' identifiers). */
export interface StudyAccessKeyTable {
  study_pk: number;
  /** `provider`. */
  kind: string;
  value: string;
}

/**
 * A short text value of an attribute without a column of its own, in some study: narrows queries on
 * such attributes (index-store/attribute-values.ts). `value` is the first 64 characters, or '' for an
 * element that is not a plain string.
 */
export interface AttributeValueTable {
  tag: number;
  value: string;
  study_pk: number;
}

/** The head of the audit chain: its last event, so that a truncated tail is detected too. */
export interface AuditChainTable {
  id: number;
  last_seq: number;
  last_hash: string;
  key_id: string;
}

/** A remote DICOM node registered through the API. */
export interface DicomNodeTable {
  name: string;
  ae_title: string;
  host: string;
  port: number;
  /** 1 when associations to the node use DICOM TLS. */
  tls: number;
  created_at: number;
  updated_at: number;
}

/** A background job (a DIMSE transfer, …): JSON parameters, progress and final report. */
export interface JobTable {
  id: string;
  kind: string;
  /** queued, running, succeeded, failed, cancelled. */
  state: string;
  params: string;
  progress: string | null;
  report: string | null;
  error: string | null;
  attempts: number;
  max_attempts: number;
  /** Epoch ms before which the job is not started (retry back-off). */
  run_after: number;
  /** 1 once someone asked to cancel the job while it ran. */
  cancel_requested: number;
  /** Epoch ms until which the running job's node holds it; renewed while it runs. */
  lease_until: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/**
 * One phonetic key of a person name, so that fuzzy matching is an index lookup. `tag` says which name:
 * 0x00100010 PatientName (owner is patient.pk) or 0x00080090 ReferringPhysicianName (owner is study.pk).
 */
export interface PersonNameKeyTable {
  tag: number;
  owner_pk: number;
  name_key: string;
}

/** A procedure of the catalog (issue #6 §1): code, modality, duration, default station, protocol notes. */
export interface ProcedureTypeTable {
  code: string;
  coding_scheme: string;
  meaning: string;
  modality: string | null;
  duration_minutes: number;
  station_ae: string | null;
  station_name: string | null;
  location: string | null;
  /** 1 when an order with a requested time is scheduled at once (it then appears in the worklist). */
  auto_schedule: number;
  protocol_notes: string | null;
  created_at: number;
  updated_at: number;
}

/** An imaging order with its one requested procedure (issue #6 §1). Dates and times as DICOM DA/TM text. */
export interface ImagingOrderTable {
  pk: Generated<number>;
  patient_pk: number;
  accession_number: string;
  placer_order_number: string | null;
  placer_issuer: string;
  filler_order_number: string | null;
  /** One of ExamStatus (ordered, scheduled, arrived, in-progress, completed, cancelled, discontinued, no-show). */
  status: string;
  status_reason: string | null;
  /** STAT, HIGH, ROUTINE, MEDIUM, LOW (DICOM Requested Procedure Priority). */
  priority: string;
  reason: string | null;
  procedure_code: string | null;
  procedure_scheme: string | null;
  procedure_description: string | null;
  modality: string | null;
  requested_date: string | null;
  requested_time: string | null;
  /** DICOM PN text. */
  ordering_provider: string | null;
  referring_physician: string | null;
  referring_provider_id: string | null;
  /** Who issued `referring_provider_id` (HL7 PV1-8.9); null when not given. */
  referring_provider_issuer: string | null;
  patient_location: string | null;
  admission_id: string | null;
  study_instance_uid: string;
  requested_procedure_id: string;
  /** `hl7` or `ui`. */
  source: string;
  created_at: number;
  updated_at: number;
}

/** A modality station of the department (issue #6 §1): a column of the scheduling calendar. */
export interface ModalityStationTable {
  /** Scheduled Station AE Title (0040,0001). */
  ae_title: string;
  /** Scheduled Station Name (0040,0010). */
  station_name: string | null;
  /** Scheduled Procedure Step Location (0040,0011): the room. */
  location: string | null;
  modality: string | null;
  description: string | null;
  created_at: number;
  updated_at: number;
}

/** A scheduled procedure step: one entry of the modality worklist (PS3.4 K.6). */
export interface ProcedureStepTable {
  pk: Generated<number>;
  order_pk: number;
  step_id: string;
  /** ScheduledProcedureStepStatus (0040,0020): SCHEDULED, ARRIVED, READY, STARTED, COMPLETED, DISCONTINUED, CANCELED. */
  status: string;
  /** '' when no station is assigned: offered to every station of the modality. */
  station_ae: string;
  station_name: string | null;
  location: string | null;
  modality: string | null;
  start_date: string | null;
  start_time: string | null;
  duration_minutes: number;
  performing_physician: string | null;
  description: string | null;
  protocol_code: string | null;
  protocol_scheme: string | null;
  protocol_meaning: string | null;
  created_at: number;
  updated_at: number;
}

/** A Modality Performed Procedure Step (PS3.4 F.7) as last set by the modality. */
export interface PerformedStepTable {
  sop_instance_uid: string;
  /** IN PROGRESS, COMPLETED, DISCONTINUED. */
  status: string;
  order_pk: number | null;
  station_ae: string;
  study_instance_uid: string | null;
  /** DICOM JSON of the MPPS. */
  attributes: string;
  created_at: number;
  updated_at: number;
}

/** One change of an exam's status, for the exam's history and the turnaround analytics. */
export interface ExamEventTable {
  pk: Generated<number>;
  order_pk: number;
  status: string;
  reason: string | null;
  actor: string;
  occurred_at: number;
}

/** Images that could not be matched to an order (issue #6 §5), one per study. */
export interface ReconciliationExceptionTable {
  pk: Generated<number>;
  /** `unknown-accession` or `patient-mismatch`. */
  kind: string;
  /** open, resolved, dismissed. */
  state: string;
  study_instance_uid: string;
  accession_number: string | null;
  /** The order the accession named, for a patient mismatch. */
  order_pk: number | null;
  detail: string;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  created_at: number;
}

/** Values a correction replaced in the index, as sent (DICOM JSON), kept for Original Attributes Sequence. */
export interface StudyCorrectionTable {
  pk: Generated<number>;
  study_instance_uid: string;
  original: string;
  reason: string;
  actor: string;
  corrected_at: number;
}

/** An HL7 v2 message received or to be sent, kept raw (issue #6 §2). */
export interface Hl7MessageTable {
  pk: Generated<number>;
  /** `in` or `out`. */
  direction: string;
  /** The sender's address (in) or the destination's name (out). */
  peer: string;
  /** e.g. `ORM^O01`. */
  message_type: string;
  control_id: string;
  sending_application: string;
  sending_facility: string;
  version: string;
  raw: string;
  /** in: processed, rejected, error; out: pending, sent, failed. */
  state: string;
  ack_code: string | null;
  ack: string | null;
  detail: string | null;
  /** `<sending app>|<facility>|<control id>` of an accepted inbound message: a resend is answered, not re-applied. */
  dedupe_key: string | null;
  attempts: number;
  next_attempt_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The whole index schema, for Kysely. */
export interface Tables {
  patient: PatientTable;
  patient_merge: PatientMergeTable;
  study: StudyTable;
  series: SeriesTable;
  instance: InstanceTable;
  pending_blob: PendingBlobTable;
  app_user: UserTable;
  dicom_node: DicomNodeTable;
  job: JobTable;
  person_name_key: PersonNameKeyTable;
  api_token: ApiTokenTable;
  user_session: UserSessionTable;
  audit_event: AuditEventTable;
  audit_participant: AuditParticipantTable;
  audit_chain: AuditChainTable;
  key_ring: KeyRingTable;
  emergency_access: EmergencyAccessTable;
  notification: NotificationTable;
  study_access_key: StudyAccessKeyTable;
  attribute_value: AttributeValueTable;
  procedure_type: ProcedureTypeTable;
  imaging_order: ImagingOrderTable;
  procedure_step: ProcedureStepTable;
  performed_step: PerformedStepTable;
  exam_event: ExamEventTable;
  hl7_message: Hl7MessageTable;
  reconciliation_exception: ReconciliationExceptionTable;
  study_correction: StudyCorrectionTable;
  modality_station: ModalityStationTable;
  user_settings: UserSettingsTable;
  department_setting: DepartmentSettingTable;
}

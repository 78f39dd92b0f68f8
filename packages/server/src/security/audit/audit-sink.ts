import type { Actor } from '../actor.js';

/** DICOM audit event IDs (PS3.15 §A.5.3, DCM codes) used so far. */
export const AuditEventId = {
  AuditLogUsed: { code: '110101', name: 'Audit Log Used' },
  InstancesAccessed: { code: '110103', name: 'DICOM Instances Accessed' },
  InstancesTransferred: { code: '110104', name: 'DICOM Instances Transferred' },
  StudyDeleted: { code: '110105', name: 'DICOM Study Deleted' },
  Import: { code: '110107', name: 'Import' },
  OrderRecord: { code: '110109', name: 'Order Record' },
  PatientRecord: { code: '110110', name: 'Patient Record' },
  ProcedureRecord: { code: '110111', name: 'Procedure Record' },
  Query: { code: '110112', name: 'Query' },
  SecurityAlert: { code: '110113', name: 'Security Alert' },
  UserAuthentication: { code: '110114', name: 'User Authentication' },
} as const;

/** One of {@link AuditEventId}. */
export type AuditEventIdValue = (typeof AuditEventId)[keyof typeof AuditEventId];

/** Event type codes (PS3.16 CID 401/403) that say more about a User Authentication or Security Alert. */
export const AuditEventType = {
  Login: { code: '110122', name: 'Login' },
  Logout: { code: '110123', name: 'Logout' },
  NodeAuthentication: { code: '110126', name: 'Node Authentication' },
  EmergencyOverrideStarted: { code: '110127', name: 'Emergency Override Started' },
  EmergencyOverrideStopped: { code: '110138', name: 'Emergency Override Stopped' },
  SecurityConfiguration: { code: '110129', name: 'Security Configuration' },
  SoftwareConfiguration: { code: '110131', name: 'Software Configuration' },
  UseOfRestrictedFunction: { code: '110132', name: 'Use of Restricted Function' },
  SecurityRolesChanged: { code: '110136', name: 'Security Roles Changed' },
  UserSecurityAttributesChanged: { code: '110137', name: 'User Security Attributes Changed' },
  AuthenticationDecision: { code: '110143', name: 'Authentication Decision' },
  AuthorizationDecision: { code: '110144', name: 'Authorization Decision' },
} as const;

/** One of {@link AuditEventType}. */
export type AuditEventTypeValue = (typeof AuditEventType)[keyof typeof AuditEventType];

const MEANINGS = new Map<string, string>(
  [...Object.values(AuditEventId), ...Object.values(AuditEventType)].map((c) => [c.code, c.name]),
);

/** The meaning of an event ID or event type code (DCM), or the code itself when unknown. */
export function auditCodeMeaning(code: string): string {
  return MEANINGS.get(code) ?? code;
}

/** A DICOM application entity in a transfer: its AE title, and its network address when known. */
export interface AuditNode {
  aeTitle: string;
  host?: string;
}

/**
 * The two ends of a DIMSE transfer (PS3.15 A.5.3.4 DICOM Instances Transferred): the Source (Role ID
 * 110153) that sent the instances and the Destination (110152) that received them.
 */
export interface TransferParticipants {
  source: AuditNode;
  destination: AuditNode;
}

/** An access to or change of patient data, or a security event (PS3.15 §A.5.1 in spirit). */
export interface AuditEvent {
  event: AuditEventIdValue;
  /** What kind of authentication or alert, when `event` is User Authentication or Security Alert. */
  eventType?: AuditEventTypeValue;
  /** C create, R read, U update, D delete, E execute (PS3.15 EventActionCode). */
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  outcome: 'success' | 'failure';
  actor: Actor;
  /** Participant objects. */
  patientIds?: readonly string[];
  studyUids?: readonly string[];
  /** What was asked (a query) or what failed; never holds patient names. */
  detail?: string;
  /** Instances Transferred between two AEs (C-MOVE, C-GET, send jobs): who sent and who received them. */
  transfer?: TransferParticipants;
}

/**
 * The audit port the domain calls for every read or write of patient data and every security event
 * (DESIGN §2). Recording never blocks or fails the caller: the trail writes in the background.
 */
export interface AuditSink {
  record(event: AuditEvent): void;
}

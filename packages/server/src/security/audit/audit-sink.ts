import type { Actor } from '../actor.js';

/** DICOM audit event IDs (PS3.15 §A.5.3, DCM codes) used so far. */
export const AuditEventId = {
  InstancesAccessed: { code: '110103', name: 'DICOM Instances Accessed' },
  InstancesTransferred: { code: '110104', name: 'DICOM Instances Transferred' },
  StudyDeleted: { code: '110105', name: 'DICOM Study Deleted' },
  Import: { code: '110107', name: 'Import' },
  Query: { code: '110112', name: 'Query' },
  SecurityAlert: { code: '110113', name: 'Security Alert' },
  UserAuthentication: { code: '110114', name: 'User Authentication' },
} as const;

/** One of {@link AuditEventId}. */
export type AuditEventIdValue = (typeof AuditEventId)[keyof typeof AuditEventId];

/** An access to or change of patient data, or a security event (PS3.15 §A.5.1 in spirit). */
export interface AuditEvent {
  event: AuditEventIdValue;
  /** C create, R read, U update, D delete, E execute (PS3.15 EventActionCode). */
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  outcome: 'success' | 'failure';
  actor: Actor;
  /** Participant objects. */
  patientIds?: readonly string[];
  studyUids?: readonly string[];
  /** What was asked (a query) or what failed; never holds patient names. */
  detail?: string;
}

/**
 * The audit port the domain calls for every read or write of patient data (DESIGN §2). The security
 * issue replaces the logging implementation with a tamper-evident trail and ATNA syslog forwarding.
 */
export interface AuditSink {
  record(event: AuditEvent): void;
}

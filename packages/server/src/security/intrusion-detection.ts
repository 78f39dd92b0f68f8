import type { AuditRecord } from './audit/audit-chain.js';
import { AuditEventId, AuditEventType, type AuditSink } from './audit/audit-sink.js';
import type { Notifications } from './notifications.js';
import { Role } from './permissions.js';

/** When the detector speaks up. */
export interface IntrusionThresholds {
  /** Failed sign-ins from one address within the window that suggest password guessing. */
  failuresPerAddress: number;
  failureWindowMs: number;
  /** Distinct patients whose images one user opens within the window that is unusual. */
  patientsPerUser: number;
  patientWindowMs: number;
  /** How long an alert about the same subject is not repeated. */
  quietMs: number;
}

export const DEFAULT_THRESHOLDS: IntrusionThresholds = {
  failuresPerAddress: 10,
  failureWindowMs: 5 * 60_000,
  patientsPerUser: 50,
  patientWindowMs: 10 * 60_000,
  quietMs: 60 * 60_000,
};

/** Addresses and users followed at once; the one seen longest ago makes room. */
const TRACKED_MAX = 10_000;

const OPENS_IMAGES = new Set<string>([
  AuditEventId.InstancesAccessed.code,
  AuditEventId.InstancesTransferred.code,
]);
const TOLD = [Role.SecurityOfficer, Role.Admin];
// Machines that move many patients by design (prefetch, routing) are not people browsing charts.
const MACHINE_ROLES = new Set<string>([Role.DicomNode, 'system']);

/**
 * Intrusion detection (issue #4 §6), watching the audit trail as it is written on this node: password
 * guessing from one address, an account locked by wrong passwords, a user opening an unusual number of
 * patients in a short time, and associations from DICOM nodes nobody registered. Each raises a security
 * alert in the trail and a notice to security officers and administrators, once per subject per hour.
 */
export class IntrusionDetector {
  private readonly failures = new Map<string, number[]>();
  private readonly patients = new Map<string, Map<string, number>>();
  private readonly lastAlert = new Map<string, number>();

  constructor(
    private readonly audit: AuditSink,
    private readonly notifications: Notifications,
    private readonly thresholds: IntrusionThresholds = DEFAULT_THRESHOLDS,
  ) {}

  observe(record: AuditRecord): void {
    const now = record.occurredAt;
    if (
      record.eventId === AuditEventId.UserAuthentication.code &&
      record.outcome === 'failure' &&
      record.address !== null
    ) {
      const window = now - this.thresholds.failureWindowMs;
      const times = (this.failures.get(record.address) ?? []).filter((t) => t > window);
      times.push(now);
      if (!this.failures.has(record.address) && this.failures.size >= TRACKED_MAX) {
        this.failures.delete(this.failures.keys().next().value!);
      }
      this.failures.set(record.address, times);
      if (times.length >= this.thresholds.failuresPerAddress) {
        this.alert(
          `guessing:${record.address}`,
          now,
          record,
          `Password guessing suspected from ${record.address}`,
          `${times.length} failed sign-ins from ${record.address} within ${this.thresholds.failureWindowMs / 60_000} minutes (last tried: user "${record.username}").`,
        );
      }
    }
    if (
      record.eventId === AuditEventId.SecurityAlert.code &&
      record.detail?.startsWith('account locked until') === true
    ) {
      this.tell(
        `locked:${record.username}`,
        now,
        `Account ${record.username} locked`,
        `The account ${record.username} was locked after repeated wrong passwords (${record.detail}).`,
      );
    }
    if (record.eventType === AuditEventType.NodeAuthentication.code && record.aeTitle !== null) {
      this.tell(
        `node:${record.aeTitle}:${record.address ?? ''}`,
        now,
        `Unregistered DICOM node ${record.aeTitle}`,
        `${record.detail ?? 'An association'} — from ${record.address ?? 'an unknown address'}. Register the node if it belongs to the hospital.`,
      );
    }
    if (
      OPENS_IMAGES.has(record.eventId) &&
      record.action === 'R' &&
      record.patientIds.length > 0 &&
      !record.roles.some((r) => MACHINE_ROLES.has(r))
    ) {
      this.countPatients(record, now);
    }
  }

  private countPatients(record: AuditRecord, now: number): void {
    const seen = this.patients.get(record.username) ?? new Map<string, number>();
    const window = now - this.thresholds.patientWindowMs;
    for (const [id, at] of seen) if (at <= window) seen.delete(id);
    for (const id of record.patientIds) seen.set(id, now);
    if (!this.patients.has(record.username) && this.patients.size >= TRACKED_MAX) {
      this.patients.delete(this.patients.keys().next().value!);
    }
    this.patients.set(record.username, seen);
    if (seen.size >= this.thresholds.patientsPerUser) {
      this.alert(
        `patients:${record.username}`,
        now,
        record,
        `Unusual access by ${record.username}`,
        `${record.username} opened the images of ${seen.size} patients within ${this.thresholds.patientWindowMs / 60_000} minutes.`,
      );
    }
  }

  private alert(subject: string, now: number, record: AuditRecord, title: string, body: string): void {
    if (!this.due(subject, now)) return;
    this.audit.record({
      event: AuditEventId.SecurityAlert,
      eventType: AuditEventType.UseOfRestrictedFunction,
      action: 'E',
      outcome: 'failure',
      actor: {
        username: record.username,
        roles: record.roles,
        protocol: 'system',
        ...(record.address !== null ? { address: record.address } : {}),
      },
      detail: `intrusion detection: ${body}`,
    });
    void this.notifications.notify(TOLD, title, body);
  }

  private tell(subject: string, now: number, title: string, body: string): void {
    if (this.due(subject, now)) void this.notifications.notify(TOLD, title, body);
  }

  private due(subject: string, now: number): boolean {
    const last = this.lastAlert.get(subject);
    if (last !== undefined && now - last < this.thresholds.quietMs) return false;
    this.lastAlert.set(subject, now);
    if (this.lastAlert.size > 10_000) this.lastAlert.clear();
    return true;
  }
}

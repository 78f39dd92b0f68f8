import { createHmac } from 'node:crypto';
import type { TransferParticipants } from './audit-sink.js';

/** An audit event as the trail stores it (one `audit_event` row, arrays decoded). */
export interface AuditRecord {
  seq: number;
  occurredAt: number;
  eventId: string;
  eventType: string | null;
  action: string;
  outcome: string;
  username: string;
  roles: string[];
  protocol: string;
  address: string | null;
  aeTitle: string | null;
  patientIds: string[];
  studyUids: string[];
  detail: string | null;
  /**
   * A transfer's Source and Destination, read from its detail (see transfer-participants.ts): the link
   * covers them through the detail, not as a field of their own.
   */
  transfer?: TransferParticipants;
}

/**
 * The link of one event in the chain: HMAC-SHA-256, keyed by a key derived from the master key, over the
 * previous event's link and every field of this one in a fixed order. Editing, inserting or deleting a row
 * breaks every later link, and without the key the chain cannot be recomputed to hide it.
 */
export function auditLink(key: Buffer, previousLink: string, record: AuditRecord): string {
  const fields = [
    record.seq,
    record.occurredAt,
    record.eventId,
    record.eventType,
    record.action,
    record.outcome,
    record.username,
    record.roles,
    record.protocol,
    record.address,
    record.aeTitle,
    record.patientIds,
    record.studyUids,
    record.detail,
  ];
  return createHmac('sha256', key)
    .update(previousLink)
    .update('\n')
    .update(JSON.stringify(fields))
    .digest('hex');
}

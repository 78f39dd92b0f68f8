import type { Logger } from 'pino';
import type { AuditEvent, AuditSink } from './audit-sink.js';

/** Writes audit events to the structured log, under `audit: true`, until the audit trail lands. */
export class LogAuditSink implements AuditSink {
  constructor(private readonly logger: Logger) {}

  record(event: AuditEvent): void {
    this.logger.info(
      {
        audit: true,
        eventId: event.event.code,
        event: event.event.name,
        action: event.action,
        outcome: event.outcome,
        user: event.actor.username,
        protocol: event.actor.protocol,
        address: event.actor.address,
        aeTitle: event.actor.aeTitle,
        patientIds: event.patientIds,
        studyUids: event.studyUids,
        detail: event.detail,
      },
      'audit',
    );
  }
}

import { parseMessage } from '@lightbox/hl7';
import type { FastifyInstance } from 'fastify';
import { messagePatient } from '../hl7-interface/patient-identity.js';
import { AuditEventId, type AuditSink } from '../security/audit/audit-sink.js';
import type { Hl7MessageLog } from '../hl7-interface/hl7-message-log.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { numericId } from './route-schemas.js';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    direction: { type: 'string', enum: ['in', 'out'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

/** What the interface monitor needs: the log, and a way to apply a logged inbound message again. */
export interface Hl7MonitorDeps {
  log: Hl7MessageLog;
  /** Applies a logged inbound message again (its new acknowledgement), or queues a refused outbound one again. */
  replay(pk: number): Promise<{ ackCode: string; ack: string; requeued?: boolean }>;
}

/** The patient a logged message names (PID-3), or none when it has none or cannot be read. */
function messagePatientIds(raw: string): string[] {
  try {
    return [messagePatient(parseMessage(raw)).patientId];
  } catch {
    return [];
  }
}

/**
 * The HL7 interface monitor (issue #6 §2): every message in and out with its acknowledgement, and replay
 * of an inbound message that failed (after the cause was fixed). Administrators only: raw messages hold PHI.
 */
export function hl7MessagesRoutes(app: FastifyInstance, deps: Hl7MonitorDeps, audit: AuditSink): void {
  const config = { permission: Permission.Administer };
  app.get<{ Querystring: { direction?: 'in' | 'out'; limit: number; offset: number } }>(
    '/hl7-messages',
    { config, schema: { querystring: listQuery } },
    async (request) => {
      const rows = await deps.log.recent(request.query.limit, request.query.offset, request.query.direction);
      return rows.map((row) => ({
        id: row.pk,
        direction: row.direction,
        peer: row.peer,
        messageType: row.message_type,
        controlId: row.control_id,
        sendingApplication: row.sending_application,
        version: row.version,
        state: row.state,
        ackCode: row.ack_code,
        detail: row.detail,
        attempts: row.attempts,
        createdAt: row.created_at,
      }));
    },
  );
  app.get<{ Params: { id: number } }>(
    '/hl7-messages/:id',
    { config, schema: { params: numericId } },
    async (request) => {
      const row = await deps.log.get(request.params.id);
      if (row === undefined) throw new AppError(ErrorCode.NotFound, `no HL7 message ${request.params.id}`);
      // The raw message is patient data: reading it is recorded, naming its patient when it has one.
      audit.record({
        event: AuditEventId.PatientRecord,
        action: 'R',
        outcome: 'success',
        actor: request.actor!,
        patientIds: messagePatientIds(row.raw),
        detail: `HL7 message ${row.pk} (${row.message_type}) read in the interface monitor`,
      });
      return {
        id: row.pk,
        direction: row.direction,
        peer: row.peer,
        messageType: row.message_type,
        controlId: row.control_id,
        state: row.state,
        ackCode: row.ack_code,
        detail: row.detail,
        createdAt: row.created_at,
        raw: row.raw,
        ack: row.ack,
      };
    },
  );
  app.post<{ Params: { id: number } }>(
    '/hl7-messages/:id/replay',
    { config, schema: { params: numericId } },
    async (request) => deps.replay(request.params.id),
  );
}

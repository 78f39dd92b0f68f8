import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { AuditEventId, type AuditSink } from '../security/audit/audit-sink.js';
import { searchAuditTrail, type AuditSearch } from '../security/audit/audit-search.js';
import type { AuditTrail } from '../security/audit/audit-trail.js';
import { verifyAuditTrail } from '../security/audit/verify-audit-trail.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** What the audit routes need. */
export interface AuditRouteDeps {
  db: Kysely<Tables>;
  trail: AuditTrail;
  audit: AuditSink;
  chainKey: Buffer;
  chainKeyId: string;
}

const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    user: { type: 'string' },
    patientId: { type: 'string' },
    studyUid: { type: 'string' },
    eventId: { type: 'string', pattern: '^[0-9]{6}$' },
    outcome: { type: 'string', enum: ['success', 'failure'] },
    protocol: { type: 'string' },
    address: { type: 'string' },
    aeTitle: { type: 'string', minLength: 1, maxLength: 16 },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

interface SearchParams {
  user?: string;
  patientId?: string;
  studyUid?: string;
  eventId?: string;
  outcome?: 'success' | 'failure';
  protocol?: string;
  address?: string;
  aeTitle?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/**
 * The audit trail (issue #4 §3): search (`GET /audit-events`, newest first) and verification of the hash
 * chain (`GET /audit-events/verify`). Reading the trail is itself audited (Audit Log Used).
 */
export function auditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const config = { permission: Permission.AuditRead };
  app.get<{ Querystring: SearchParams }>(
    '/audit-events',
    { config, schema: { querystring: searchQuery } },
    async (request) => {
      const q = request.query;
      const time = (value: string | undefined, name: string) => {
        if (value === undefined) return undefined;
        const ms = Date.parse(value);
        if (Number.isNaN(ms))
          throw new AppError(ErrorCode.InvalidParameter, `${name} must be an ISO 8601 date-time`, name);
        return ms;
      };
      const search: AuditSearch = {
        username: q.user,
        patientId: q.patientId,
        studyUid: q.studyUid,
        eventId: q.eventId,
        outcome: q.outcome,
        protocol: q.protocol,
        address: q.address,
        node: q.aeTitle,
        from: time(q.from, 'from'),
        to: time(q.to, 'to'),
        limit: q.limit,
        offset: q.offset,
      };
      // What this node recorded a moment ago is part of the answer.
      await deps.trail.flush();
      const events = await searchAuditTrail(deps.db, search);
      deps.audit.record({
        event: AuditEventId.AuditLogUsed,
        action: 'R',
        outcome: 'success',
        actor: request.actor!,
        patientIds: q.patientId === undefined ? [] : [q.patientId],
        studyUids: q.studyUid === undefined ? [] : [q.studyUid],
        detail: `searched the audit trail, ${events.length} events`,
      });
      return events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() }));
    },
  );
  app.get('/audit-events/verify', { config }, async (request) => {
    await deps.trail.flush();
    const result = await verifyAuditTrail(deps.db, deps.chainKey, deps.chainKeyId);
    deps.audit.record({
      event: AuditEventId.AuditLogUsed,
      action: 'E',
      outcome: result.ok ? 'success' : 'failure',
      actor: request.actor!,
      detail: result.ok ? `verified ${result.events} events` : `verification failed: ${result.reason ?? ''}`,
    });
    return result;
  });
}

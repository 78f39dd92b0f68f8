import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { auditRecordOf, searchAuditTrail } from '../security/audit/audit-search.js';
import { AuditEventId, type AuditSink } from '../security/audit/audit-sink.js';
import type { AuditTrail } from '../security/audit/audit-trail.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode, isAppError } from '../shared/app-error.js';
import { auditEventResource } from './audit-event-resource.js';
import { auditSearchOf, SUPPORTED, type FhirQuery } from './audit-event-search.js';

/** What the FHIR routes need. */
export interface FhirRouteDeps {
  db: Kysely<Tables>;
  trail: AuditTrail;
  audit: AuditSink;
  aeTitle: string;
  /** The public base URL of the server (for fullUrl and paging links), without a trailing slash. */
  publicUrl: string | undefined;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** FHIR's issue codes (R4 IssueType) for the HTTP statuses Lightbox answers with. */
function issueCode(status: number): string {
  if (status === 400) return 'invalid';
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 406) return 'not-supported';
  if (status === 429) return 'throttled';
  return status >= 500 ? 'exception' : 'processing';
}

function sendOutcome(reply: FastifyReply, status: number, diagnostics: string, parameter?: string) {
  return reply
    .code(status)
    .type(FHIR_JSON)
    .send({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: issueCode(status),
          diagnostics,
          ...(parameter !== undefined ? { expression: [parameter] } : {}),
        },
      ],
    });
}

function baseOf(request: FastifyRequest, publicUrl: string | undefined): string {
  return `${publicUrl ?? `${request.protocol}://${request.host}`}/fhir`;
}

/** FHIR asks JSON of us with `_format` json or application/fhir+json, or by the Accept header. */
function refuseOtherFormats(query: FhirQuery): void {
  const format = query._format;
  if (format === undefined) return;
  const wanted = Array.isArray(format) ? format[0] : format;
  if (wanted !== undefined && !/^(json|application\/(fhir\+)?json)$/.test(wanted)) {
    throw new AppError(ErrorCode.NotAcceptable, `_format ${wanted}: only JSON is served`, '_format');
  }
}

/**
 * FHIR R4 at `/fhir` (the runtime contract's root): for now the audit trail as AuditEvent resources
 * (issue #4 §3, IHE BALP in spirit) for security officers, read and searched, and the server's
 * CapabilityStatement. Errors are OperationOutcome resources, as FHIR clients expect.
 */
export function fhirRoutes(app: FastifyInstance, deps: FhirRouteDeps): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (isAppError(error)) {
      if (error.code === ErrorCode.Unauthenticated)
        reply.header('www-authenticate', [
          'Basic realm="Lightbox", charset="UTF-8"',
          'Bearer realm="Lightbox"',
        ]);
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      if (error.code.http >= 500) request.log.error({ err: error.cause ?? error }, error.detail);
      return sendOutcome(reply, error.code.http, error.detail, error.parameter);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
      return sendOutcome(reply, fastifyError.statusCode, fastifyError.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendOutcome(reply, 500, 'an unexpected error occurred; see the server log');
  });
  app.setNotFoundHandler((request, reply) =>
    sendOutcome(reply, 404, `no resource at ${request.method} ${request.url.split('?')[0]}`),
  );

  const audited = { permission: Permission.AuditRead };
  app.get<{ Querystring: FhirQuery }>('/AuditEvent', { config: audited }, async (request, reply) => {
    refuseOtherFormats(request.query);
    const { nothing, ...search } = auditSearchOf(request.query);
    // What this node recorded a moment ago is part of the answer.
    await deps.trail.flush();
    // The pages of one search are taken from a fixed set: the events up to the newest one now.
    if (search.maxSeq === undefined) {
      const newest = await deps.db
        .selectFrom('audit_event')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      search.maxSeq = Number(newest?.seq ?? 0);
    }
    const records =
      nothing === true || search.limit === 0
        ? []
        : await searchAuditTrail(deps.db, { ...search, limit: search.limit + 1 });
    const page = records.slice(0, search.limit);
    deps.audit.record({
      event: AuditEventId.AuditLogUsed,
      action: 'R',
      outcome: 'success',
      actor: request.actor!,
      patientIds: search.patientId === undefined ? [] : [search.patientId],
      studyUids: search.studyUid === undefined ? [] : [search.studyUid],
      detail: `searched the audit trail (FHIR), ${page.length} events`,
    });
    const base = baseOf(request, deps.publicUrl);
    const kept = new URLSearchParams();
    for (const name of SUPPORTED) {
      if (name === '_offset' || name === '_snapshot') continue;
      const value = request.query[name];
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) kept.append(name, v);
    }
    const link = (offset: number) => {
      const params = new URLSearchParams(kept);
      params.set('_count', String(search.limit));
      params.set('_offset', String(offset));
      params.set('_snapshot', String(search.maxSeq));
      return `${base}/AuditEvent?${params.toString()}`;
    };
    return reply.type(FHIR_JSON).send({
      resourceType: 'Bundle',
      type: 'searchset',
      link: [
        { relation: 'self', url: link(search.offset) },
        ...(records.length > search.limit
          ? [{ relation: 'next', url: link(search.offset + search.limit) }]
          : []),
      ],
      // FHIR JSON has no empty arrays: a search that found nothing has no `entry`.
      ...(page.length > 0
        ? {
            entry: page.map((record) => ({
              fullUrl: `${base}/AuditEvent/${record.seq}`,
              resource: auditEventResource(record, { aeTitle: deps.aeTitle }),
              search: { mode: 'match' },
            })),
          }
        : {}),
    });
  });

  app.get<{ Params: { id: string }; Querystring: FhirQuery }>(
    '/AuditEvent/:id',
    { config: audited },
    async (request, reply) => {
      refuseOtherFormats(request.query);
      const { id } = request.params;
      if (!/^[1-9]\d{0,15}$/.test(id)) throw new AppError(ErrorCode.NotFound, `no AuditEvent ${id}`);
      await deps.trail.flush();
      const row = await deps.db
        .selectFrom('audit_event')
        .selectAll()
        .where('seq', '=', Number(id))
        .executeTakeFirst();
      if (row === undefined) throw new AppError(ErrorCode.NotFound, `no AuditEvent ${id}`);
      const record = auditRecordOf(row);
      deps.audit.record({
        event: AuditEventId.AuditLogUsed,
        action: 'R',
        outcome: 'success',
        actor: request.actor!,
        detail: `read audit event ${id} (FHIR)`,
      });
      return reply.type(FHIR_JSON).send(auditEventResource(record, { aeTitle: deps.aeTitle }));
    },
  );

  app.get<{ Querystring: FhirQuery }>(
    '/metadata',
    { config: { permission: Permission.Self } },
    async (request, reply) => {
      refuseOtherFormats(request.query);
      return reply.type(FHIR_JSON).send({
        resourceType: 'CapabilityStatement',
        status: 'active',
        date: '2026-11-24',
        kind: 'instance',
        software: { name: 'Lightbox' },
        implementation: { description: 'Lightbox FHIR R4', url: baseOf(request, deps.publicUrl) },
        fhirVersion: '4.0.1',
        format: ['json'],
        rest: [
          {
            mode: 'server',
            resource: [
              {
                type: 'AuditEvent',
                interaction: [{ code: 'read' }, { code: 'search-type' }],
                searchParam: [
                  { name: 'date', type: 'date' },
                  { name: 'type', type: 'token' },
                  { name: 'subtype', type: 'token' },
                  { name: 'outcome', type: 'token' },
                  { name: 'agent-name', type: 'string', documentation: 'the whole user name (exact match)' },
                  { name: 'altid', type: 'token' },
                  { name: 'address', type: 'string', documentation: 'the whole address (exact match)' },
                  { name: 'patient', type: 'reference', documentation: 'with :identifier (a Patient ID)' },
                  {
                    name: 'entity',
                    type: 'reference',
                    documentation: 'with :identifier (urn:dicom:uid|urn:oid:<Study Instance UID>)',
                  },
                ],
              },
            ],
          },
        ],
      });
    },
  );
}

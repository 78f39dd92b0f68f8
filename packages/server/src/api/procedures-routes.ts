import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { listProcedureTypes, putProcedureType, type ProcedureTypeView } from '../ris/procedure-catalog.js';
import { Permission } from '../security/permissions.js';

const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

const procedureBody = {
  type: 'object',
  additionalProperties: false,
  required: ['meaning'],
  properties: {
    codingScheme: { type: 'string', minLength: 1, maxLength: 16, default: 'L' },
    meaning: { type: 'string', minLength: 1, maxLength: 64 },
    modality: { type: ['string', 'null'], pattern: '^[A-Z]{2,16}$', default: null },
    durationMinutes: { type: 'integer', minimum: 5, maximum: 1440, default: 30 },
    stationAe: { ...nullableText(16), default: null },
    stationName: { ...nullableText(16), default: null },
    location: { ...nullableText(16), default: null },
    autoSchedule: { type: 'boolean', default: true },
    protocolNotes: { ...nullableText(2000), default: null },
  },
} as const;

/**
 * The procedure catalog (issue #6 §1): codes, modality, slot length, default station and whether an order
 * with a requested time is scheduled at once. Everyone who sees the worklist reads it; administrators change it.
 */
export function proceduresRoutes(app: FastifyInstance, db: Kysely<Tables>): void {
  app.get('/procedures', { config: { permission: Permission.WorklistRead } }, async () =>
    listProcedureTypes(db),
  );
  app.put<{ Params: { code: string }; Body: Omit<ProcedureTypeView, 'code'> }>(
    '/procedures/:code',
    {
      config: { permission: Permission.Administer, configurationChange: true },
      schema: { body: procedureBody },
    },
    async (request, reply) => {
      const { created, procedure } = await putProcedureType(db, {
        ...request.body,
        code: request.params.code,
      });
      return reply.code(created ? 201 : 200).send(procedure);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ExceptionResolution, Reconciliation } from '../ris/reconciliation.js';
import { Permission } from '../security/permissions.js';
import { numericId } from './route-schemas.js';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { state: { type: 'string', enum: ['open', 'resolved', 'dismissed'], default: 'open' } },
} as const;

const resolveBody = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'accessionNumber'],
      properties: {
        action: { const: 'link' },
        accessionNumber: { type: 'string', minLength: 1, maxLength: 16 },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'reason'],
      properties: { action: { const: 'dismiss' }, reason: { type: 'string', minLength: 1, maxLength: 200 } },
    },
  ],
} as const;

/**
 * The reconciliation queue (issue #6 §5): studies that matched no order or an order of another patient,
 * resolved by linking them to an order or dismissed with a reason. For those who may change orders.
 */
export function exceptionsRoutes(app: FastifyInstance, reconciliation: Reconciliation): void {
  const config = { permission: Permission.OrderWrite };
  app.get<{ Querystring: { state: string } }>(
    '/exceptions',
    { config, schema: { querystring: listQuery } },
    async (request) => reconciliation.list(request.query.state, request.actor!),
  );
  app.post<{ Params: { id: number }; Body: ExceptionResolution }>(
    '/exceptions/:id/resolve',
    { config, schema: { params: numericId, body: resolveBody } },
    async (request) => reconciliation.resolve(request.params.id, request.body, request.actor!),
  );
}

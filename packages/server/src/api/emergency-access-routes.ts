import type { FastifyInstance } from 'fastify';
import type { EmergencyAccess } from '../security/emergency-access.js';
import type { Notifications } from '../security/notifications.js';
import type { UserStore } from '../security/user-store.js';
import { numericId } from './route-schemas.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** What the emergency-access and notification routes need. */
export interface EmergencyAccessRouteDeps {
  emergencyAccess: EmergencyAccess;
  notifications: Notifications;
  users: UserStore;
}

const startBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 1000 }, minutes: { type: 'integer' } },
} as const;

function emergencyJson(active: { reason: string; startedAt: number; expiresAt: number }) {
  return {
    reason: active.reason,
    startedAt: new Date(active.startedAt).toISOString(),
    expiresAt: new Date(active.expiresAt).toISOString(),
  };
}

/**
 * Break the glass (`/emergency-access`: start with a reason, see, end) and the notices it and intrusion
 * detection raise (`/notifications`: each user sees those addressed to their roles, and acknowledges them).
 */
export function emergencyAccessRoutes(app: FastifyInstance, deps: EmergencyAccessRouteDeps): void {
  const self = { permission: Permission.Self };
  app.post<{ Body: { reason: string; minutes?: number } }>(
    '/emergency-access',
    { config: { permission: Permission.EmergencyAccess }, schema: { body: startBody } },
    async (request, reply) => {
      const active = await deps.emergencyAccess.start(
        request.actor!,
        request.body.reason,
        request.body.minutes,
      );
      return reply.code(201).send(emergencyJson(active));
    },
  );
  // Polled by the web app while access is in force: not the user's activity.
  app.get('/emergency-access', { config: { ...self, background: true } }, async (request, reply) => {
    const active =
      request.actor!.userId === undefined
        ? undefined
        : await deps.emergencyAccess.activeFor(request.actor!.userId);
    if (active === undefined) throw new AppError(ErrorCode.NotFound, 'no emergency access is in force');
    return reply.send(emergencyJson(active));
  });
  app.delete('/emergency-access', { config: self }, async (request, reply) => {
    if (!(await deps.emergencyAccess.end(request.actor!))) {
      throw new AppError(ErrorCode.NotFound, 'no emergency access is in force');
    }
    return reply.code(204).send();
  });

  // An administrator ends someone else's emergency access (e.g. after the security officer's review).
  app.delete<{ Params: { username: string } }>(
    '/users/:username/emergency-access',
    { config: { permission: Permission.Administer } },
    async (request, reply) => {
      const user = await deps.users.findByUsername(request.params.username);
      if (
        user === undefined ||
        !(await deps.emergencyAccess.endFor(request.actor!, user.pk, user.username))
      ) {
        throw new AppError(ErrorCode.NotFound, `${request.params.username} has no emergency access in force`);
      }
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { unacknowledged?: boolean } }>(
    '/notifications',
    {
      // Polled by the web app every minute: not the user's activity.
      config: { ...self, background: true },
      schema: { querystring: { type: 'object', properties: { unacknowledged: { type: 'boolean' } } } },
    },
    async (request) =>
      deps.notifications.forRoles(request.actor!.roles, request.query.unacknowledged === true),
  );
  app.post<{ Params: { id: string } }>(
    '/notifications/:id/acknowledge',
    { config: self, schema: { params: numericId } },
    async (request, reply) => {
      const acknowledged = await deps.notifications.acknowledge(
        Number(request.params.id),
        request.actor!.roles,
        request.actor!.username,
      );
      if (!acknowledged)
        throw new AppError(ErrorCode.NotFound, `no notification ${request.params.id} for you`);
      return reply.code(204).send();
    },
  );
}

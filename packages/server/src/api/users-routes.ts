import type { EmergencyAccess } from '../security/emergency-access.js';
import type { FastifyInstance } from 'fastify';
import { numericId } from './route-schemas.js';
import { Permission, PERSON_ROLES } from '../security/permissions.js';
import type { UserAdministration, UserInput } from '../security/user-administration.js';

const PROVIDER_ID_PART = '[^\\^\\s](?:[^\\^]*[^\\^\\s])?';
const PROVIDER_ID_PATTERN = `^${PROVIDER_ID_PART}(?:\\^${PROVIDER_ID_PART})?$`;

const userBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    password: { type: 'string' },
    roles: { type: 'array', items: { type: 'string', enum: PERSON_ROLES }, uniqueItems: true },
    disabled: { type: 'boolean' },
    displayName: { type: ['string', 'null'], maxLength: 200 },
    // `ID` or `ID^ISSUER` (docs/security.md), without spaces at either end of either part.
    providerIds: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 64, pattern: PROVIDER_ID_PATTERN },
      maxItems: 50,
    },
    institutions: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 50 },
  },
} as const;

/** The body of a token request (also used by the account routes). */
export const tokenBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    permissions: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    expiresInDays: { type: 'number' },
  },
} as const;

/** The body of a token request. */
export interface TokenRequest {
  name: string;
  permissions?: string[];
  expiresInDays?: number;
}

/**
 * User administration (issue #4 §1): list, read, create or change (`PUT`), disable (`DELETE`; users are
 * never erased, the audit trail names them), and each user's API tokens. Administrators only.
 */
export function usersRoutes(
  app: FastifyInstance,
  users: UserAdministration,
  emergencyAccess?: EmergencyAccess,
): void {
  const config = { permission: Permission.Administer };
  type ByName = { Params: { username: string } };

  // With each user, the emergency access they have in force (when and why it ends), for the administrator.
  app.get('/users', { config }, async () => {
    const [list, active] = await Promise.all([users.list(), emergencyAccess?.activeByUsername()]);
    return list.map((user) => {
      const emergency = active?.get(user.username);
      return {
        ...user,
        emergencyAccess:
          emergency === undefined
            ? null
            : { reason: emergency.reason, expiresAt: new Date(emergency.expiresAt).toISOString() },
      };
    });
  });
  app.get<ByName>('/users/:username', { config }, async (request) => users.get(request.params.username));
  app.put<ByName & { Body: UserInput }>(
    '/users/:username',
    { config, schema: { body: userBody } },
    async (request, reply) => {
      const { created, user } = await users.put(request.actor!, request.params.username, request.body);
      return reply.code(created ? 201 : 200).send(user);
    },
  );
  app.delete<ByName>('/users/:username', { config }, async (request, reply) => {
    await users.disable(request.actor!, request.params.username);
    return reply.code(204).send();
  });

  app.get<ByName>('/users/:username/tokens', { config }, async (request) =>
    users.listTokens(request.params.username),
  );
  app.post<ByName & { Body: TokenRequest }>(
    '/users/:username/tokens',
    { config, schema: { body: tokenBody } },
    async (request, reply) => {
      const { token, record } = await users.issueToken(request.actor!, request.params.username, request.body);
      return reply.code(201).send({ ...record, token });
    },
  );
  app.delete<{ Params: { username: string; id: string } }>(
    '/users/:username/tokens/:id',
    { config, schema: { params: numericId } },
    async (request, reply) => {
      await users.revokeToken(request.actor!, request.params.username, Number(request.params.id));
      return reply.code(204).send();
    },
  );
}

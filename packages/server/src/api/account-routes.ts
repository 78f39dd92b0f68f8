import type { FastifyInstance } from 'fastify';
import type { Actor } from '../security/actor.js';
import { AuditEventId, AuditEventType, type AuditSink } from '../security/audit/audit-sink.js';
import { tooManyAttempts, type PasswordAuthenticator } from '../security/password-authenticator.js';
import { numericId } from './route-schemas.js';
import { Permission } from '../security/permissions.js';
import type { SessionStore } from '../security/session-store.js';
import type { UserAdministration } from '../security/user-administration.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { crossSite, SESSION_COOKIE, setSessionCookie } from '../http/request-authentication.js';
import { tokenBody, type TokenRequest } from './users-routes.js';
import { LOGOUT_HINT_COOKIE, LOGOUT_HINT_PATH } from './oidc-routes.js';

/** What the account routes need. */
export interface AccountRouteDeps {
  passwords: PasswordAuthenticator;
  sessions: SessionStore;
  users: UserAdministration;
  audit: AuditSink;
  /** Cookies get the Secure attribute when the server speaks HTTPS. */
  secureCookies: boolean;
  /** With OpenID Connect: where to end the browser's session at the provider too, from its cookies. */
  endSessionUrl?: (cookies: Record<string, string | undefined>) => Promise<string | undefined>;
  /** The public URL, whose origin is Lightbox's own behind a reverse proxy (see `crossSite`). */
  publicUrl?: string;
}

const loginBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^\\u0000]*$' },
    password: { type: 'string', maxLength: 1024 },
  },
} as const;

const passwordBody = {
  type: 'object',
  required: ['currentPassword', 'newPassword'],
  additionalProperties: false,
  properties: {
    currentPassword: { type: 'string', maxLength: 1024 },
    newPassword: { type: 'string', maxLength: 1024 },
  },
} as const;

/**
 * The caller's own account (issue #4 §1): sign in and out of a browser session (`/session`: an HttpOnly,
 * SameSite=Strict cookie, Secure under HTTPS, and a CSRF token for unsafe requests), their profile, their
 * password and their API tokens (`/me`).
 */
export function accountRoutes(app: FastifyInstance, deps: AccountRouteDeps): void {
  const self = { permission: Permission.Self };
  const audit = (actor: Actor, type: typeof AuditEventType.Login | typeof AuditEventType.Logout) =>
    deps.audit.record({
      event: AuditEventId.UserAuthentication,
      eventType: type,
      action: 'E',
      outcome: 'success',
      actor,
    });

  app.post<{ Body: { username: string; password: string } }>(
    '/session',
    { config: { permission: Permission.Public }, schema: { body: loginBody } },
    async (request, reply) => {
      // Another site must not sign the browser in (to an account of its choosing).
      if (crossSite(request, deps.publicUrl))
        throw new AppError(ErrorCode.Forbidden, 'sign in from this site');
      const result = await deps.passwords.check(
        request.body.username,
        request.body.password,
        'api',
        request.ip,
      );
      if (!result.ok) {
        if ('retryAfterSeconds' in result) {
          throw tooManyAttempts(result.retryAfterSeconds);
        }
        throw new AppError(ErrorCode.Unauthenticated, 'wrong user name or password');
      }
      const { id, session } = await deps.sessions.create(result.user.pk, request.ip);
      audit(result.actor, AuditEventType.Login);
      setSessionCookie(reply, id, deps.secureCookies);
      return reply
        .code(201)
        .send({ user: await deps.users.get(result.user.username), csrfToken: session.csrfToken });
    },
  );
  app.get('/session', { config: self }, async (request) => ({
    user: await deps.users.get(request.actor!.username),
    csrfToken: request.session?.csrfToken ?? null,
  }));
  app.delete('/session', { config: self }, async (request, reply) => {
    if (request.session !== undefined) await deps.sessions.end(request.session.pk);
    audit(request.actor!, AuditEventType.Logout);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    // Signed in through the identity provider: the browser is sent there to sign out too (RP-initiated
    // logout), or the provider's session would sign it straight back in.
    const logoutUrl = await deps.endSessionUrl?.(request.cookies).catch((error: unknown) => {
      request.log.warn({ err: error }, 'no sign-out URL from the identity provider');
      return undefined;
    });
    reply.clearCookie(LOGOUT_HINT_COOKIE, { path: LOGOUT_HINT_PATH });
    return logoutUrl === undefined ? reply.code(204).send() : reply.code(200).send({ logoutUrl });
  });

  app.get('/me', { config: self }, async (request) => deps.users.get(request.actor!.username));
  app.put<{ Body: { currentPassword: string; newPassword: string } }>(
    '/me/password',
    { config: self, schema: { body: passwordBody } },
    async (request, reply) => {
      await deps.users.changeOwnPassword(
        request.actor!,
        request.body.currentPassword,
        request.body.newPassword,
      );
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );
  app.get('/me/tokens', { config: self }, async (request) => deps.users.listTokens(request.actor!.username));
  app.post<{ Body: TokenRequest }>(
    '/me/tokens',
    { config: self, schema: { body: tokenBody } },
    async (request, reply) => {
      const { token, record } = await deps.users.issueToken(
        request.actor!,
        request.actor!.username,
        request.body,
      );
      return reply.code(201).send({ ...record, token });
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/me/tokens/:id',
    { config: self, schema: { params: numericId } },
    async (request, reply) => {
      await deps.users.revokeToken(request.actor!, request.actor!.username, Number(request.params.id));
      return reply.code(204).send();
    },
  );
}

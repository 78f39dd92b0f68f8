import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Protocol } from '../security/actor.js';
import type { ApiTokenStore } from '../security/api-token-store.js';
import { AuditEventId, AuditEventType, type AuditSink } from '../security/audit/audit-sink.js';
import { actorOf, tooManyAttempts, type PasswordAuthenticator } from '../security/password-authenticator.js';
import type { EmergencyAccess } from '../security/emergency-access.js';
import { SESSION_MAX_MS, type Session, type SessionStore } from '../security/session-store.js';
import type { UserStore } from '../security/user-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** The browser session cookie. */
export const SESSION_COOKIE = 'lightbox_session';
/** Starts the browser's session: the cookie holds the session ID and nothing else. */
export function setSessionCookie(reply: FastifyReply, id: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: SESSION_MAX_MS / 1000,
  });
}

/** The header in which a browser echoes its session's CSRF token on unsafe requests. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What authenticating a request needs. */
export interface RequestAuthenticationDeps {
  passwords: PasswordAuthenticator;
  tokens: ApiTokenStore;
  sessions: SessionStore;
  users: UserStore;
  audit: AuditSink;
  emergencyAccess: EmergencyAccess;
  /** The public URL (`LIGHTBOX_PUBLIC_URL`), whose origin counts as Lightbox's own (see {@link crossSite}). */
  publicUrl?: string;
}

/** The authenticated caller, and the session when it came through the cookie. */
export interface Authenticated {
  actor: Actor;
  session?: Session;
  /** True for credentials a browser sends on its own (cookie, Basic): cross-site requests are refused. */
  ambient?: boolean;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Credentials a browser sends by itself (the session cookie, a remembered Basic password) must not serve
 * another site's form or script: an unsafe request that the browser marks as cross-site, or whose Origin is
 * another host, is refused. Lightbox's own site is the host the request names, or the public URL when one
 * is configured (`LIGHTBOX_PUBLIC_URL`: behind a reverse proxy that passes requests on under its own Host,
 * as nginx does by default, the browser's Origin is the public one). Bearer tokens are never sent by a
 * browser on its own and need no such check.
 */
export function crossSite(request: FastifyRequest, publicUrl?: string): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    const from = new URL(origin);
    if (from.host === request.host) return false;
    return publicUrl === undefined || from.origin !== new URL(publicUrl).origin;
  } catch {
    return true;
  }
}

/**
 * Authenticates an HTTP request (DESIGN §1): HTTP Basic or a Bearer API token in Authorization, else the
 * session cookie, whose unsafe requests must carry the session's CSRF token. Throws 401 with nothing
 * revealed about why, 429 when the address has failed too often, 403 for a missing or forged CSRF token
 * (audited as a security alert).
 */
export async function authenticateRequest(
  deps: RequestAuthenticationDeps,
  request: FastifyRequest,
  protocol: Protocol,
): Promise<Authenticated> {
  const found = await identify(deps, request, protocol);
  if (found.ambient && crossSite(request, deps.publicUrl)) {
    deps.audit.record({
      event: AuditEventId.SecurityAlert,
      eventType: AuditEventType.AuthorizationDecision,
      action: 'E',
      outcome: 'failure',
      actor: found.actor,
      detail: `${request.method} ${request.url.split('?')[0]} from another site (Origin ${request.headers.origin ?? 'none'}) refused`,
    });
    throw new AppError(
      ErrorCode.Forbidden,
      "a request from another site cannot use this browser's credentials",
    );
  }
  await deps.emergencyAccess.attachTo(found.actor);
  return found;
}

async function identify(
  deps: RequestAuthenticationDeps,
  request: FastifyRequest,
  protocol: Protocol,
): Promise<Authenticated> {
  const header = request.headers.authorization;
  const address = request.ip;
  const unauthenticated = () => new AppError(ErrorCode.Unauthenticated, 'valid credentials are required');
  if (header !== undefined) {
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (basic !== null) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw unauthenticated();
      const result = await deps.passwords.check(
        decoded.slice(0, colon),
        decoded.slice(colon + 1),
        protocol,
        address,
      );
      if (result.ok) return { actor: { ...result.actor }, ambient: true };
      if ('retryAfterSeconds' in result) {
        throw tooManyAttempts(result.retryAfterSeconds);
      }
      throw unauthenticated();
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer !== null) {
      const waiting = deps.passwords.retryAfterSeconds(address);
      if (waiting !== undefined) throw tooManyAttempts(waiting);
      const token = await deps.tokens.verify(bearer[1]!);
      const user = token === undefined ? undefined : await deps.users.findByPk(token.userPk);
      if (token === undefined || user === undefined || user.disabled) {
        deps.passwords.recordFailedCredential(address);
        deps.audit.record({
          event: AuditEventId.UserAuthentication,
          eventType: AuditEventType.AuthenticationDecision,
          action: 'E',
          outcome: 'failure',
          actor: { username: user?.username ?? 'unknown', roles: [], protocol, address },
          detail: 'invalid, expired or revoked API token',
        });
        throw unauthenticated();
      }
      return { actor: { ...actorOf(user, protocol, address), permissions: token.permissions } };
    }
    throw unauthenticated();
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie === undefined) throw unauthenticated();
  // The app's own requests (polls, refreshes while the user is away) leave the idle timer running.
  const background =
    request.routeOptions.config?.background === true ||
    request.headers['x-lightbox-background'] !== undefined;
  const session = await deps.sessions.find(cookie, { touch: !background });
  const user = session === undefined ? undefined : await deps.users.findByPk(session.userPk);
  if (session === undefined || user === undefined || user.disabled) throw unauthenticated();
  const actor = actorOf(user, protocol, address);
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers[CSRF_HEADER];
    if (typeof presented !== 'string' || !sameSecret(presented, session.csrfToken)) {
      deps.audit.record({
        event: AuditEventId.SecurityAlert,
        eventType: AuditEventType.AuthorizationDecision,
        action: 'E',
        outcome: 'failure',
        actor,
        detail: `${request.method} ${request.url.split('?')[0]} without a valid CSRF token`,
      });
      throw new AppError(
        ErrorCode.Forbidden,
        `a session's ${request.method} request must carry its CSRF token in ${CSRF_HEADER}`,
      );
    }
  }
  return { actor, session, ambient: true };
}

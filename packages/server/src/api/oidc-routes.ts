import type { FastifyInstance } from 'fastify';
import { setSessionCookie } from '../http/request-authentication.js';
import { AuditEventId, AuditEventType, type AuditSink } from '../security/audit/audit-sink.js';
import { SIGN_IN_WINDOW_MS, type OidcSignIn } from '../security/oidc-sign-in.js';
import { actorOf } from '../security/password-authenticator.js';
import { Permission } from '../security/permissions.js';
import type { SessionStore } from '../security/session-store.js';
import type { UserAdministration } from '../security/user-administration.js';

/** Holds the sealed sign-in state between leaving for the provider and coming back. */
const FLOW_COOKIE = 'lightbox_oidc';
const CALLBACK = '/oidc/callback';
// The flow cookie goes only to the OpenID Connect routes.
const FLOW_PATH = '/api/oidc';
/** Holds the sealed ID token until sign-out, for signing out at the provider too. */
export const LOGOUT_HINT_COOKIE = 'lightbox_oidc_logout';
/** Sent only to the sign-out request. */
export const LOGOUT_HINT_PATH = '/api/session';
/** As long as a browser session may last. */
const LOGOUT_HINT_MAX_AGE_S = 12 * 60 * 60;

/** What the OpenID Connect routes need. */
export interface OidcRouteDeps {
  oidc: OidcSignIn;
  users: UserAdministration;
  sessions: SessionStore;
  audit: AuditSink;
  secureCookies: boolean;
  /** This server's public base URL (required with OpenID Connect: the redirect URI is never taken from a Host header). */
  publicUrl: string;
}

/**
 * Sign-in through the OpenID Connect provider (issue #4 §1): `GET /oidc/login` sends the browser to the
 * provider; `GET /oidc/callback` completes the flow, finds or creates the user, starts a browser session
 * like the password sign-in does, and returns to the app. Both are public: they are how one signs in.
 */
export function oidcRoutes(app: FastifyInstance, deps: OidcRouteDeps): void {
  const config = { permission: Permission.Public };
  app.get('/oidc/login', { config }, async (request, reply) => {
    const { url, sealed } = await deps.oidc.begin(deps.publicUrl);
    // Lax, not Strict: the provider sends the browser back with a cross-site navigation.
    reply.setCookie(FLOW_COOKIE, sealed, {
      path: FLOW_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      maxAge: SIGN_IN_WINDOW_MS / 1000,
    });
    return reply.redirect(url.href, 302);
  });
  app.get(CALLBACK, { config }, async (request, reply) => {
    reply.clearCookie(FLOW_COOKIE, { path: FLOW_PATH });
    let identity;
    let idToken: string | undefined;
    try {
      ({ identity, idToken } = await deps.oidc.finish(
        new URL(request.url, 'http://callback').search,
        request.cookies[FLOW_COOKIE],
      ));
    } catch (error) {
      deps.audit.record({
        event: AuditEventId.UserAuthentication,
        eventType: AuditEventType.Login,
        action: 'E',
        outcome: 'failure',
        actor: { username: 'unknown', roles: [], protocol: 'api', address: request.ip },
        detail: 'OpenID Connect sign-in failed',
      });
      throw error;
    }
    const user = await deps.users.signInFederated(identity, request.ip);
    const { id } = await deps.sessions.create(user.pk, request.ip);
    deps.audit.record({
      event: AuditEventId.UserAuthentication,
      eventType: AuditEventType.Login,
      action: 'E',
      outcome: 'success',
      actor: actorOf(user, 'api', request.ip),
      detail: `OpenID Connect (${identity.subject.split('#')[0] ?? ''})`,
    });
    setSessionCookie(reply, id, deps.secureCookies);
    reply.setCookie(LOGOUT_HINT_COOKIE, deps.oidc.sealLogoutHint(idToken), {
      path: LOGOUT_HINT_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      maxAge: LOGOUT_HINT_MAX_AGE_S,
    });
    return reply.redirect('/', 302);
  });
}

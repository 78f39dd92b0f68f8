import type { TLSSocket } from 'node:tls';
import { Readable } from 'node:stream';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Archive } from '../archive/archive.js';
import { accountRoutes } from '../api/account-routes.js';
import { userSettingsRoutes } from '../api/user-settings-routes.js';
import { departmentProtocolsRoutes } from '../api/department-protocols-routes.js';
import { auditRoutes } from '../api/audit-routes.js';
import { dicomNodesRoutes } from '../api/dicom-nodes-routes.js';
import { jobsRoutes } from '../api/jobs-routes.js';
import { hl7MessagesRoutes, type Hl7MonitorDeps } from '../api/hl7-messages-routes.js';
import { ordersRoutes } from '../api/orders-routes.js';
import { exceptionsRoutes } from '../api/exceptions-routes.js';
import { proceduresRoutes } from '../api/procedures-routes.js';
import { stationsRoutes } from '../api/stations-routes.js';
import { orderEventsRoutes } from '../api/order-events-routes.js';
import type { Reconciliation } from '../ris/reconciliation.js';
import type { Ris } from '../ris/ris.js';
import type { ModalityStations } from '../ris/modality-stations.js';
import type { OrderChangeFeed } from '../ris/order-change-feed.js';
import { emergencyAccessRoutes } from '../api/emergency-access-routes.js';
import { LOGOUT_HINT_COOKIE, oidcRoutes } from '../api/oidc-routes.js';
import { usersRoutes } from '../api/users-routes.js';
import type { Tables } from '../db/tables.js';
import type { LocalAe } from '../dimse-scu/open-node-association.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { archiveForHead } from '../dicomweb/archive-for-head.js';
import { isClosableUnread } from './closable-unread.js';
import { allowCrossOrigin } from './cross-origin.js';
import { dicomwebRoutes } from '../dicomweb/dicomweb-routes.js';
import { handleWadoUri } from '../dicomweb/wado-uri.js';
import { webAppRoutes } from '../web-app/web-app-routes.js';
import type { Actor } from '../security/actor.js';
import { AuditEventId, AuditEventType } from '../security/audit/audit-sink.js';
import type { AuditTrail } from '../security/audit/audit-trail.js';
import { actorMay, Permission, type PermissionValue } from '../security/permissions.js';
import type { Session } from '../security/session-store.js';
import type { Notifications } from '../security/notifications.js';
import type { OidcSignIn } from '../security/oidc-sign-in.js';
import type { UserAdministration } from '../security/user-administration.js';
import type { ChainKey, Services } from '../services.js';
import { AppError, ErrorCode, isAppError } from '../shared/app-error.js';
import { fhirRoutes } from '../fhir/fhir-routes.js';
import { problem, problemOf, sendProblem } from './problem-details.js';
import {
  authenticateRequest,
  SESSION_COOKIE,
  type RequestAuthenticationDeps,
} from './request-authentication.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs (DESIGN §2); routes without one are refused at registration. */
    permission?: PermissionValue;
    /** A change of Lightbox's configuration (nodes, stations, the catalog): audited once it succeeded. */
    configurationChange?: true;
    /**
     * Asked by the web app on its own (polling), not by the user: it does not keep a browser session
     * from timing out when idle (HIPAA §164.312(a)(2)(iii), automatic logoff).
     */
    background?: true;
  }
  interface FastifyInstance {
    /** Every route with the permission it declares (the route × role matrix test walks it). */
    routeTable: RouteEntry[];
  }
  interface FastifyRequest {
    /** The authenticated caller, set before any handler runs. */
    actor?: Actor;
    /** The browser session, when the caller came with the session cookie. */
    session?: Session;
  }
}

/** Where the OpenAPI document of the JSON API is served (runtime contract). */
const API_DOCS = '/api/docs';

/** One registered route. */
export interface RouteEntry {
  method: string;
  url: string;
  permission: PermissionValue;
}

/** What authentication, accounts, user administration and the audit routes need. */
export interface HttpSecurityDeps extends RequestAuthenticationDeps {
  audit: AuditTrail;
  userAdministration: UserAdministration;
  notifications: Notifications;
  oidc?: OidcSignIn;
  auditChainKey: ChainKey;
  db: Kysely<Tables>;
  /** True when the server speaks HTTPS: cookies get the Secure attribute. */
  secureCookies: boolean;
}

/** The security dependencies out of the composition root. */
export function httpSecurityOf(services: Services, secureCookies: boolean): HttpSecurityDeps {
  return {
    passwords: services.passwords,
    tokens: services.tokens,
    sessions: services.sessions,
    users: services.users,
    audit: services.audit,
    userAdministration: services.userAdministration,
    emergencyAccess: services.emergencyAccess,
    notifications: services.notifications,
    ...(services.oidc !== undefined ? { oidc: services.oidc } : {}),
    auditChainKey: services.auditChainKey,
    db: services.database.db,
    secureCookies,
  };
}

/** What the HTTP server needs. */
export interface HttpDeps {
  dicomNodes: DicomNodeRegistry;
  /** Our AE title, for associations opened on behalf of API calls. */
  local: LocalAe;
  jobs: JobQueue;
  /** Orders, scheduling and exam status (issue #6). */
  ris: Ris;
  /** The department's modality stations. */
  stations: ModalityStations;
  /** Orders that changed, for the screens' event streams. */
  orderChanges: OrderChangeFeed;
  /** The HL7 interface monitor. */
  hl7Monitor: Hl7MonitorDeps;
  /** The reconciliation queue. */
  reconciliation: Reconciliation;
  /** Wakes the job runner after a job is queued. */
  jobQueued: () => void;
  /** Tells this node's job runner that a job was cancelled. */
  jobCancelled?: (id: string) => void;
  archive: Archive;
  security: HttpSecurityDeps;
  logger: Logger;
  maxStowBytes: number;
  maxQueryResults: number;
  publicUrl?: string;
  /** The health report; `ready` false answers 503. */
  health: () => { ready: boolean; [key: string]: unknown };
  /** The public base URL the OpenID Connect redirect URI is built on (LIGHTBOX_PUBLIC_URL or oidc.redirectUri). */
  oidcPublicUrl?: string;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated). */
  trustProxy?: string;
  /** Origins of web apps on other hosts that may read the answers (CORS, see cross-origin.ts). */
  allowedOrigins?: readonly string[];
  /** TLS material: the port then serves HTTPS (runtime contract LIGHTBOX_TLS_*). */
  https?: { cert: Buffer; key: Buffer; ca?: Buffer };
  /** The built web app served at `/` (default: packages/web/dist). */
  webAppDir?: string;
}

// The web app's policy: its own scripts (and WebAssembly codecs), workers from blobs, images from
// data/blob URLs, videos from blob URLs (a video object is retrieved, then played from memory); nothing
// may frame it.
const CONTENT_SECURITY_POLICY: { directives: Record<string, string[]> } = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
    workerSrc: ["'self'", 'blob:'],
    imgSrc: ["'self'", 'data:', 'blob:'],
    mediaSrc: ["'self'", 'blob:'],
    styleSrc: ["'self'", "'unsafe-inline'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
};

/**
 * Builds the HTTP application on one port (DESIGN §1): `/api/health` (public), `/dicomweb` and `/wado`.
 * Every route declares a permission; every request but the public ones authenticates (HTTP Basic for
 * now); every error leaves as problem+json without internals.
 */
/** Signing out at the provider too, for a browser that signed in through it (it holds the hint cookie). */
function endSessionUrlOf(oidc: OidcSignIn, publicUrl: string) {
  return (cookies: Record<string, string | undefined>) => {
    const hint = cookies[LOGOUT_HINT_COOKIE];
    return hint === undefined ? Promise.resolve(undefined) : oidc.endSessionUrl(hint, publicUrl);
  };
}

/** The Study Instance UID a DICOMweb or WADO-URI request names, when it names a well-formed one. */
function studyAskedFor(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, unknown> | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  const uid = request.url.startsWith('/wado?') ? query?.studyUID : params?.study;
  return typeof uid === 'string' && /^[0-9.]{1,64}$/.test(uid) ? uid : undefined;
}

export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  // The public URL's origin is Lightbox's own for the cross-site check of browser credentials.
  const authentication =
    deps.publicUrl === undefined ? deps.security : { ...deps.security, publicUrl: deps.publicUrl };
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // A STOW body may stream for as long as it keeps moving; a socket idle for five minutes is closed
    // (and its partial object discarded) instead of holding a file and a pending write forever.
    requestTimeout: 0,
    connectionTimeout: 300_000,
    bodyLimit: 1024 * 1024,
    exposeHeadRoutes: true,
    // request.ip is the client's address only through proxies named here: rate limits and the audit
    // trail depend on it, so a forged X-Forwarded-For from anyone else is ignored.
    ...(deps.trustProxy !== undefined ? { trustProxy: deps.trustProxy } : {}),
    // With a CA, client certificates are asked for and checked below; browsers without one still connect.
    ...(deps.https !== undefined
      ? {
          https: {
            ...deps.https,
            ...(deps.https.ca !== undefined ? { requestCert: true, rejectUnauthorized: false } : {}),
          },
        }
      : {}),
    // Fastify types an HTTPS instance apart; every route here is the same on both.
  }) as unknown as FastifyInstance;

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        ...CONTENT_SECURITY_POLICY.directives,
        // Over plain HTTP the browser would "upgrade" the app's own scripts to an https:// nobody serves.
        upgradeInsecureRequests: deps.https !== undefined ? [] : null,
      },
    },
    // HSTS only where the port speaks HTTPS: on plain HTTP it would be ignored, or lock a host out.
    hsts: deps.https !== undefined ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Lightbox API',
        version: '1',
        description:
          "Lightbox's own JSON API. DICOMweb (PS3.18) lives under /dicomweb and is documented in the DICOMweb conformance document.",
      },
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          bearer: { type: 'http', scheme: 'bearer', description: 'an API token from POST /api/me/tokens' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'with X-CSRF-Token on unsafe requests',
          },
        },
      },
      security: [{ basic: [] }, { bearer: [] }, { session: [] }],
    },
    // Only the JSON API: DICOMweb has its own conformance document.
    transform: ({ schema, url }) => ({
      schema: { ...schema, hide: !url.startsWith('/api/') || url.startsWith(API_DOCS) },
      url,
    }),
  });
  // Before authentication: a browser sends a preflight without credentials.
  allowCrossOrigin(app, deps.allowedOrigins ?? []);
  if (deps.https?.ca !== undefined) {
    app.addHook('onRequest', async (request) => {
      const socket = request.raw.socket as TLSSocket;
      const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
      if (presented && !socket.authorized) {
        throw new AppError(ErrorCode.Unauthenticated, 'the client certificate is not issued by a trusted CA');
      }
    });
  }

  // Fastify answers HEAD with the GET handler and then reads a streamed body to its end: for a study
  // that is the whole study read from storage for nothing. A body marked closable unread (closable-unread.ts)
  // is closed instead, and an empty one keeps Fastify from sending a Content-Length of 0. Any other
  // stream is read to its end as before, which closes what it holds.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.method !== 'HEAD' || !(payload instanceof Readable) || !isClosableUnread(payload))
      return payload;
    payload.destroy();
    return Readable.from([]);
  });

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (permission === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no permission`);
    }
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, permission });
  });

  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config?.permission;
    if (permission === Permission.Public) return;
    // Only the not-found handler has no declared permission; anything else without one fails closed.
    if (permission === undefined) {
      if (request.is404) return;
      throw new AppError(ErrorCode.Forbidden, 'this resource declares no permission');
    }
    const protocol =
      request.url.startsWith('/dicomweb') || request.url.startsWith('/wado') ? 'dicomweb' : 'api';
    const { actor, session } = await authenticateRequest(authentication, request, protocol);
    if (!actorMay(actor, permission)) {
      deps.security.audit.record({
        event: AuditEventId.SecurityAlert,
        eventType: AuditEventType.AuthorizationDecision,
        action: 'E',
        outcome: 'failure',
        actor,
        detail: `${request.method} ${request.url.split('?')[0]} refused: needs the ${permission} permission`,
      });
      throw new AppError(ErrorCode.Forbidden, `this needs the ${permission} permission`);
    }
    request.actor = actor;
    request.session = session;
  });

  // What a signed-in user was answered (patient data, above all) stays out of browser and proxy caches
  // on disk: a route that allows caching says so itself.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.config?.permission !== Permission.Public && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    return payload;
  });

  // A request for a named study answered 404 is recorded as a failed access naming that study: studies
  // outside a user's access scope are answered as if they did not exist, and the security officer must
  // still see the attempts (PS3.15 A.5.3.2, outcome minor failure).
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 404 || request.actor === undefined || request.method === 'HEAD') return;
    const study = studyAskedFor(request);
    // A study the user may see answered 404 for a part of it (a frame past the last, a series with
    // nothing to render as a thumbnail) is no attempt outside the user's access.
    if (study === undefined || (await deps.archive.studyInScope(study, request.actor))) return;
    deps.security.audit.record({
      event: AuditEventId.InstancesAccessed,
      action: 'R',
      outcome: 'failure',
      actor: request.actor,
      studyUids: [study],
      detail: `${request.method} ${request.url.split('?')[0]} answered 404: not found within the user's access`,
    });
  });

  // PS3.15 A.5.3.11: a change of the system's configuration is a Security Alert (Software Configuration).
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config?.configurationChange !== true || reply.statusCode >= 400) return;
    if (request.actor === undefined) return;
    deps.security.audit.record({
      event: AuditEventId.SecurityAlert,
      eventType: AuditEventType.SoftwareConfiguration,
      action: 'E',
      outcome: 'success',
      actor: request.actor,
      detail: `${request.method} ${request.url.split('?')[0]}`,
    });
  });

  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (isAppError(error)) {
      // The browser app handles 401 itself: a Basic challenge would open the browser's own dialog (and
      // block the app's request behind it), so a browser's subresource requests (Sec-Fetch-Dest other
      // than document: scripts' fetches, images) and requests with a session cookie get none; API
      // clients (which send no Sec-Fetch-Dest) and address-bar navigation do.
      const destination = request.headers['sec-fetch-dest'];
      const fromScript = destination !== undefined && destination !== 'document';
      if (
        error.code === ErrorCode.Unauthenticated &&
        request.cookies[SESSION_COOKIE] === undefined &&
        !fromScript
      )
        reply.header('www-authenticate', [
          'Basic realm="Lightbox", charset="UTF-8"',
          'Bearer realm="Lightbox"',
        ]);
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      if (error.code.http >= 500) request.log.error({ err: error.cause ?? error }, error.detail);
      return sendProblem(reply, problemOf(error));
    }
    const fastifyError = error as FastifyError;
    if (
      fastifyError.validation !== undefined ||
      (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500)
    ) {
      const status = fastifyError.statusCode ?? 400;
      return sendProblem(reply, problem(status, fastifyError.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem(500, 'an unexpected error occurred; see the server log'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no resource at ${request.method} ${request.url.split('?')[0]}`)),
  );

  // The OpenAPI document of the JSON API, generated from the routes' schemas; for any signed-in user.
  app.get(API_DOCS, { config: { permission: Permission.Self }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  app.get('/api/health', { config: { permission: Permission.Public } }, async (_request, reply) => {
    const health = deps.health();
    return reply.code(health.ready ? 200 : 503).send(health);
  });
  // What the sign-in page offers: passwords always, the organisation's identity provider when configured.
  app.get('/api/sign-in-methods', { config: { permission: Permission.Public } }, async () => ({
    password: true,
    oidc: deps.security.oidc !== undefined,
  }));
  webAppRoutes(app, deps.webAppDir);

  await app.register(
    async (scope) =>
      dicomwebRoutes(scope, {
        archive: deps.archive,
        maxStowBytes: deps.maxStowBytes,
        maxQueryResults: deps.maxQueryResults,
        publicUrl: deps.publicUrl,
      }),
    { prefix: '/dicomweb' },
  );
  await app.register(
    async (scope) =>
      dicomNodesRoutes(scope, {
        registry: deps.dicomNodes,
        local: deps.local,
        logger: deps.logger,
        jobs: deps.jobs,
        jobQueued: deps.jobQueued,
        maxQueryResults: deps.maxQueryResults,
      }),
    { prefix: '/api' },
  );
  await app.register(async (scope) => jobsRoutes(scope, deps.jobs, deps.jobCancelled), {
    prefix: '/api',
  });
  await app.register(async (scope) => ordersRoutes(scope, deps.ris), { prefix: '/api' });
  await app.register(async (scope) => exceptionsRoutes(scope, deps.reconciliation), { prefix: '/api' });
  await app.register(async (scope) => proceduresRoutes(scope, deps.security.db), { prefix: '/api' });
  await app.register(async (scope) => stationsRoutes(scope, deps.stations), { prefix: '/api' });
  await app.register(async (scope) => orderEventsRoutes(scope, deps.orderChanges, deps.security.sessions), {
    prefix: '/api',
  });
  await app.register(async (scope) => hl7MessagesRoutes(scope, deps.hl7Monitor, deps.security.audit), {
    prefix: '/api',
  });
  await app.register(
    async (scope) => usersRoutes(scope, deps.security.userAdministration, deps.security.emergencyAccess),
    {
      prefix: '/api',
    },
  );
  await app.register(
    async (scope) =>
      emergencyAccessRoutes(scope, {
        emergencyAccess: deps.security.emergencyAccess,
        notifications: deps.security.notifications,
        users: deps.security.users,
      }),
    { prefix: '/api' },
  );
  await app.register(
    async (scope) =>
      accountRoutes(scope, {
        passwords: deps.security.passwords,
        sessions: deps.security.sessions,
        users: deps.security.userAdministration,
        audit: deps.security.audit,
        secureCookies: deps.security.secureCookies,
        ...(deps.publicUrl !== undefined ? { publicUrl: deps.publicUrl } : {}),
        ...(deps.security.oidc !== undefined && deps.oidcPublicUrl !== undefined
          ? { endSessionUrl: endSessionUrlOf(deps.security.oidc, deps.oidcPublicUrl) }
          : {}),
      }),
    { prefix: '/api' },
  );
  await app.register(async (scope) => userSettingsRoutes(scope, deps.security.db), { prefix: '/api' });
  await app.register(async (scope) => departmentProtocolsRoutes(scope, deps.security.db), {
    prefix: '/api',
  });
  const oidc = deps.security.oidc;
  if (oidc !== undefined) {
    await app.register(
      async (scope) =>
        oidcRoutes(scope, {
          oidc,
          users: deps.security.userAdministration,
          sessions: deps.security.sessions,
          audit: deps.security.audit,
          secureCookies: deps.security.secureCookies,
          publicUrl: deps.oidcPublicUrl ?? '',
        }),
      { prefix: '/api' },
    );
  }
  await app.register(
    async (scope) =>
      auditRoutes(scope, {
        db: deps.security.db,
        trail: deps.security.audit,
        audit: deps.security.audit,
        chainKey: deps.security.auditChainKey.key,
        chainKeyId: deps.security.auditChainKey.id,
      }),
    { prefix: '/api' },
  );
  await app.register(
    async (scope) =>
      fhirRoutes(scope, {
        db: deps.security.db,
        trail: deps.security.audit,
        audit: deps.security.audit,
        aeTitle: deps.local.aeTitle,
        publicUrl: deps.publicUrl,
      }),
    { prefix: '/fhir' },
  );
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
    '/wado',
    { config: { permission: Permission.StudyRead } },
    async (request, reply) => {
      await handleWadoUri(
        {
          archive: request.method === 'HEAD' ? archiveForHead(deps.archive) : deps.archive,
          publicUrl: deps.publicUrl,
        },
        request,
        reply,
        request.actor!,
      );
      return reply;
    },
  );
  return app;
}

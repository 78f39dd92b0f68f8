import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Archive } from '../archive/archive.js';
import { dicomNodesRoutes } from '../api/dicom-nodes-routes.js';
import { jobsRoutes } from '../api/jobs-routes.js';
import type { LocalAe } from '../dimse-scu/open-node-association.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { dicomwebRoutes } from '../dicomweb/dicomweb-routes.js';
import { handleWadoUri } from '../dicomweb/wado-uri.js';
import type { Actor } from '../security/actor.js';
import type { BasicAuthenticator } from '../security/basic-authenticator.js';
import { Permission, rolesGrant, type PermissionValue } from '../security/permissions.js';
import { AppError, ErrorCode, isAppError } from '../shared/app-error.js';
import { problem, problemOf, sendProblem } from './problem-details.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs (DESIGN §2); routes without one are refused at registration. */
    permission?: PermissionValue;
  }
  interface FastifyRequest {
    /** The authenticated caller, set before any handler runs. */
    actor?: Actor;
  }
}

/** What the HTTP server needs. */
export interface HttpDeps {
  dicomNodes: DicomNodeRegistry;
  /** Our AE title, for associations opened on behalf of API calls. */
  local: LocalAe;
  jobs: JobQueue;
  /** Wakes the job runner after a job is queued. */
  jobQueued: () => void;
  archive: Archive;
  authenticator: BasicAuthenticator;
  logger: Logger;
  maxStowBytes: number;
  maxQueryResults: number;
  publicUrl?: string;
  /** The health report; `ready` false answers 503. */
  health: () => { ready: boolean; [key: string]: unknown };
}

/**
 * Builds the HTTP application on one port (DESIGN §1): `/api/health` (public), `/dicomweb` and `/wado`.
 * Every route declares a permission; every request but the public ones authenticates (HTTP Basic for
 * now); every error leaves as problem+json without internals.
 */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // A STOW body may stream for as long as it keeps moving; a socket idle for five minutes is closed
    // (and its partial object discarded) instead of holding a file and a pending write forever.
    requestTimeout: 0,
    connectionTimeout: 300_000,
    bodyLimit: 1024 * 1024,
    exposeHeadRoutes: true,
  });

  app.addHook('onRoute', (route) => {
    if (route.config?.permission === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no permission`);
    }
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
    const actor = await deps.authenticator.authenticate(request.headers.authorization, protocol, request.ip);
    if (actor === undefined)
      throw new AppError(ErrorCode.Unauthenticated, 'valid credentials are required (HTTP Basic)');
    if (!rolesGrant(actor.roles, permission)) {
      throw new AppError(ErrorCode.Forbidden, `this needs the ${permission} permission`);
    }
    request.actor = actor;
  });

  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (isAppError(error)) {
      if (error.code === ErrorCode.Unauthenticated)
        reply.header('www-authenticate', 'Basic realm="Lightbox", charset="UTF-8"');
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

  app.get('/api/health', { config: { permission: Permission.Public } }, async (_request, reply) => {
    const health = deps.health();
    return reply.code(health.ready ? 200 : 503).send(health);
  });

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
      }),
    { prefix: '/api' },
  );
  await app.register(async (scope) => jobsRoutes(scope, deps.jobs), { prefix: '/api' });
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
    '/wado',
    { config: { permission: Permission.StudyRead } },
    async (request, reply) => {
      await handleWadoUri(
        { archive: deps.archive, publicUrl: deps.publicUrl },
        request,
        reply,
        request.actor!,
      );
      return reply;
    },
  );
  return app;
}

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import type { Archive } from '../archive/archive.js';
import type { QueryLevel } from '../archive/query/archive-query.js';
import type { Actor } from '../security/actor.js';
import { archiveForHead } from './archive-for-head.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { handleBulkDataResource } from './bulkdata-resources.js';
import { capabilityRoutes, type ResourceMethod, type Transaction } from './capabilities.js';
import { acceptOf } from './data-set-negotiation.js';
import { handleQido } from './qido.js';
import type { QueryParameters } from './qido-request.js';
import { handleRendered, handleThumbnail } from './rendered.js';
import { asksForBulkData } from './retrieve-negotiation.js';
import { handleStow } from './stow.js';
import {
  handleBulkData,
  handleFrames,
  handleMetadata,
  handleRetrieveInstances,
  type WadoParams,
} from './wado-rs.js';

/** What the DICOMweb routes need. */
export interface DicomwebDeps {
  archive: Archive;
  maxStowBytes: number;
  maxQueryResults: number;
  publicUrl?: string;
}

function actorOf(request: FastifyRequest): Actor {
  if (request.actor === undefined) throw new AppError(ErrorCode.Unauthenticated, 'authentication required');
  return request.actor;
}

type Handler<P extends RouteGenericInterface> = (
  request: FastifyRequest<P>,
  reply: FastifyReply,
  actor: Actor,
) => Promise<unknown>;

/** Registers PS3.18 DICOMweb (STOW-RS, QIDO-RS, WADO-RS) under the plugin's prefix (`/dicomweb`). */
export async function dicomwebRoutes(app: FastifyInstance, deps: DicomwebDeps): Promise<void> {
  // STOW bodies are streamed by the handler; Fastify must not read them.
  app.addContentTypeParser('multipart/related', (_request, payload, done) => done(null, payload));
  // Any other type reaches the handler too, which refuses it naming what STOW-RS takes (PS3.18 §10.5.1.2)
  // instead of Fastify's bare 415; the only other POSTs here take no body.
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // The `accept` query parameter takes the Accept header's place on every resource (PS3.18 §8.3.3.1),
  // so each handler negotiates from the header alone.
  app.addHook('preHandler', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (query?.accept === undefined) return;
    const accept = acceptOf(query.accept, request.headers.accept);
    if (accept !== undefined) request.headers.accept = accept;
  });

  const read = { config: { permission: Permission.StudyRead } };
  const write = { config: { permission: Permission.StudyWrite } };
  // Handlers send the reply themselves (often a stream) and the route returns it, as Fastify asks of
  // async handlers that call reply.send.
  // Routes are registered untyped and each handler states its params/querystring: Fastify's generic
  // reply typing cannot follow a generic helper.
  // Every resource and method, for the capabilities description and the 405s of other methods.
  const resources: ResourceMethod[] = [];
  const get = <P extends RouteGenericInterface>(
    url: string,
    transaction: Transaction,
    handler: Handler<P>,
  ) => {
    resources.push({ url, method: 'GET', transaction });
    app.get(url, read, async (request, reply) => {
      await handler(request as FastifyRequest<P>, reply, actorOf(request));
      return reply;
    });
  };

  const stow: Handler<{ Params: { study?: string } }> = (request, reply, actor) =>
    handleStow(
      { archive: deps.archive, maxStowBytes: deps.maxStowBytes, publicUrl: deps.publicUrl },
      request,
      reply,
      actor,
    );
  for (const url of ['/studies', '/studies/:study']) {
    resources.push({ url, method: 'POST', transaction: 'Store' });
    app.post<{ Params: { study?: string } }>(url, write, async (request, reply) => {
      await stow(request, reply, actorOf(request));
      return reply;
    });
  }

  type QidoRequest = { Params: { study?: string; series?: string }; Querystring: QueryParameters };
  const qido =
    (level: QueryLevel): Handler<QidoRequest> =>
    (request, reply, actor) =>
      handleQido(
        { archive: deps.archive, maxResults: deps.maxQueryResults, publicUrl: deps.publicUrl },
        level,
        request,
        reply,
        actor,
      );
  get<QidoRequest>('/studies', 'Search', qido('study'));
  get<QidoRequest>('/series', 'Search', qido('series'));
  get<QidoRequest>('/instances', 'Search', qido('instance'));
  get<QidoRequest>('/studies/:study/series', 'Search', qido('series'));
  get<QidoRequest>('/studies/:study/instances', 'Search', qido('instance'));
  get<QidoRequest>('/studies/:study/series/:series/instances', 'Search', qido('instance'));

  // A HEAD (Fastify answers it with the GET handler) gets the same answer but sends and records nothing.
  const wadoForGet = { archive: deps.archive, publicUrl: deps.publicUrl };
  const wado = (request: FastifyRequest) =>
    request.method === 'HEAD' ? { ...wadoForGet, archive: archiveForHead(deps.archive) } : wadoForGet;
  type W = { Params: WadoParams; Querystring: Record<string, string | string[] | undefined> };
  const bulkData: Handler<W> = (request, reply, actor) =>
    handleBulkDataResource(wado(request), request, reply, actor);
  // PS3.18 Table 10.4.4-1, note: octet-stream asked of a study, series or instance means its bulk data.
  const retrieve: Handler<W> = (request, reply, actor) =>
    asksForBulkData(request.headers.accept, request.params.instance !== undefined)
      ? bulkData(request, reply, actor)
      : handleRetrieveInstances(wado(request), request, reply, actor);
  const metadata: Handler<W> = (request, reply, actor) =>
    handleMetadata(wado(request), request, reply, actor);
  const rendered: Handler<W> = (request, reply, actor) =>
    handleRendered(wado(request), request, reply, actor);
  const thumbnail: Handler<W> = (request, reply, actor) =>
    handleThumbnail(wado(request), request, reply, actor);
  const study = '/studies/:study';
  const series = `${study}/series/:series`;
  const instance = `${series}/instances/:instance`;
  for (const base of [study, series, instance]) {
    get<W>(base, base === instance ? 'RetrieveInstance' : 'Retrieve', retrieve);
    get<W>(`${base}/metadata`, 'RetrieveMetadata', metadata);
    get<W>(`${base}/bulkdata`, 'RetrieveBulkdata', bulkData);
    get<W>(`${base}/rendered`, 'RetrieveRendered', rendered);
    get<W>(`${base}/thumbnail`, 'RetrieveThumbnail', thumbnail);
  }
  get<W>(`${instance}/frames/:frames`, 'RetrieveFrames', (request, reply, actor) =>
    handleFrames(wado(request), request, reply, actor),
  );
  get<W>(`${instance}/frames/:frames/rendered`, 'RetrieveRendered', rendered);
  get<W>(`${instance}/frames/:frames/thumbnail`, 'RetrieveThumbnail', thumbnail);
  // `…/bulkdata/` with nothing after it is the Instance Bulkdata resource, as without the slash.
  get<W>(`${instance}/bulkdata/*`, 'RetrieveBulkdata', (request, reply, actor) =>
    (request.params['*'] ?? '') === ''
      ? bulkData(request, reply, actor)
      : handleBulkData(wado(request), request, reply, actor),
  );

  capabilityRoutes(app, resources, deps.publicUrl);
}

import type { FastifyInstance } from 'fastify';
import type { DicomNodeInput } from '../dicom-nodes/dicom-node.js';
import type { DimseLogger } from '@lightbox/dimse';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { echoNode } from '../dimse-scu/echo-node.js';
import type { LocalAe } from '../dimse-scu/open-node-association.js';
import { queryNode, type NodeQueryLevel } from '../dimse-scu/query-node.js';
import {
  TransferJobKind,
  type RetrieveJobParams,
  type SendJobParams,
  type TransferSelection,
} from '../dimse-scu/transfer-jobs.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

const nodeBody = {
  type: 'object',
  required: ['aet', 'host', 'port'],
  additionalProperties: false,
  properties: {
    aet: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    tls: { type: 'boolean' },
  },
} as const;

const selectionProperties = {
  studyUid: { type: 'string', pattern: '^[0-9.]{1,64}$' },
  seriesUid: { type: 'string', pattern: '^[0-9.]{1,64}$' },
  // A retrieve names them in one identifier value, which Explicit VR limits to 64 KiB (~1 000 UIDs).
  sopInstanceUids: {
    type: 'array',
    minItems: 1,
    maxItems: 1000,
    items: { type: 'string', pattern: '^[0-9.]{1,64}$' },
  },
} as const;

const selectionBody = {
  type: 'object',
  required: ['studyUid'],
  additionalProperties: false,
  properties: selectionProperties,
} as const;

const retrieveBody = {
  type: 'object',
  required: ['studyUid'],
  additionalProperties: false,
  properties: { ...selectionProperties, method: { type: 'string', enum: ['move', 'get'] } },
} as const;

const queryBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    level: { type: 'string', enum: ['STUDY', 'SERIES', 'IMAGE'] },
    keys: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** What the node routes need. */
export interface DicomNodesRouteDeps {
  registry: DicomNodeRegistry;
  jobs: JobQueue;
  /** Called after a job is queued, so that it starts at once. */
  jobQueued: () => void;
  /** Our AE title, the calling AE of associations we open. */
  local: LocalAe;
  logger: DimseLogger;
  /** Most matches a node query returns (the archive's QIDO limit). */
  maxQueryResults: number;
}

/**
 * Remote DICOM nodes (runtime contract): GET list, GET/PUT/DELETE one by name; and, as SCU, POST `/echo`
 * (C-ECHO), `/query` (C-FIND, answered at once), `/send` (C-STORE job) and `/retrieve` (C-MOVE to us or
 * C-GET job). Administrators only.
 */
export function dicomNodesRoutes(app: FastifyInstance, deps: DicomNodesRouteDeps): void {
  const { registry } = deps;
  const config = { permission: Permission.Administer };

  app.get('/dicom-nodes', { config }, async () => registry.list());

  app.get<{ Params: { name: string } }>('/dicom-nodes/:name', { config }, async (request) => {
    const node = await registry.get(request.params.name);
    if (node === undefined)
      throw new AppError(ErrorCode.NotFound, `no DICOM node named ${request.params.name}`);
    return node;
  });

  app.put<{ Params: { name: string }; Body: DicomNodeInput }>(
    '/dicom-nodes/:name',
    { config: { ...config, configurationChange: true }, schema: { body: nodeBody } },
    async (request, reply) => {
      const { node, created } = await registry.put(request.params.name, request.body);
      return reply.code(created ? 201 : 200).send(node);
    },
  );

  app.post<{ Params: { name: string } }>('/dicom-nodes/:name/echo', { config }, async (request) => {
    const node = await registry.get(request.params.name);
    if (node === undefined)
      throw new AppError(ErrorCode.NotFound, `no DICOM node named ${request.params.name}`);
    return echoNode(node, deps.local, deps.logger);
  });

  const nodeOf = async (name: string) => {
    const node = await registry.get(name);
    if (node === undefined) throw new AppError(ErrorCode.NotFound, `no DICOM node named ${name}`);
    return node;
  };

  app.post<{ Params: { name: string }; Body: { level?: NodeQueryLevel; keys?: Record<string, string> } }>(
    '/dicom-nodes/:name/query',
    { config, schema: { body: queryBody } },
    async (request, reply) => {
      const { matches, truncated } = await queryNode(
        await nodeOf(request.params.name),
        deps.local,
        request.body.level ?? 'STUDY',
        request.body.keys ?? {},
        deps.logger,
        deps.maxQueryResults,
      );
      // As QIDO does when it caps a result: the answer is complete up to the limit, and says it was cut.
      if (truncated) {
        reply.header(
          'warning',
          `299 lightbox "the node's matches were cut at ${deps.maxQueryResults}; narrow the query"`,
        );
      }
      return reply.send(matches);
    },
  );

  app.post<{ Params: { name: string }; Body: TransferSelection }>(
    '/dicom-nodes/:name/send',
    { config, schema: { body: selectionBody } },
    async (request, reply) => {
      const node = await nodeOf(request.params.name);
      const params: SendJobParams = { ...request.body, node: node.name };
      const job = await deps.jobs.enqueue(TransferJobKind.Send, params, request.actor!.username);
      deps.jobQueued();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send(job);
    },
  );

  app.post<{ Params: { name: string }; Body: TransferSelection & { method?: 'move' | 'get' } }>(
    '/dicom-nodes/:name/retrieve',
    { config, schema: { body: retrieveBody } },
    async (request, reply) => {
      const node = await nodeOf(request.params.name);
      const params: RetrieveJobParams = {
        ...request.body,
        method: request.body.method ?? 'move',
        node: node.name,
      };
      const job = await deps.jobs.enqueue(TransferJobKind.Retrieve, params, request.actor!.username);
      deps.jobQueued();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send(job);
    },
  );

  const change = { ...config, configurationChange: true } as const;
  app.delete<{ Params: { name: string } }>(
    '/dicom-nodes/:name',
    { config: change },
    async (request, reply) => {
      if (!(await registry.delete(request.params.name))) {
        throw new AppError(ErrorCode.NotFound, `no DICOM node named ${request.params.name}`);
      }
      return reply.code(204).send();
    },
  );
}

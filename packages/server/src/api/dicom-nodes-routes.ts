import type { FastifyInstance } from 'fastify';
import type { DicomNodeInput } from '../dicom-nodes/dicom-node.js';
import type { DimseLogger } from '@lightbox/dimse';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { echoNode } from '../dimse-scu/echo-node.js';
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

/** What the node routes need. */
export interface DicomNodesRouteDeps {
  registry: DicomNodeRegistry;
  /** Our AE title, the calling AE of associations we open. */
  aeTitle: string;
  logger: DimseLogger;
}

/**
 * Remote DICOM nodes (runtime contract): GET list, GET/PUT/DELETE one by name, and POST `/echo` to verify
 * one (C-ECHO). Administrators only.
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
    { config, schema: { body: nodeBody } },
    async (request, reply) => {
      const { node, created } = await registry.put(request.params.name, request.body);
      return reply.code(created ? 201 : 200).send(node);
    },
  );

  app.post<{ Params: { name: string } }>('/dicom-nodes/:name/echo', { config }, async (request) => {
    const node = await registry.get(request.params.name);
    if (node === undefined)
      throw new AppError(ErrorCode.NotFound, `no DICOM node named ${request.params.name}`);
    return echoNode(node, deps.aeTitle, deps.logger);
  });

  app.delete<{ Params: { name: string } }>('/dicom-nodes/:name', { config }, async (request, reply) => {
    if (!(await registry.delete(request.params.name))) {
      throw new AppError(ErrorCode.NotFound, `no DICOM node named ${request.params.name}`);
    }
    return reply.code(204).send();
  });
}

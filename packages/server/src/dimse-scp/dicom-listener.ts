import net from 'node:net';
import tls from 'node:tls';
import { Association, CommandField, type IncomingMessage } from '@lightbox/dimse';
import type { Logger } from 'pino';
import type { Archive } from '../archive/archive.js';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { decideAssociation, type AssociationPolicy } from './association-policy.js';
import { dimseActor } from './dimse-actor.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { handleEcho } from './echo-handler.js';
import { requestCancel } from './cancellation.js';
import { handleFind } from './find-handler.js';
import { handleGet, handleMove } from './retrieve-handler.js';
import { ServiceSopClass } from './sop-classes.js';
import { handleStorageCommitment } from './storage-commitment-handler.js';
import { handleStore } from './store-handler.js';

/** What the DIMSE listener needs. */
export interface DicomListenerDeps {
  archive: Archive;
  logger: Logger;
  policy: AssociationPolicy;
  nodes: DicomNodeRegistry;
  /** Most matches one C-FIND returns. */
  maxQueryResults: number;
}

/** A listening DIMSE endpoint. */
export interface DicomListener {
  port: number;
  /** Stops accepting, aborts open associations, and waits for them to end. */
  close(): Promise<void>;
}

type Handler = (request: DimseRequest, deps: DicomListenerDeps) => Promise<void>;

const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [CommandField.CEchoRq, handleEcho],
  [CommandField.CStoreRq, handleStore],
  [CommandField.CFindRq, (request, deps) => handleFind(request, deps.maxQueryResults, deps.policy.aeTitle)],
  [
    CommandField.CMoveRq,
    (request, deps) => handleMove(request, { aeTitle: deps.policy.aeTitle, nodes: deps.nodes }),
  ],
  [CommandField.CGetRq, (request) => handleGet(request)],
  [
    CommandField.NActionRq,
    (request, deps) =>
      request.message.context.abstractSyntax === ServiceSopClass.StorageCommitmentPushModel
        ? handleStorageCommitment(request, { aeTitle: deps.policy.aeTitle, nodes: deps.nodes })
        : unrecognized(request),
  ],
]);

async function dispatch(request: DimseRequest, deps: DicomListenerDeps): Promise<void> {
  const { command } = request.message;
  const handler = HANDLERS.get(command.commandField);
  if (handler !== undefined) {
    await handler(request, deps);
    return;
  }
  if (command.commandField === CommandField.CCancelRq) {
    requestCancel(request.association, command.messageIdBeingRespondedTo ?? -1);
    return;
  }
  await unrecognized(request);
}

/** PS3.7 C.5.20 "Unrecognized operation" on a context we accepted: answered with the response bit set. */
async function unrecognized(request: DimseRequest): Promise<void> {
  const { command } = request.message;
  await respond(request, { commandField: (command.commandField | 0x8000) & 0xffff, status: 0x0211 });
}

/** Opens the DIMSE listener (runtime contract: LIGHTBOX_DICOM_PORT, LIGHTBOX_AE_TITLE). */
export async function startDicomListener(
  deps: DicomListenerDeps,
  host: string,
  port: number,
  tlsOptions?: tls.TlsOptions,
): Promise<DicomListener> {
  const open = new Set<Association>();
  const serve = (socket: net.Socket) => {
    const address = socket.remoteAddress;
    const logger = deps.logger.child({ peer: `${address ?? '?'}:${socket.remotePort ?? '?'}` });
    const association = Association.accept(socket, {
      logger,
      decide: async (request) => {
        const registered = (await deps.nodes.findByAeTitle(request.callingAeTitle)).length > 0;
        const decision = decideAssociation(request, deps.policy, open.size, { registered });
        logger.info(
          { callingAe: request.callingAeTitle, calledAe: request.calledAeTitle, accepted: decision.accept },
          decision.accept ? 'association accepted' : 'association rejected',
        );
        return decision;
      },
      onMessage: (message: IncomingMessage, current: Association) =>
        dispatch(
          {
            association: current,
            message,
            actor: dimseActor(current.request?.callingAeTitle ?? '', address),
            archive: deps.archive,
            logger,
          },
          deps,
        ),
    });
    open.add(association);
    void association.whenClosed.then(() => {
      open.delete(association);
      if (association.endReason !== undefined)
        logger.info({ reason: association.endReason }, 'association ended');
    });
  };
  // DICOM TLS (PS3.15 B.12, BCP 195): TLS 1.2 or later; the handshake completes before the association.
  const server = tlsOptions
    ? tls.createServer({ minVersion: 'TLSv1.2', ...tlsOptions }, (socket) => serve(socket))
    : net.createServer({ noDelay: true }, serve);
  server.on('tlsClientError', (error: Error) =>
    deps.logger.info({ err: error }, 'DICOM TLS handshake failed'),
  );
  server.on('error', (error) => deps.logger.error({ err: error }, 'DICOM listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const association of open) association.abort();
      await Promise.all([...open].map((a) => a.whenClosed));
      await closed;
    },
  };
}

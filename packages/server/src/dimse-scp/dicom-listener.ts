import net from 'node:net';
import tls from 'node:tls';
import {
  Association,
  CommandField,
  RejectReason,
  RejectResult,
  Status,
  type AssociationDecision,
  type IncomingMessage,
} from '@lightbox/dimse';
import type { Logger } from 'pino';
import type { Archive } from '../archive/archive.js';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import type { LocalAe } from '../dimse-scu/open-node-association.js';
import type { Actor } from '../security/actor.js';
import type { EmergencyAccess } from '../security/emergency-access.js';
import { AuditEventId, AuditEventType, type AuditSink } from '../security/audit/audit-sink.js';
import { actorMay, Permission, type PermissionValue } from '../security/permissions.js';
import { decideAssociation, type AssociationPolicy } from './association-policy.js';
import { fromNodeHost } from './node-address.js';
import { dimseActor } from './dimse-actor.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { handleEcho } from './echo-handler.js';
import { requestCancel } from './cancellation.js';
import { handleFind } from './find-handler.js';
import { handleGet, handleMove } from './retrieve-handler.js';
import { misdirectedStatus, UNRECOGNIZED_OPERATION } from './service-operations.js';
import { ServiceSopClass } from './sop-classes.js';
import { handleStorageCommitment } from './storage-commitment-handler.js';
import { negotiateUserIdentity, type PasswordVerifier } from './user-identity.js';
import { handleStore } from './store-handler.js';
import { handleMpps, type PerformedStepsPort } from './mpps-handler.js';
import { handleWorklistFind, type WorklistSource } from './worklist-handler.js';

/** What the DIMSE listener needs. */
export interface DicomListenerDeps {
  archive: Archive;
  logger: Logger;
  policy: AssociationPolicy;
  nodes: DicomNodeRegistry;
  /** Our side of the associations the services open (C-MOVE destinations, commitment reports). */
  local: LocalAe;
  /** Checks the user name and passcode of user identity negotiation. */
  authenticator: PasswordVerifier;
  /** Emergency ("break-the-glass") access of the users who authenticate with user identity negotiation. */
  emergencyAccess: Pick<EmergencyAccess, 'attachTo'>;
  /** Most matches one C-FIND returns. */
  maxQueryResults: number;
  /** Where associations from unregistered nodes are reported (intrusion detection watches it). */
  audit: AuditSink;
  /** The modality worklist (RIS). */
  worklist: WorklistSource;
  /** Performed procedure steps (RIS). */
  performedSteps: PerformedStepsPort;
  /** The department's modality stations: they use the worklist and MPPS without being registered nodes. */
  stations: { isStation(aeTitle: string): Promise<boolean> };
}

/** An association from an unregistered AE is reported once per AE and address in this period. */
const UNKNOWN_NODE_REPORT_MS = 60 * 60_000;

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
  [
    CommandField.CFindRq,
    (request, deps) =>
      request.message.context.abstractSyntax === ServiceSopClass.ModalityWorklistFind
        ? handleWorklistFind(request, deps.worklist, deps.maxQueryResults)
        : handleFind(request, deps.maxQueryResults, deps.policy.aeTitle),
  ],
  [CommandField.CMoveRq, (request, deps) => handleMove(request, { local: deps.local, nodes: deps.nodes })],
  [CommandField.CGetRq, (request) => handleGet(request)],
  [
    CommandField.NActionRq,
    (request, deps) =>
      request.message.context.abstractSyntax === ServiceSopClass.StorageCommitmentPushModel
        ? handleStorageCommitment(request, { local: deps.local, nodes: deps.nodes })
        : unrecognized(request),
  ],
  [CommandField.NCreateRq, mppsOnly],
  [CommandField.NSetRq, mppsOnly],
]);

/** N-CREATE and N-SET are served for MPPS only. */
function mppsOnly(request: DimseRequest, deps: DicomListenerDeps): Promise<void> {
  return request.message.context.abstractSyntax === ServiceSopClass.ModalityPerformedProcedureStep
    ? handleMpps(request, deps.performedSteps)
    : unrecognized(request);
}

/** The permission each DIMSE service needs (DESIGN §2: every route and DIMSE service declares one). */
const PERMISSIONS: ReadonlyMap<number, PermissionValue> = new Map<number, PermissionValue>([
  [CommandField.CEchoRq, Permission.Public],
  [CommandField.CStoreRq, Permission.StudyWrite],
  [CommandField.CFindRq, Permission.StudyRead],
  [CommandField.CMoveRq, Permission.StudyRead],
  [CommandField.CGetRq, Permission.StudyRead],
  [CommandField.NActionRq, Permission.StudyRead],
  [CommandField.NCreateRq, Permission.ProcedureWrite],
  [CommandField.NSetRq, Permission.ProcedureWrite],
]);

/** The permission a request needs: by command, and for C-FIND by information model. */
function permissionOf(commandField: number, abstractSyntax: string): PermissionValue | undefined {
  if (commandField === CommandField.CFindRq && abstractSyntax === ServiceSopClass.ModalityWorklistFind) {
    return Permission.WorklistRead;
  }
  return PERMISSIONS.get(commandField);
}

async function dispatch(request: DimseRequest, deps: DicomListenerDeps): Promise<void> {
  const { command } = request.message;
  // A request on a context negotiated for another service, or naming another SOP class, is answered
  // for what it is (0211, 0122) before a service sees it: C-ECHO on a storage context is no verification.
  const misdirected = misdirectedStatus(
    command,
    request.message.context.abstractSyntax,
    deps.policy.privateStorageSopClasses,
  );
  if (misdirected !== undefined) {
    await respond(request, {
      commandField: (command.commandField | 0x8000) & 0xffff,
      ...(command.affectedSopInstanceUid !== undefined
        ? { affectedSopInstanceUid: command.affectedSopInstanceUid }
        : {}),
      ...misdirected,
    });
    return;
  }
  const handler = HANDLERS.get(command.commandField);
  const permission = permissionOf(command.commandField, request.message.context.abstractSyntax);
  if (handler !== undefined && permission !== undefined && !actorMay(request.actor, permission)) {
    // PS3.7 C.5.24 "Not authorized".
    await respond(request, {
      commandField: (command.commandField | 0x8000) & 0xffff,
      status: Status.NotAuthorized,
      errorComment: `user ${request.actor.username} lacks the ${permission} permission`,
    });
    return;
  }
  if (handler !== undefined) {
    try {
      // A user who broke the glass in the browser sees as much from a workstation while it is in force,
      // checked at each request so that ending it reaches associations already open.
      await deps.emergencyAccess.attachTo(request.actor);
      await handler(request, deps);
    } catch (error) {
      // Every request gets a response (PS3.7 §9.1): an unexpected failure is "Processing failure".
      request.logger.error({ err: error, command: command.commandField }, 'DIMSE request failed');
      if (!request.association.isOpen) return;
      await respond(request, {
        commandField: (command.commandField | 0x8000) & 0xffff,
        status: Status.ProcessingFailure,
        errorComment: 'the request could not be processed; see the server log',
      }).catch(() => undefined);
    }
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
  await respond(request, {
    commandField: (command.commandField | 0x8000) & 0xffff,
    status: UNRECOGNIZED_OPERATION,
  });
}

/** Opens the DIMSE listener (runtime contract: LIGHTBOX_DICOM_PORT, LIGHTBOX_AE_TITLE). */
export async function startDicomListener(
  deps: DicomListenerDeps,
  host: string,
  port: number,
  tlsOptions?: tls.TlsOptions,
): Promise<DicomListener> {
  const open = new Set<Association>();
  // Only accepted associations count against the limit: idle sockets that never associate must not
  // lock out real peers (each is dropped by the ARTIM timer; the server caps connections too).
  const established = new Set<Association>();
  const reportedNodes = new Map<string, number>();
  const reportUnknownNode = (aeTitle: string, address: string | undefined) => {
    const key = `${aeTitle}@${address ?? ''}`;
    const now = Date.now();
    if ((reportedNodes.get(key) ?? 0) > now - UNKNOWN_NODE_REPORT_MS) return;
    if (reportedNodes.size > 10_000) reportedNodes.clear();
    reportedNodes.set(key, now);
    deps.audit.record({
      event: AuditEventId.SecurityAlert,
      eventType: AuditEventType.NodeAuthentication,
      action: 'E',
      outcome: 'success',
      actor: dimseActor(aeTitle, address),
      detail: `association from the unregistered DICOM node ${aeTitle}`,
    });
  };
  const serve = (socket: net.Socket) => {
    const address = socket.remoteAddress;
    const logger = deps.logger.child({ peer: `${address ?? '?'}:${socket.remotePort ?? '?'}` });
    // Who acts on this association: the user of a verified identity, else the calling AE.
    let actor: Actor | undefined;
    // Storage SOP classes for which the requestor took the SCP role (C-GET may store only those back).
    let storageScpRoles: ReadonlySet<string> = new Set();
    const association = Association.accept(socket, {
      logger,
      decide: async (request) => {
        const identity = await negotiateUserIdentity(request.user.userIdentity, deps.authenticator, address);
        const nodes = await deps.nodes.findByAeTitle(request.callingAeTitle);
        const registered =
          nodes.length > 0 && (deps.policy.checkNodeAddress !== true || (await fromNodeHost(nodes, address)));
        const station = !registered && (await deps.stations.isStation(request.callingAeTitle));
        const decision: AssociationDecision =
          identity.kind === 'refused'
            ? { accept: false, reject: { result: RejectResult.Permanent, ...RejectReason.UserNoReason } }
            : decideAssociation(request, deps.policy, established.size + 1, {
                registered,
                station,
                identified: identity.kind === 'user',
              });
        if (decision.accept && identity.kind === 'user') {
          actor = { ...identity.actor, aeTitle: request.callingAeTitle };
          // PS3.7 D.3.3.7.2: for a user name and passcode the server response is empty.
          if (identity.positiveResponse) decision.answer.user.userIdentityResponse = new Uint8Array(0);
        }
        actor ??= dimseActor(request.callingAeTitle, address);
        if (decision.accept) {
          established.add(association);
          storageScpRoles = new Set(
            decision.answer.user.roles.filter((role) => role.scp).map((role) => role.sopClassUid),
          );
        }
        if (decision.accept && !registered && !station && identity.kind !== 'user')
          reportUnknownNode(request.callingAeTitle, address);
        logger.info(
          {
            callingAe: request.callingAeTitle,
            calledAe: request.calledAeTitle,
            user: identity.kind === 'user' ? identity.actor.username : undefined,
            accepted: decision.accept,
          },
          decision.accept ? 'association accepted' : 'association rejected',
        );
        return decision;
      },
      onMessage: (message: IncomingMessage, current: Association) =>
        dispatch(
          {
            association: current,
            message,
            actor: actor!, // set by `decide`, which runs before any message can arrive
            archive: deps.archive,
            logger,
            storageScpRoles,
          },
          deps,
        ),
    });
    open.add(association);
    void association.whenClosed.then(() => {
      open.delete(association);
      established.delete(association);
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
  server.maxConnections = deps.policy.maxAssociations * 4;
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

import type { DicomJson } from '@lightbox/dicom';
import { CommandField, Status, type Association, type OutgoingCommand } from '@lightbox/dimse';
import type { PendingInstances } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { openNodeAssociation, type LocalAe } from '../dimse-scu/open-node-association.js';
import { sendInstances, type SendOptions, type SubOperationCounts } from '../dimse-scu/send-instances.js';
import { storeParticipants } from '../security/audit/association-participants.js';
import { storageContexts } from '../dimse-scu/storage-contexts.js';
import type { TransferParticipants } from '../security/audit/audit-sink.js';
import { isAppError } from '../shared/app-error.js';
import { clearCancel, isCancelled } from './cancellation.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { encodeIdentifier, readIdentifier } from './identifier.js';
import { parseFindIdentifier, type InformationModel } from './find-identifier.js';
import { retrieveIdentifier } from './retrieve-identifier.js';
import { ServiceSopClass } from './sop-classes.js';

/** Most instances one C-MOVE or C-GET retrieves. */
const MAX_RETRIEVE_INSTANCES = 1_000_000;

/** What a retrieve handler needs beyond the request. */
export interface RetrieveDeps {
  local: LocalAe;
  nodes: DicomNodeRegistry;
}

const PATIENT_ROOT: ReadonlySet<string> = new Set([
  ServiceSopClass.PatientRootMove,
  ServiceSopClass.PatientRootGet,
]);

/** The instances a retrieve selected, read in the actor's access scope and not audited yet. */
interface Selection {
  instances: StoredInstance[];
  /** Audits the instances about to be sent as transferred (110104): one event per study. */
  recordTransfer(sent: readonly StoredInstance[], participants: TransferParticipants): void;
}

/** The instance-level matches of an identifier, by series. */
async function matchesBySeries(
  request: DimseRequest,
  identifier: DicomJson,
): Promise<Array<{ studyUid: string; seriesUid: string; sops: Set<string> }>> {
  const model: InformationModel = PATIENT_ROOT.has(request.message.context.abstractSyntax)
    ? 'patient-root'
    : 'study-root';
  const find = parseFindIdentifier(retrieveIdentifier(identifier, model), model, MAX_RETRIEVE_INSTANCES);
  const matches = await request.archive.query(
    { ...find.query, level: 'instance', includeFields: [0x0020000d, 0x0020000e, 0x00080018] },
    request.actor,
  );
  const bySeries = new Map<string, { studyUid: string; seriesUid: string; sops: Set<string> }>();
  for (const match of matches) {
    const studyUid = String(match['0020000D']?.Value?.[0] ?? '');
    const seriesUid = String(match['0020000E']?.Value?.[0] ?? '');
    const key = `${studyUid}/${seriesUid}`;
    const entry = bySeries.get(key) ?? { studyUid, seriesUid, sops: new Set<string>() };
    entry.sops.add(String(match['00080018']?.Value?.[0] ?? ''));
    bySeries.set(key, entry);
  }
  return [...bySeries.values()];
}

/**
 * The stored instances an identifier selects (PS3.4 C.4.2.2.1 hierarchical retrieve by unique keys).
 * Unaudited: an unknown destination, a sub-association that cannot be opened or a retrieve that stores
 * nothing sent nothing, so the transfer is recorded only once the first C-STORE goes out.
 */
async function selectInstances(request: DimseRequest, identifier: DicomJson): Promise<Selection> {
  const instances: StoredInstance[] = [];
  const recorders = new Map<string, PendingInstances['recordTransfer']>();
  for (const { studyUid, seriesUid, sops } of await matchesBySeries(request, identifier)) {
    const pending = await request.archive.prepareInstances({ studyUid, seriesUid }, request.actor);
    instances.push(...pending.instances.filter((i) => sops.has(i.sopInstanceUid)));
    // Any series' recorder names the study: one event per study, however many series went.
    if (!recorders.has(studyUid)) recorders.set(studyUid, pending.recordTransfer);
  }
  const recordTransfer = (sent: readonly StoredInstance[], participants: TransferParticipants) => {
    for (const [studyUid, record] of recorders)
      record(
        sent.filter((i) => i.studyUid === studyUid),
        participants,
      );
  };
  return { instances, recordTransfer };
}

type SendResult = SubOperationCounts & { cancelled: boolean };
/** Sends the selected instances over an association, reporting progress to the requestor. */
type SendTo = (
  association: Association,
  options: Pick<SendOptions, 'moveOriginator' | 'sopClasses'>,
) => Promise<SendResult>;
/** Sends the selected instances; undefined when it has answered the request itself. */
type Perform = (instances: StoredInstance[], send: SendTo) => Promise<SendResult | undefined>;

function countsCommand(counts: SubOperationCounts, withRemaining: boolean): Partial<OutgoingCommand> {
  return {
    ...(withRemaining ? { remainingSubOperations: counts.remaining } : {}),
    completedSubOperations: counts.completed,
    failedSubOperations: counts.failed,
    warningSubOperations: counts.warning,
  };
}

/** The final status of a retrieve (PS3.4 C.4.2.1.5, C.4.3.1.4). */
function finalStatus(counts: SubOperationCounts, cancelled: boolean): number {
  if (cancelled) return Status.Cancel;
  if (counts.failed === 0 && counts.warning === 0) return Status.Success;
  if (counts.completed === 0 && counts.warning === 0) return Status.OutOfResourcesSubOperations;
  return Status.SubOperationsWarning;
}

/** The instances an identifier selects, or undefined once the request is answered with why it cannot be. */
async function selectOrRefuse(
  request: DimseRequest,
  identifier: DicomJson,
  answer: (status: number, extra: Partial<OutgoingCommand>) => Promise<void>,
): Promise<Selection | undefined> {
  try {
    return await selectInstances(request, identifier);
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code.http === 404) return { instances: [], recordTransfer: () => {} };
    await answer(Status.IdentifierDoesNotMatchSopClass, { errorComment: error.detail });
    return undefined;
  }
}

/**
 * Answers a C-MOVE or C-GET: `start` checks what it can before the archive is read (a C-MOVE's
 * destination) and gives how to perform it, the instances are selected in the actor's access scope, then
 * the performer sends them; the transfer is audited as the first C-STORE sub-operation starts, for those
 * it sets out to send, naming the AEs at both ends of the association they go over.
 */
async function retrieve(
  request: DimseRequest,
  responseField: number,
  start: () => Promise<Perform | undefined>,
): Promise<void> {
  const messageId = request.message.command.messageId ?? 0;
  const answer = (status: number, extra: Partial<OutgoingCommand> = {}, identifier?: Uint8Array) =>
    respond(request, { commandField: responseField, status, ...extra }, identifier);
  const identifier = await readIdentifier(request);
  if (identifier === undefined) {
    await answer(Status.CannotUnderstand, { errorComment: 'the identifier is missing or cannot be parsed' });
    return;
  }
  try {
    // Before selecting: a request refused here has matched, and so recorded as a query, nothing.
    const perform = await start();
    if (perform === undefined) return; // already answered
    const selection = await selectOrRefuse(request, identifier, answer);
    if (selection === undefined) return;
    const { instances } = selection;
    const result = await perform(instances, (association, options) => {
      // The association the request came on is the one Lightbox accepted (C-GET stores back over it).
      const participants = storeParticipants(
        association,
        association === request.association ? 'acceptor' : 'requestor',
      );
      return sendInstances(request.archive, association, instances, {
        ...options,
        cancelled: () => isCancelled(request.association, messageId),
        onProgress: (counts) => answer(Status.Pending, countsCommand(counts, true)),
        onFirstStore: (planned) => selection.recordTransfer(planned, participants),
      });
    });
    if (result === undefined) return; // already answered
    const failedList =
      result.failedUids.length > 0
        ? encodeIdentifier(
            { '00080058': { vr: 'UI', Value: result.failedUids } },
            request.message.context.transferSyntax,
          )
        : undefined;
    await answer(finalStatus(result, result.cancelled), countsCommand(result, result.cancelled), failedList);
  } finally {
    clearCancel(request.association, messageId);
  }
}

/** Sends the selected instances to a move destination over a new association. */
async function moveTo(
  request: DimseRequest,
  deps: RetrieveDeps,
  node: DicomNode,
  instances: StoredInstance[],
  send: SendTo,
): Promise<SendResult | undefined> {
  if (instances.length === 0)
    return { remaining: 0, completed: 0, failed: 0, warning: 0, failedUids: [], cancelled: false };
  let association;
  try {
    association = await openNodeAssociation({
      node,
      local: deps.local,
      contexts: storageContexts(instances),
      logger: request.logger,
    });
  } catch (error) {
    await respond(request, {
      commandField: CommandField.CMoveRsp,
      status: Status.OutOfResourcesSubOperations,
      errorComment: `cannot open an association to ${node.aet}: ${error instanceof Error ? error.message : String(error)}`,
    });
    return undefined;
  }
  try {
    return await send(association, {
      moveOriginator: {
        aeTitle: request.actor.aeTitle ?? '',
        messageId: request.message.command.messageId ?? 0,
      },
    });
  } finally {
    await association.release().catch(() => association.abort());
  }
}

/**
 * C-MOVE SCP (PS3.4 C.4.2): the selected instances go to the registered node named by Move Destination,
 * over a new association, with a Pending response after each sub-operation. An unknown destination is
 * refused (A801, PS3.4 C.4.2.1.4.1) before the archive is queried: no sub-operation, nothing audited.
 */
export async function handleMove(request: DimseRequest, deps: RetrieveDeps): Promise<void> {
  const destination = request.message.command.moveDestination ?? '';
  await retrieve(request, CommandField.CMoveRsp, async () => {
    const [node] = await deps.nodes.findByAeTitle(destination);
    if (node === undefined) {
      await respond(request, {
        commandField: CommandField.CMoveRsp,
        status: Status.MoveDestinationUnknown,
        errorComment: `move destination ${destination} is not a registered node`,
      });
      return undefined;
    }
    return (instances, send) => moveTo(request, deps, node, instances, send);
  });
}

/**
 * C-GET SCP (PS3.4 C.4.3): the selected instances go back over the requesting association, on the storage
 * contexts it negotiated with the SCP role for itself.
 */
export async function handleGet(request: DimseRequest): Promise<void> {
  await retrieve(
    request,
    CommandField.CGetRsp,
    async () => (_instances, send) => send(request.association, { sopClasses: request.storageScpRoles }),
  );
}

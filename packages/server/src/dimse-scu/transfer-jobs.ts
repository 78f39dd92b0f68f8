import { TransferSyntaxUid } from '@lightbox/dicom';
import { CommandField, Status, type Association, type DimseResponse } from '@lightbox/dimse';
import type { Logger } from 'pino';
import type { Archive, PendingInstances } from '../archive/archive.js';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { encodeIdentifier } from '../dimse-scp/identifier.js';
import { ServiceSopClass } from '../dimse-scp/sop-classes.js';
import { handleStore } from '../dimse-scp/store-handler.js';
import { PermanentJobError, type JobContext, type JobHandler } from '../jobs/job.js';
import type { Actor } from '../security/actor.js';
import { isAppError } from '../shared/app-error.js';
import { expectedSopClasses } from './expected-sop-classes.js';
import { getStorageContexts } from './get-storage-contexts.js';
import { openNodeAssociation, type LocalAe } from './open-node-association.js';
import { storeParticipants } from '../security/audit/association-participants.js';
import { sendInstances } from './send-instances.js';
import { storageContexts } from './storage-contexts.js';

/** Kinds of DIMSE transfer jobs. */
export const TransferJobKind = { Send: 'dicom-send', Retrieve: 'dicom-retrieve' } as const;

/** What to transfer: a study, a series of it, or instances of that series. */
export interface TransferSelection {
  studyUid: string;
  seriesUid?: string;
  sopInstanceUids?: string[];
}

/** Parameters of a send job: our instances to a node with C-STORE. */
export interface SendJobParams extends TransferSelection {
  node: string;
}

/** Parameters of a retrieve job: the node's instances into Lightbox with C-MOVE (to us) or C-GET. */
export interface RetrieveJobParams extends TransferSelection {
  node: string;
  method: 'move' | 'get';
}

/** What the transfer jobs need. */
export interface TransferJobDeps {
  archive: Archive;
  nodes: DicomNodeRegistry;
  local: LocalAe;
  logger: Logger;
}

/** The final report of a transfer: sub-operation counts and the instances that failed. */
export interface TransferReport {
  completed: number;
  failed: number;
  warning: number;
  failedUids: string[];
  /** Send: the instances not yet taken by the node (failed, or not reached); the next attempt sends only these. */
  pendingUids?: string[];
}

/** An attempt that failed with a report (kept on the job for the user). */
class TransferFailure extends Error {
  constructor(
    message: string,
    readonly report: TransferReport,
  ) {
    super(message);
  }
}

function jobActor(job: JobContext['job']): Actor {
  return { username: job.createdBy, roles: ['admin'], protocol: 'dimse' };
}

async function nodeOf(deps: TransferJobDeps, name: string): Promise<DicomNode> {
  const node = await deps.nodes.get(name);
  if (node === undefined) throw new PermanentJobError(`no DICOM node named ${name}`);
  return node;
}

/**
 * The selected instances, read in the actor's access scope and not audited yet: an attempt that cannot
 * reach the node sends nothing, so the transfer is recorded only as its first C-STORE goes out.
 */
async function selectedInstances(
  deps: TransferJobDeps,
  selection: TransferSelection,
  actor: Actor,
): Promise<PendingInstances> {
  try {
    const pending = await deps.archive.prepareInstances(
      {
        studyUid: selection.studyUid,
        ...(selection.seriesUid !== undefined ? { seriesUid: selection.seriesUid } : {}),
      },
      actor,
    );
    const wanted = selection.sopInstanceUids === undefined ? undefined : new Set(selection.sopInstanceUids);
    if (wanted === undefined) return pending;
    return { ...pending, instances: pending.instances.filter((i) => wanted.has(i.sopInstanceUid)) };
  } catch (error) {
    if (isAppError(error)) throw new PermanentJobError(error.detail);
    throw error;
  }
}

/** Sends stored instances to a node (C-STORE SCU), reporting counts after each. */
async function runSend(deps: TransferJobDeps, context: JobContext): Promise<TransferReport> {
  const params = context.job.params as SendJobParams;
  const node = await nodeOf(deps, params.node);
  const { instances: selected, recordTransfer } = await selectedInstances(
    deps,
    params,
    jobActor(context.job),
  );
  if (selected.length === 0) throw new PermanentJobError('no stored instance matches the selection');
  // A retry sends only what the node has not taken yet; counts go on from the earlier attempts.
  const earlier = context.job.report as TransferReport | null;
  const pending = earlier?.pendingUids === undefined ? undefined : new Set(earlier.pendingUids);
  const instances = pending === undefined ? selected : selected.filter((i) => pending.has(i.sopInstanceUid));
  const before = { completed: earlier?.completed ?? 0, warning: earlier?.warning ?? 0 };
  const association = await openNodeAssociation({
    node,
    local: deps.local,
    contexts: storageContexts(instances),
    logger: deps.logger,
  });
  const participants = storeParticipants(association, 'requestor');
  let result;
  try {
    result = await sendInstances(deps.archive, association, instances, {
      onProgress: (counts) =>
        context.reportProgress({
          ...counts,
          completed: before.completed + counts.completed,
          warning: before.warning + counts.warning,
        }),
      cancelled: () => context.signal.aborted,
      // Each attempt records what it sets out to send (a retry, only what the node has not taken), and
      // where it went.
      onFirstStore: (planned) => recordTransfer(planned, participants),
    });
  } finally {
    await association.release().catch(() => association.abort());
  }
  const sent = new Set(result.sentUids);
  const report: TransferReport = {
    completed: before.completed + result.completed,
    failed: result.failed,
    warning: before.warning + result.warning,
    failedUids: result.failedUids,
    pendingUids: instances.filter((i) => !sent.has(i.sopInstanceUid)).map((i) => i.sopInstanceUid),
  };
  if (report.failed > 0 && !result.cancelled)
    throw new TransferFailure(`${report.failed} of ${instances.length} instances failed`, report);
  return report;
}

function retrieveIdentifier(selection: TransferSelection) {
  const level =
    selection.sopInstanceUids !== undefined
      ? 'IMAGE'
      : selection.seriesUid !== undefined
        ? 'SERIES'
        : 'STUDY';
  return {
    '00080052': { vr: 'CS' as const, Value: [level] },
    '0020000D': { vr: 'UI' as const, Value: [selection.studyUid] },
    ...(selection.seriesUid !== undefined
      ? { '0020000E': { vr: 'UI' as const, Value: [selection.seriesUid] } }
      : {}),
    ...(selection.sopInstanceUids !== undefined
      ? { '00080018': { vr: 'UI' as const, Value: selection.sopInstanceUids } }
      : {}),
  };
}

function countsOf(response: DimseResponse): TransferReport & { remaining: number } {
  const c = response.command;
  return {
    remaining: c.remainingSubOperations ?? 0,
    completed: c.completedSubOperations ?? 0,
    failed: c.failedSubOperations ?? 0,
    warning: c.warningSubOperations ?? 0,
    failedUids: [],
  };
}

/** Retrieves from a node into Lightbox: C-MOVE with us as destination, or C-GET on one association. */
async function runRetrieve(deps: TransferJobDeps, context: JobContext): Promise<TransferReport> {
  const params = context.job.params as RetrieveJobParams;
  const node = await nodeOf(deps, params.node);
  const actor = jobActor(context.job);
  const sopClass = params.method === 'get' ? ServiceSopClass.StudyRootGet : ServiceSopClass.StudyRootMove;
  // C-GET: the storage contexts are proposed for what the node says the selection holds.
  const storage =
    params.method === 'get'
      ? getStorageContexts(await expectedSopClasses(node, deps.local, params, deps.logger))
      : [];
  const association: Association = await openNodeAssociation({
    node,
    local: deps.local,
    contexts: [
      {
        id: 1,
        abstractSyntax: sopClass,
        transferSyntaxes: [
          TransferSyntaxUid.ExplicitVRLittleEndian,
          TransferSyntaxUid.ImplicitVRLittleEndian,
        ],
      },
      ...storage,
    ],
    // C-GET: we are the Storage SCP on this association (PS3.4 C.4.3.1.1, PS3.7 D.3.3.4).
    // One role item per SOP class, however many contexts it has.
    roles: [...new Set(storage.map((c) => c.abstractSyntax))].map((sopClassUid) => ({
      sopClassUid,
      scu: false,
      scp: true,
    })),
    logger: deps.logger,
    onMessage: (message, current) =>
      message.command.commandField === CommandField.CStoreRq
        ? handleStore({
            association: current,
            message,
            actor,
            archive: deps.archive,
            logger: deps.logger,
            storageScpRoles: new Set(),
          })
        : Promise.resolve(),
  });
  try {
    const qr = association.findContext(sopClass);
    if (qr === undefined)
      throw new PermanentJobError(`${node.aet} does not accept C-${params.method.toUpperCase()} from us`);
    // A cancel of the job cancels the retrieve at the node (C-CANCEL); it ends with what has arrived.
    const messageId = association.pendingMessageId;
    const cancel = () => void association.cancel(qr.id, messageId).catch(() => undefined);
    if (context.signal.aborted) cancel();
    else context.signal.addEventListener('abort', cancel, { once: true });
    const final = await association.sendRequest(
      qr.id,
      {
        commandField: params.method === 'get' ? CommandField.CGetRq : CommandField.CMoveRq,
        priority: 0,
        affectedSopClassUid: sopClass,
        ...(params.method === 'move' ? { moveDestination: deps.local.aeTitle } : {}),
      },
      encodeIdentifier(retrieveIdentifier(params), qr.transferSyntax),
      (pending) => void context.reportProgress(countsOf(pending)).catch(() => undefined),
    );
    context.signal.removeEventListener('abort', cancel);
    const report = countsOf(final);
    const status = final.command.status ?? 0xffff;
    if (status === Status.Success || (status === Status.Cancel && context.signal.aborted)) return report;
    const why = `${node.aet} answered C-${params.method.toUpperCase()} with status ${status.toString(16).padStart(4, '0')}H${
      final.command.errorComment ? `: ${final.command.errorComment}` : ''
    }`;
    // A801: the node does not know us as a destination; retrying will not help.
    if (status === Status.MoveDestinationUnknown)
      throw new PermanentJobError(`${why} (register ${deps.local.aeTitle} there)`);
    throw new TransferFailure(why, report);
  } finally {
    await association.release().catch(() => association.abort());
  }
}

/** The handlers of the DIMSE transfer jobs. */
export function transferJobHandlers(deps: TransferJobDeps): Map<string, JobHandler> {
  return new Map<string, JobHandler>([
    [TransferJobKind.Send, (context) => runSend(deps, context)],
    [TransferJobKind.Retrieve, (context) => runRetrieve(deps, context)],
  ]);
}

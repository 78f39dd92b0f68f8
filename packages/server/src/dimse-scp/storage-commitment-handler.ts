import { TransferSyntaxUid, type DicomJson } from '@lightbox/dicom';
import { CommandField, Status, type Association } from '@lightbox/dimse';
import type { DicomNodeRegistry } from '../dicom-nodes/dicom-node-registry.js';
import { openNodeAssociation, type LocalAe } from '../dimse-scu/open-node-association.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { encodeIdentifier, readIdentifier } from './identifier.js';
import { commitmentReport, parseCommitmentRequest, StorageCommitment } from './storage-commitment.js';

/** What the storage commitment handler needs beyond the request. */
export interface CommitmentDeps {
  local: LocalAe;
  nodes: DicomNodeRegistry;
}

/** PS3.7 C.5.x statuses used by N-ACTION. */
const NO_SUCH_ACTION = 0x0123;
const NO_SUCH_OBJECT_INSTANCE = 0x0112;
const INVALID_ARGUMENT_VALUE = 0x0115;

async function sendReport(
  association: Association,
  contextId: number,
  eventTypeId: number,
  report: Uint8Array,
): Promise<void> {
  const response = await association.sendRequest(
    contextId,
    {
      commandField: CommandField.NEventReportRq,
      affectedSopClassUid: StorageCommitment.sopClassUid,
      affectedSopInstanceUid: StorageCommitment.sopInstanceUid,
      eventTypeId,
    },
    report,
  );
  if (response.command.status !== Status.Success) {
    throw new Error(`N-EVENT-REPORT answered with status ${response.command.status?.toString(16) ?? '?'}`);
  }
}

/** Delivers the report over a new association to the requestor, which must be a registered node (PS3.4 J.3.3). */
async function reportOnNewAssociation(
  request: DimseRequest,
  deps: CommitmentDeps,
  eventTypeId: number,
  report: DicomJson,
): Promise<void> {
  const callingAe = request.actor.aeTitle ?? '';
  const [node] = await deps.nodes.findByAeTitle(callingAe);
  if (node === undefined) {
    request.logger.warn(
      { callingAe },
      'storage commitment report undeliverable: the requestor is not a registered node',
    );
    return;
  }
  const association = await openNodeAssociation({
    node,
    local: deps.local,
    contexts: [
      {
        id: 1,
        abstractSyntax: StorageCommitment.sopClassUid,
        transferSyntaxes: [
          TransferSyntaxUid.ExplicitVRLittleEndian,
          TransferSyntaxUid.ImplicitVRLittleEndian,
        ],
      },
    ],
    // We act as the SCP of Storage Commitment on an association we request (PS3.4 J.3.3, PS3.7 D.3.3.4).
    roles: [{ sopClassUid: StorageCommitment.sopClassUid, scu: false, scp: true }],
    logger: request.logger,
  });
  try {
    const context = association.findContext(StorageCommitment.sopClassUid);
    if (context === undefined) throw new Error(`${node.aet} did not accept the storage commitment report`);
    await sendReport(association, context.id, eventTypeId, encodeIdentifier(report, context.transferSyntax));
  } finally {
    await association.release().catch(() => association.abort());
  }
}

/**
 * Storage Commitment Push Model SCP (PS3.4 J.3): the N-ACTION is answered at once; the archive then checks
 * every referenced instance and sends the N-EVENT-REPORT on the same association while it is open, or
 * else over a new association to the requestor.
 */
export async function handleStorageCommitment(request: DimseRequest, deps: CommitmentDeps): Promise<void> {
  const { command, context } = request.message;
  const answer = (status: number, errorComment?: string) =>
    respond(request, {
      commandField: CommandField.NActionRsp,
      affectedSopClassUid: StorageCommitment.sopClassUid,
      affectedSopInstanceUid: command.requestedSopInstanceUid ?? StorageCommitment.sopInstanceUid,
      status,
      ...(status === Status.Success ? { actionTypeId: StorageCommitment.requestAction } : {}),
      ...(errorComment !== undefined ? { errorComment } : {}),
    });
  if (command.requestedSopInstanceUid !== StorageCommitment.sopInstanceUid) {
    await answer(
      NO_SUCH_OBJECT_INSTANCE,
      'the Requested SOP Instance must be the well-known 1.2.840.10008.1.20.1.1',
    );
    return;
  }
  if (command.actionTypeId !== StorageCommitment.requestAction) {
    await answer(NO_SUCH_ACTION, 'only Action Type 1, Request Storage Commitment, exists');
    return;
  }
  const identifier = await readIdentifier(request);
  const commitment = identifier === undefined ? undefined : parseCommitmentRequest(identifier);
  if (commitment === undefined) {
    await answer(INVALID_ARGUMENT_VALUE, 'Transaction UID and Referenced SOP Sequence are required');
    return;
  }
  await answer(Status.Success);
  const { eventTypeId, report } = await commitmentReport(request.archive, commitment, request.actor);
  // Not awaited by the association: the peer may release right after the N-ACTION-RSP, and the release
  // must not wait for a report it will never answer.
  void (async () => {
    if (request.association.isOpen) {
      try {
        await sendReport(
          request.association,
          context.id,
          eventTypeId,
          encodeIdentifier(report, context.transferSyntax),
        );
        return;
      } catch (error) {
        request.logger.info({ err: error }, 'report on the same association failed; opening a new one');
      }
    }
    await reportOnNewAssociation(request, deps, eventTypeId, report);
  })().catch((error: unknown) =>
    request.logger.warn({ err: error }, 'storage commitment report not delivered'),
  );
}

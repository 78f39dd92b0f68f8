import { encodePart10Header } from '@lightbox/dicom';
import { AssociationClosedError, CommandField, Status, type DataSetStream } from '@lightbox/dimse';
import { receivedParticipants } from '../security/audit/association-participants.js';
import { respond, type DimseRequest } from './dimse-request.js';

async function* part10(header: Uint8Array, dataSet: DataSetStream): AsyncGenerator<Uint8Array> {
  yield header;
  yield* dataSet;
}

/**
 * C-STORE SCP (PS3.4 Annex B): the data set streams, as it arrives, into the same `storeInstance` as
 * STOW-RS, behind a File Meta Information built from the command and the presentation context. The
 * success status goes out only once the instance is durable and indexed.
 */
export async function handleStore(request: DimseRequest): Promise<void> {
  const { command, context, dataSet } = request.message;
  const sopClassUid = command.affectedSopClassUid ?? '';
  const sopInstanceUid = command.affectedSopInstanceUid ?? '';
  const answer = (status: number, errorComment?: string) =>
    respond(request, {
      commandField: CommandField.CStoreRsp,
      affectedSopClassUid: sopClassUid,
      affectedSopInstanceUid: sopInstanceUid,
      status,
      ...(errorComment !== undefined ? { errorComment } : {}),
    });
  if (dataSet === undefined || sopClassUid === '' || sopInstanceUid === '') {
    await answer(Status.CannotUnderstand, 'C-STORE-RQ without a data set or without its SOP UIDs');
    return;
  }
  if (sopClassUid !== context.abstractSyntax) {
    await answer(
      Status.DataSetDoesNotMatchSopClass,
      'Affected SOP Class UID differs from the presentation context',
    );
    return;
  }
  const header = encodePart10Header({
    sopClassUid,
    sopInstanceUid,
    transferSyntaxUid: context.transferSyntax,
    ...(request.actor.aeTitle !== undefined ? { sourceAeTitle: request.actor.aeTitle } : {}),
  });
  let outcome;
  try {
    outcome = await request.archive.storeInstance(part10(header, dataSet), request.actor, {
      expectedSop: { classUid: sopClassUid, instanceUid: sopInstanceUid },
      transfer: receivedParticipants(
        request.association,
        request.association.isRequestor ? 'requestor' : 'acceptor',
      ),
    });
  } catch (error) {
    // The association ended mid-transfer: nothing was stored, and there is no one to answer.
    if (error instanceof AssociationClosedError) return;
    throw error;
  }
  if (outcome.ok) await answer(Status.Success);
  else await answer(outcome.error.code.dicom, outcome.error.detail);
}

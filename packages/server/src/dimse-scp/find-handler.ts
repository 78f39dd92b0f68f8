import type { DicomJson } from '@lightbox/dicom';
import { CommandField, Status } from '@lightbox/dimse';
import { isAppError } from '../shared/app-error.js';
import { clearCancel, isCancelled } from './cancellation.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { encodeIdentifier, readIdentifier } from './identifier.js';
import {
  groupByPatient,
  parseFindIdentifier,
  responseIdentifier,
  type InformationModel,
} from './find-identifier.js';
import { ServiceSopClass } from './sop-classes.js';

/**
 * C-FIND SCP, Patient Root and Study Root (PS3.4 §C.4.1): the identifier becomes the archive query QIDO-RS
 * runs (PS3.4 §C.2.2.2 matching), each match goes out as a Pending response, then Success — or Cancel
 * when the peer sent C-CANCEL.
 */
export async function handleFind(request: DimseRequest, maxResults: number, aeTitle: string): Promise<void> {
  const { command, context, dataSet } = request.message;
  const messageId = command.messageId ?? 0;
  const answer = (status: number, extra: { errorComment?: string; identifier?: Uint8Array } = {}) =>
    respond(
      request,
      {
        commandField: CommandField.CFindRsp,
        status,
        ...(extra.errorComment !== undefined ? { errorComment: extra.errorComment } : {}),
      },
      extra.identifier,
    );
  const model: InformationModel =
    context.abstractSyntax === ServiceSopClass.PatientRootFind ? 'patient-root' : 'study-root';
  if (dataSet === undefined) {
    await answer(Status.IdentifierDoesNotMatchSopClass, { errorComment: 'C-FIND-RQ without an identifier' });
    return;
  }
  const identifier = await readIdentifier(request);
  if (identifier === undefined) {
    await answer(Status.CannotUnderstand, { errorComment: 'the identifier cannot be parsed' });
    return;
  }
  const characterSet = (identifier['00080005']?.Value ?? []).map(String);
  let matches: DicomJson[];
  let find;
  try {
    find = parseFindIdentifier(identifier, model, maxResults);
    matches = await request.archive.query(find.query, request.actor);
    if (find.level === 'PATIENT') matches = groupByPatient(matches);
  } catch (error) {
    if (!isAppError(error)) throw error;
    await answer(
      error.code.dicom === 0xa900 ? Status.IdentifierDoesNotMatchSopClass : Status.UnableToProcess,
      {
        errorComment: error.detail,
      },
    );
    return;
  }
  for (const match of matches) {
    if (isCancelled(request.association, messageId)) {
      clearCancel(request.association, messageId);
      await answer(Status.Cancel);
      return;
    }
    const response = responseIdentifier(match, find, aeTitle);
    await answer(Status.Pending, {
      identifier: encodeIdentifier(response, context.transferSyntax, characterSet),
    });
  }
  clearCancel(request.association, messageId);
  await answer(Status.Success);
}

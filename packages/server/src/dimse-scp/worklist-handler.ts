import type { DicomJson } from '@lightbox/dicom';
import { CommandField, Status } from '@lightbox/dimse';
import type { Actor } from '../security/actor.js';
import { isAppError } from '../shared/app-error.js';
import { clearCancel, isCancelled } from './cancellation.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { encodeIdentifier, readIdentifier } from './identifier.js';

/** The worklist as the handler needs it: matches of a C-FIND identifier, as DICOM JSON. */
export interface WorklistSource {
  worklist(identifier: DicomJson, maxResults: number, actor: Actor): Promise<DicomJson[]>;
}

/**
 * Modality Worklist C-FIND SCP (PS3.4 K.6): each matching scheduled procedure step goes out as a Pending
 * response in the requested character set, then Success — or Cancel after C-CANCEL.
 */
export async function handleWorklistFind(
  request: DimseRequest,
  source: WorklistSource,
  maxResults: number,
): Promise<void> {
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
  try {
    matches = await source.worklist(identifier, maxResults, request.actor);
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
    await answer(Status.Pending, {
      identifier: encodeIdentifier(match, context.transferSyntax, characterSet),
    });
  }
  clearCancel(request.association, messageId);
  await answer(Status.Success);
}

import type { DicomJson } from '@lightbox/dicom';
import { CommandField, Status } from '@lightbox/dimse';
import { isAppError } from '../shared/app-error.js';
import { clearCancel, isCancelled } from './cancellation.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { readIdentifier } from './identifier.js';

/** Sends one C-FIND response with a status, and an error comment or an identifier. */
export type FindAnswer = (
  status: number,
  extra?: { errorComment?: string; identifier?: Uint8Array },
) => Promise<void>;

/** The C-FIND-RSP sender of a request (PS3.7 9.1.2). */
export function findAnswer(request: DimseRequest): FindAnswer {
  return (status, extra = {}) =>
    respond(
      request,
      {
        commandField: CommandField.CFindRsp,
        status,
        ...(extra.errorComment !== undefined ? { errorComment: extra.errorComment } : {}),
      },
      extra.identifier,
    );
}

/** The request's identifier, or undefined after answering the failure (no identifier, or unreadable). */
export async function findIdentifier(
  request: DimseRequest,
  answer: FindAnswer,
): Promise<DicomJson | undefined> {
  if (request.message.dataSet === undefined) {
    await answer(Status.IdentifierDoesNotMatchSopClass, { errorComment: 'C-FIND-RQ without an identifier' });
    return undefined;
  }
  const identifier = await readIdentifier(request);
  if (identifier === undefined)
    await answer(Status.CannotUnderstand, { errorComment: 'the identifier cannot be parsed' });
  return identifier;
}

/** Answers a domain error of a query (A900 for a key that does not fit the model, else C001); rethrows others. */
export async function answerQueryError(error: unknown, answer: FindAnswer): Promise<void> {
  if (!isAppError(error)) throw error;
  await answer(error.code.dicom === 0xa900 ? Status.IdentifierDoesNotMatchSopClass : Status.UnableToProcess, {
    errorComment: error.detail,
  });
}

/**
 * Sends each match as a Pending response, then Success — or Cancel as soon as the peer sent C-CANCEL
 * (PS3.4 C.4.1.2.3).
 */
export async function sendMatches<T>(
  request: DimseRequest,
  answer: FindAnswer,
  matches: readonly T[],
  encode: (match: T) => Uint8Array,
): Promise<void> {
  const messageId = request.message.command.messageId ?? 0;
  for (const match of matches) {
    if (isCancelled(request.association, messageId)) {
      clearCancel(request.association, messageId);
      await answer(Status.Cancel);
      return;
    }
    await answer(Status.Pending, { identifier: encode(match) });
  }
  clearCancel(request.association, messageId);
  await answer(Status.Success);
}

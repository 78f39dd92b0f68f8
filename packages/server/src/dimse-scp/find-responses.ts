import type { DicomJson } from '@lightbox/dicom';
import { CommandField, Status, type OutgoingCommand, type OutgoingMessage } from '@lightbox/dimse';
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
 * Pending responses per socket write, and the bytes of identifiers after which a batch is closed: a
 * batch goes out as one write (each response one P-DATA-TF PDU), and C-CANCEL is read between batches.
 */
const BATCH_MATCHES = 64;
const BATCH_BYTES = 64 * 1024;

/** A C-FIND-RSP command with this status, as {@link findAnswer} sends it (no error comment). */
function findResponse(request: DimseRequest, status: number): OutgoingCommand {
  const { command, context } = request.message;
  return {
    affectedSopClassUid: command.affectedSopClassUid ?? context.abstractSyntax,
    commandField: CommandField.CFindRsp,
    status,
    messageIdBeingRespondedTo: command.messageId ?? 0,
  };
}

/** Lets the event loop read the socket (a C-CANCEL may be waiting) before going on. */
function readsFirst(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Sends each match as a Pending response, then Success — or Cancel as soon as the peer sent C-CANCEL
 * (PS3.4 C.4.1.2.3). The responses go out in batches ({@link BATCH_MATCHES}, {@link BATCH_BYTES}), each
 * one socket write that waits for the socket to drain when it is full; cancellation is checked before
 * every batch, and the final Success travels with the last one.
 */
export async function sendMatches<T>(
  request: DimseRequest,
  answer: FindAnswer,
  matches: readonly T[],
  encode: (match: T) => Uint8Array,
): Promise<void> {
  const { association, message } = request;
  const messageId = message.command.messageId ?? 0;
  const contextId = message.context.id;
  const pending = findResponse(request, Status.Pending);
  let next = 0;
  while (next < matches.length) {
    if (next > 0) await readsFirst();
    if (isCancelled(association, messageId)) {
      clearCancel(association, messageId);
      await answer(Status.Cancel);
      return;
    }
    const batch: OutgoingMessage[] = [];
    let bytes = 0;
    while (next < matches.length && batch.length < BATCH_MATCHES && bytes < BATCH_BYTES) {
      let dataSet: Uint8Array;
      try {
        dataSet = encode(matches[next]!);
      } catch (error) {
        // The matches before it go out, as they would one by one; the caller answers the failure.
        if (batch.length > 0) await association.sendBatch(batch);
        throw error;
      }
      next++;
      batch.push({ contextId, command: pending, dataSet });
      bytes += dataSet.length;
    }
    if (next === matches.length) {
      clearCancel(association, messageId);
      batch.push({ contextId, command: findResponse(request, Status.Success) });
    }
    await association.sendBatch(batch);
  }
  if (matches.length === 0) {
    clearCancel(association, messageId);
    await answer(Status.Success);
  }
}

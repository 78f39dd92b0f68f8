import {
  encodeDataSet,
  fromDicomJson,
  isBulkReference,
  lookupTransferSyntax,
  readDataSetIn,
  toDicomJson,
  type DicomJson,
} from '@lightbox/dicom';
import { CommandField, Status } from '@lightbox/dimse';
import { isAppError } from '../shared/app-error.js';
import { clearCancel, isCancelled } from './cancellation.js';
import { answerInRequestedCharacterSet } from './response-character-set.js';
import { respond, type DimseRequest } from './dimse-request.js';
import {
  groupByPatient,
  parseFindIdentifier,
  responseIdentifier,
  type InformationModel,
} from './find-identifier.js';
import { ServiceSopClass } from './sop-classes.js';

/** Identifiers are a few keys; anything larger is refused rather than buffered. */
const MAX_IDENTIFIER_BYTES = 1024 * 1024;

/** Reads a request's identifier (bounded) as DICOM JSON; undefined when it cannot be parsed. */
export async function readIdentifier(request: DimseRequest): Promise<DicomJson | undefined> {
  const { context, dataSet } = request.message;
  if (dataSet === undefined) return undefined;
  try {
    return toDicomJson(await readDataSetIn(await collect(dataSet), context.transferSyntax));
  } catch {
    return undefined;
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > MAX_IDENTIFIER_BYTES) throw new Error('identifier too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Encodes an identifier in the presentation context's transfer syntax, in the requested Specific Character
 * Set when given and able to hold every value (else UTF-8).
 */
export function encodeIdentifier(
  json: DicomJson,
  transferSyntaxUid: string,
  characterSet: readonly string[] = [],
): Uint8Array {
  const syntax = lookupTransferSyntax(transferSyntaxUid)!;
  const dataSet = fromDicomJson(json);
  answerInRequestedCharacterSet(dataSet, characterSet);
  const chunks: Uint8Array[] = [];
  for (const chunk of encodeDataSet(dataSet, syntax)) {
    if (isBulkReference(chunk)) throw new Error('identifier values are in memory');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

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

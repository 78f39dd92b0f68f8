import {
  encodeDataSet,
  fromDicomJson,
  isBulkReference,
  lookupTransferSyntax,
  readDataSetIn,
  toDicomJson,
  type DicomJson,
} from '@lightbox/dicom';
import { CommandField, Status, type Association } from '@lightbox/dimse';
import { isAppError } from '../shared/app-error.js';
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

/** Message IDs of the C-FIND requests a peer has cancelled (PS3.7 §9.3.2.3 C-CANCEL). */
const cancelled = new WeakMap<Association, Set<number>>();

/** Records a C-CANCEL-RQ; the running C-FIND with that message ID stops at its next match. */
export function cancelFind(association: Association, messageId: number): void {
  const set = cancelled.get(association) ?? new Set<number>();
  set.add(messageId);
  cancelled.set(association, set);
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

function encodeIdentifier(json: DicomJson, transferSyntaxUid: string): Uint8Array {
  const syntax = lookupTransferSyntax(transferSyntaxUid)!;
  const chunks: Uint8Array[] = [];
  for (const chunk of encodeDataSet(fromDicomJson(json), syntax)) {
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
  let identifier: DicomJson;
  try {
    identifier = toDicomJson(await readDataSetIn(await collect(dataSet), context.transferSyntax));
  } catch {
    await answer(Status.CannotUnderstand, { errorComment: 'the identifier cannot be parsed' });
    return;
  }
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
    if (cancelled.get(request.association)?.delete(messageId)) {
      await answer(Status.Cancel);
      return;
    }
    const response = responseIdentifier(match, find, aeTitle);
    await answer(Status.Pending, { identifier: encodeIdentifier(response, context.transferSyntax) });
  }
  cancelled.get(request.association)?.delete(messageId);
  await answer(Status.Success);
}

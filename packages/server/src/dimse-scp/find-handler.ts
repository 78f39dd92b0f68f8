import { requestedCharacterSet } from './response-character-set.js';
import type { DicomJson } from '@lightbox/dicom';
import type { DimseRequest } from './dimse-request.js';
import { answerQueryError, findAnswer, findIdentifier, sendMatches } from './find-responses.js';
import { writeIdentifier } from './identifier-writer.js';
import {
  groupByPatient,
  parseFindIdentifier,
  responseIdentifier,
  type FindRequest,
  type InformationModel,
} from './find-identifier.js';
import { ServiceSopClass } from './sop-classes.js';

/**
 * C-FIND SCP, Patient Root and Study Root (PS3.4 §C.4.1): the identifier becomes the archive query QIDO-RS
 * runs (PS3.4 §C.2.2.2 matching), each match goes out as a Pending response, then Success — or Cancel
 * when the peer sent C-CANCEL.
 */
export async function handleFind(request: DimseRequest, maxResults: number, aeTitle: string): Promise<void> {
  const { context } = request.message;
  const answer = findAnswer(request);
  const model: InformationModel =
    context.abstractSyntax === ServiceSopClass.PatientRootFind ? 'patient-root' : 'study-root';
  const identifier = await findIdentifier(request, answer);
  if (identifier === undefined) return;
  const characterSet = requestedCharacterSet(identifier);
  let matches: DicomJson[];
  let find: FindRequest;
  try {
    find = parseFindIdentifier(identifier, model, maxResults);
    matches = await request.archive.query(find.query, request.actor);
    if (find.level === 'PATIENT') matches = groupByPatient(matches);
  } catch (error) {
    await answerQueryError(error, answer);
    return;
  }
  await sendMatches(request, answer, matches, (match) =>
    writeIdentifier(responseIdentifier(match, find, aeTitle), context.transferSyntax, characterSet),
  );
}

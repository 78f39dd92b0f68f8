import { requestedCharacterSet } from './response-character-set.js';
import type { DicomJson } from '@lightbox/dicom';
import type { Actor } from '../security/actor.js';
import type { DimseRequest } from './dimse-request.js';
import { answerQueryError, findAnswer, findIdentifier, sendMatches } from './find-responses.js';
import { writeIdentifier } from './identifier-writer.js';

/** The worklist as the handler needs it: matches of a C-FIND identifier, as DICOM JSON. */
export interface WorklistSource {
  worklist(identifier: DicomJson, maxResults: number, actor: Actor): Promise<DicomJson[]>;
}

/**
 * Modality Worklist C-FIND SCP (PS3.4 K.6): each matching scheduled procedure step goes out as a Pending
 * response in the requested character set, then Success — or Cancel after C-CANCEL. The responses go out
 * in batches (sendMatches), each identifier written straight from its DICOM JSON (writeIdentifier).
 */
export async function handleWorklistFind(
  request: DimseRequest,
  source: WorklistSource,
  maxResults: number,
): Promise<void> {
  const answer = findAnswer(request);
  const identifier = await findIdentifier(request, answer);
  if (identifier === undefined) return;
  const characterSet = requestedCharacterSet(identifier);
  let matches: DicomJson[];
  try {
    matches = await source.worklist(identifier, maxResults, request.actor);
  } catch (error) {
    await answerQueryError(error, answer);
    return;
  }
  const { transferSyntax } = request.message.context;
  await sendMatches(request, answer, matches, (match) =>
    writeIdentifier(match, transferSyntax, characterSet),
  );
}

/** DIMSE identifiers (C-FIND, C-MOVE, C-GET, N-ACTION data sets) to and from DICOM JSON. */
import {
  encodeDataSet,
  fromDicomJson,
  isBulkReference,
  lookupTransferSyntax,
  readDataSetIn,
  toDicomJson,
  type DicomJson,
} from '@lightbox/dicom';
import type { DimseRequest } from './dimse-request.js';
import { answerInRequestedCharacterSet } from './response-character-set.js';

/**
 * Identifiers are a few keys, but a list of UIDs (e.g. a C-MOVE of 40 000 named instances) may run to
 * megabytes; anything larger than this is refused rather than buffered.
 */
const MAX_IDENTIFIER_BYTES = 4 * 1024 * 1024;

/** Reads a request's identifier (bounded) as DICOM JSON; undefined when it cannot be parsed. */
export async function readIdentifier(request: DimseRequest): Promise<DicomJson | undefined> {
  const { context, dataSet } = request.message;
  if (dataSet === undefined) return undefined;
  try {
    return toDicomJson(
      await readDataSetIn(await dataSet.readAll(MAX_IDENTIFIER_BYTES), context.transferSyntax),
    );
  } catch {
    return undefined;
  }
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

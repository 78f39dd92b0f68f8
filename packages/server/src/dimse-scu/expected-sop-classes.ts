import type { DicomJson } from '@lightbox/dicom';
import type { Logger } from 'pino';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { ExpectedSopClasses } from './get-storage-contexts.js';
import type { LocalAe } from './open-node-association.js';
import { queryNode } from './query-node.js';
import type { TransferSelection } from './transfer-jobs.js';

/**
 * Image-level matches read at most: enough for the classes of most studies, while a study of hundreds
 * of thousands of instances cannot fill memory; the classes beyond are left to the standard contexts.
 */
const MAX_IMAGE_MATCHES = 20_000;

const SOP_CLASSES_IN_STUDY = '00080062';
const SOP_CLASS_UID = '00080016';
const AVAILABLE_TRANSFER_SYNTAX_UID = '00083002';

function uids(match: DicomJson, tag: string): string[] {
  return (match[tag]?.Value ?? []).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** The study's SOP Classes in Study (0008,0062), or undefined when the node does not answer that key. */
async function studySopClasses(
  node: DicomNode,
  local: LocalAe,
  studyUid: string,
  logger: Logger,
): Promise<ExpectedSopClasses | undefined> {
  const { matches } = await queryNode(
    node,
    local,
    'STUDY',
    { StudyInstanceUID: studyUid, SOPClassesInStudy: '' },
    logger,
    1,
  );
  const classes = matches.flatMap((m) => uids(m, SOP_CLASSES_IN_STUDY));
  return classes.length === 0 ? undefined : new Map(classes.map((c) => [c, undefined]));
}

/** Each instance's SOP Class UID, with its Available Transfer Syntax UID (0008,3002) where answered. */
async function instanceSopClasses(
  node: DicomNode,
  local: LocalAe,
  selection: TransferSelection,
  logger: Logger,
): Promise<ExpectedSopClasses> {
  const { matches } = await queryNode(
    node,
    local,
    'IMAGE',
    {
      StudyInstanceUID: selection.studyUid,
      ...(selection.seriesUid !== undefined ? { SeriesInstanceUID: selection.seriesUid } : {}),
      ...(selection.sopInstanceUids !== undefined
        ? { SOPInstanceUID: selection.sopInstanceUids.join('\\') }
        : {}),
      AvailableTransferSyntaxUID: '',
    },
    logger,
    MAX_IMAGE_MATCHES,
  );
  const expected = new Map<string, Set<string> | undefined>();
  // A class stays "syntaxes unknown" once any of its instances came without them.
  const unknown = new Set<string>();
  for (const match of matches) {
    const [sopClass] = uids(match, SOP_CLASS_UID);
    if (sopClass === undefined) continue;
    const syntaxes = uids(match, AVAILABLE_TRANSFER_SYNTAX_UID);
    if (syntaxes.length === 0) unknown.add(sopClass);
    const held = expected.get(sopClass) ?? new Set<string>();
    for (const syntax of syntaxes) held.add(syntax);
    expected.set(sopClass, held);
  }
  for (const sopClass of unknown) expected.set(sopClass, undefined);
  return expected;
}

/**
 * What a C-GET of the selection will bring, asked of the node beforehand with C-FIND, so that storage
 * contexts can be proposed for it (PS3.4 C.4.3.1: the SCU proposes the contexts of what it receives):
 * for a study, SOP Classes in Study; where the node leaves that empty (or for a series or instances),
 * the SOP Class UID of each instance. Empty when the node cannot tell: the C-GET then proposes the
 * standard classes. A node that cannot be reached at all fails here as the C-GET would.
 */
export async function expectedSopClasses(
  node: DicomNode,
  local: LocalAe,
  selection: TransferSelection,
  logger: Logger,
): Promise<ExpectedSopClasses> {
  try {
    const ofStudy =
      selection.seriesUid === undefined && selection.sopInstanceUids === undefined
        ? await studySopClasses(node, local, selection.studyUid, logger)
        : undefined;
    return ofStudy ?? (await instanceSopClasses(node, local, selection, logger));
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCode.OutOfResources) throw error;
    logger.warn(
      { err: error, node: node.name },
      'C-FIND before C-GET failed: proposing the standard storage classes',
    );
    return new Map();
  }
}

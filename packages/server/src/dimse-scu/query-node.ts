import {
  lookupTag,
  readDataSetIn,
  tagForKeyword,
  tagToHex,
  toDicomJson,
  TransferSyntaxUid,
  type DicomJson,
} from '@lightbox/dicom';
import { CommandField, Status, type DimseLogger } from '@lightbox/dimse';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';
import { encodeIdentifier } from '../dimse-scp/identifier.js';
import { ServiceSopClass } from '../dimse-scp/sop-classes.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { openNodeAssociation, type LocalAe } from './open-node-association.js';

/** Query/Retrieve levels of the study root model. */
export type NodeQueryLevel = 'STUDY' | 'SERIES' | 'IMAGE';

/** Keys returned when the caller names none (PS3.4 Table C.6-5 required and common optional keys). */
const DEFAULT_KEYS: Record<NodeQueryLevel, string[]> = {
  STUDY: [
    'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyInstanceUID', 'StudyDate', 'StudyTime',
    'AccessionNumber', 'StudyID', 'StudyDescription', 'ModalitiesInStudy', 'NumberOfStudyRelatedInstances',
  ],
  SERIES: ['StudyInstanceUID', 'SeriesInstanceUID', 'Modality', 'SeriesNumber', 'SeriesDescription', 'NumberOfSeriesRelatedInstances'],
  IMAGE: ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'SOPClassUID', 'InstanceNumber'],
}; // prettier-ignore

/** Builds a C-FIND identifier from keywords (or 8-digit hex tags) and their matching values. */
export function findIdentifier(level: NodeQueryLevel, keys: Readonly<Record<string, string>>): DicomJson {
  const identifier: DicomJson = { '00080052': { vr: 'CS', Value: [level] } };
  const all = { ...Object.fromEntries(DEFAULT_KEYS[level].map((k) => [k, ''])), ...keys };
  for (const [name, value] of Object.entries(all)) {
    const tag = /^[0-9A-Fa-f]{8}$/.test(name) ? parseInt(name, 16) : tagForKeyword(name);
    const vr = tag === undefined ? undefined : lookupTag(tag)?.vrs[0];
    if (tag === undefined || vr === undefined || vr === 'SQ') {
      throw new AppError(
        ErrorCode.InvalidParameter,
        `${name}: not a data element that can be a matching key`,
        name,
      );
    }
    const hex = tagToHex(tag);
    identifier[hex] =
      value === ''
        ? { vr }
        : vr === 'PN'
          ? { vr, Value: [{ Alphabetic: value }] }
          : { vr, Value: vr === 'UI' ? value.split('\\') : [value] };
  }
  return identifier;
}

/** The matches of a node query, and whether it was cut at the limit. */
export interface NodeQueryResult {
  matches: DicomJson[];
  truncated: boolean;
}

/**
 * Queries a node with C-FIND in the study root model (PS3.4 C.4.1) and returns the matches as DICOM JSON,
 * at most `maxResults` of them: at the limit the query is cancelled (C-CANCEL), so that a broad query of a
 * big archive cannot fill memory. A refusal or failure of the node is an error naming its status.
 */
export async function queryNode(
  node: DicomNode,
  local: LocalAe,
  level: NodeQueryLevel,
  keys: Readonly<Record<string, string>>,
  logger: DimseLogger,
  maxResults: number,
): Promise<NodeQueryResult> {
  const identifier = findIdentifier(level, keys);
  const association = await openNodeAssociation({
    node,
    local,
    contexts: [
      {
        id: 1,
        abstractSyntax: ServiceSopClass.StudyRootFind,
        transferSyntaxes: [
          TransferSyntaxUid.ExplicitVRLittleEndian,
          TransferSyntaxUid.ImplicitVRLittleEndian,
        ],
      },
    ],
    logger,
  });
  try {
    const context = association.findContext(ServiceSopClass.StudyRootFind);
    if (context === undefined) {
      throw new AppError(
        ErrorCode.Conflict,
        `${node.aet} does not accept Study Root C-FIND from ${local.aeTitle}`,
      );
    }
    const matches: Uint8Array[] = [];
    const messageId = association.pendingMessageId;
    let truncated = false;
    const final = await association.sendRequest(
      context.id,
      { commandField: CommandField.CFindRq, priority: 0, affectedSopClassUid: ServiceSopClass.StudyRootFind },
      encodeIdentifier(identifier, context.transferSyntax),
      (pending) => {
        if (pending.dataSet === undefined) return;
        if (matches.length < maxResults) matches.push(pending.dataSet);
        else if (!truncated) {
          truncated = true;
          void association.cancel(context.id, messageId).catch(() => undefined);
        }
      },
    );
    // After a C-CANCEL the node may end with Cancel (FE00) or, having finished first, Success.
    const ended =
      final.command.status === Status.Success || (truncated && final.command.status === Status.Cancel);
    if (!ended) {
      throw new AppError(
        ErrorCode.Conflict,
        `${node.aet} answered C-FIND with status ${(final.command.status ?? 0).toString(16).padStart(4, '0')}H${
          final.command.errorComment ? `: ${final.command.errorComment}` : ''
        }`,
      );
    }
    const out: DicomJson[] = [];
    for (const bytes of matches) out.push(toDicomJson(await readDataSetIn(bytes, context.transferSyntax)));
    return { matches: out, truncated };
  } finally {
    await association.release().catch(() => association.abort());
  }
}

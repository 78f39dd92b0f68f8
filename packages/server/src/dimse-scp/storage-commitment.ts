/**
 * Storage Commitment Push Model (PS3.4 Annex J): which of the referenced instances the archive holds,
 * as the data set of the N-EVENT-REPORT that answers an N-ACTION.
 */
import type { DicomJson } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { Actor } from '../security/actor.js';

/** Storage Commitment Push Model SOP Class and its well-known instance (PS3.4 J.3.1, PS3.6 Annex A). */
export const StorageCommitment = {
  sopClassUid: '1.2.840.10008.1.20.1',
  sopInstanceUid: '1.2.840.10008.1.20.1.1',
  /** Action Type ID of "Request Storage Commitment" (PS3.4 Table J.3-1). */
  requestAction: 1,
  /** Event Type IDs (PS3.4 Table J.3-2): all committed, or some failed. */
  allCommitted: 1,
  someFailed: 2,
} as const;

/** Failure Reasons of the Failed SOP Sequence (PS3.4 J.3.3.1.1). */
const FailureReason = {
  NoSuchObjectInstance: 0x0112,
  ClassInstanceConflict: 0x0119,
} as const;

/** A commitment request: its transaction and the instances it references. */
export interface CommitmentRequest {
  transactionUid: string;
  references: Array<{ sopClassUid: string; sopInstanceUid: string }>;
}

/** Reads the N-ACTION information (PS3.4 Table J.3-1); undefined when it lacks the transaction or references. */
export function parseCommitmentRequest(json: DicomJson): CommitmentRequest | undefined {
  const transactionUid = String(json['00081195']?.Value?.[0] ?? '');
  const items = (json['00081199']?.Value ?? []) as DicomJson[];
  const references = items.map((item) => ({
    sopClassUid: String(item['00081150']?.Value?.[0] ?? ''),
    sopInstanceUid: String(item['00081155']?.Value?.[0] ?? ''),
  }));
  if (transactionUid === '' || references.some((r) => r.sopInstanceUid === '')) return undefined;
  return { transactionUid, references };
}

/** UIDs per query: a list of UIDs is one SQL IN (…). */
const CHUNK = 500;

/**
 * Checks each referenced instance against the index: committed when it is stored (durably: the index
 * only holds committed instances) with the same SOP class. Returns the event type and the report data set.
 */
export async function commitmentReport(
  archive: Archive,
  request: CommitmentRequest,
  actor: Actor,
): Promise<{ eventTypeId: number; report: DicomJson }> {
  const stored = new Map<string, string>();
  for (let i = 0; i < request.references.length; i += CHUNK) {
    const uids = request.references.slice(i, i + CHUNK).map((r) => r.sopInstanceUid);
    const matches = await archive.query(
      {
        level: 'instance',
        filters: [{ path: [0x00080018], vr: 'UI', match: { kind: 'values', values: uids } }],
        fuzzy: false,
        includeFields: [0x00080016, 0x00080018],
        limit: CHUNK,
        offset: 0,
      },
      actor,
    );
    for (const match of matches) {
      stored.set(String(match['00080018']?.Value?.[0] ?? ''), String(match['00080016']?.Value?.[0] ?? ''));
    }
  }
  const committed: DicomJson[] = [];
  const failed: DicomJson[] = [];
  for (const reference of request.references) {
    const item: DicomJson = {
      '00081150': { vr: 'UI', Value: [reference.sopClassUid] },
      '00081155': { vr: 'UI', Value: [reference.sopInstanceUid] },
    };
    const storedClass = stored.get(reference.sopInstanceUid);
    if (storedClass === undefined) {
      failed.push({ ...item, '00081197': { vr: 'US', Value: [FailureReason.NoSuchObjectInstance] } });
    } else if (storedClass !== reference.sopClassUid) {
      failed.push({ ...item, '00081197': { vr: 'US', Value: [FailureReason.ClassInstanceConflict] } });
    } else {
      committed.push(item);
    }
  }
  const report: DicomJson = { '00081195': { vr: 'UI', Value: [request.transactionUid] } };
  if (committed.length > 0) report['00081199'] = { vr: 'SQ', Value: committed };
  if (failed.length > 0) report['00081198'] = { vr: 'SQ', Value: failed };
  return {
    eventTypeId: failed.length === 0 ? StorageCommitment.allCommitted : StorageCommitment.someFailed,
    report,
  };
}

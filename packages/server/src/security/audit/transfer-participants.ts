import { AuditEventId, type AuditNode, type TransferParticipants } from './audit-sink.js';

/*
 * The Source and Destination of a transfer are kept at the head of the event's detail, e.g.
 * `from "LIGHTBOX" (10.0.0.2) to "PACS2" (10.0.0.7): 3 instances`: the detail is a column every event
 * already has and the hash chain already covers, so rows written before keep their links, and people
 * reading the trail see where the instances went. AE titles are JSON strings (PS3.8 allows spaces and
 * quotes in them, never a backslash); a host is a network address, without spaces or parentheses.
 */

const AE_TITLE = String.raw`"(?:[^"\\]|\\.)*"`;
const HOST = String.raw`[^\s()]+`;
const NODE = `(${AE_TITLE})(?: \\((${HOST})\\))?`;
/** Anchored at the start: what follows (the event's detail, an emergency reason) cannot pose as a node. */
const PARTICIPANTS = new RegExp(`^from ${NODE} to ${NODE}(?=$|[:\\s])`);

function nodeText(node: AuditNode): string {
  const host = node.host !== undefined && new RegExp(`^${HOST}$`).test(node.host) ? ` (${node.host})` : '';
  return `${JSON.stringify(node.aeTitle)}${host}`;
}

function nodeOf(aeTitle: string, host: string | undefined): AuditNode | undefined {
  try {
    const parsed: unknown = JSON.parse(aeTitle);
    if (typeof parsed !== 'string') return undefined;
    return { aeTitle: parsed, ...(host !== undefined ? { host } : {}) };
  } catch {
    return undefined;
  }
}

/** The detail of a transfer event: its Source and Destination, then what the event itself says. */
export function transferDetail(participants: TransferParticipants, detail: string | undefined): string {
  const head = `from ${nodeText(participants.source)} to ${nodeText(participants.destination)}`;
  return detail === undefined || detail === '' ? head : `${head}: ${detail}`;
}

/**
 * The Source and Destination a transfer event (110104) names in its detail; undefined for any other
 * event, and for a transfer that names none (DICOMweb: the requesting user received the instances).
 */
export function transferParticipantsOf(
  eventId: string,
  detail: string | null,
): TransferParticipants | undefined {
  if (eventId !== AuditEventId.InstancesTransferred.code || detail === null) return undefined;
  const match = PARTICIPANTS.exec(detail);
  if (match === null) return undefined;
  const source = nodeOf(match[1]!, match[2]);
  const destination = nodeOf(match[3]!, match[4]);
  return source === undefined || destination === undefined ? undefined : { source, destination };
}

/**
 * The AE titles of a transfer's Source and Destination, each once: the `ae` participants the trail
 * indexes them by for searching (and that verification expects of the event).
 */
export function transferAeTitles(eventId: string, detail: string | null): string[] {
  const transfer = transferParticipantsOf(eventId, detail);
  return transfer === undefined ? [] : [...new Set([transfer.source.aeTitle, transfer.destination.aeTitle])];
}

import type { Hl7MessageRow } from './ris-types';

/** The segments of an HL7 message, one per line (segments end with CR; LF is tolerated). */
export function segmentsOf(raw: string | null | undefined): string[] {
  return (raw ?? '').split(/\r\n|\r|\n/).filter((segment) => segment.trim() !== '');
}

/** The three-letter name of a segment ('MSH', 'PID', …). */
export function segmentName(segment: string): string {
  return segment.slice(0, 3);
}

/** Acknowledgement codes that say the message was refused or failed (HL7 2.x MSA-1). */
const BAD_ACKS = new Set(['AE', 'AR', 'CE', 'CR']);

/** True when an acknowledgement code is an error or a rejection. */
export function ackIsBad(code: string | null | undefined): boolean {
  return code != null && BAD_ACKS.has(code.toUpperCase());
}

/** The acknowledgement code of an ACK's text (MSA-1), or ''. */
export function ackCodeOf(ack: string | null | undefined): string {
  const msa = segmentsOf(ack).find((s) => s.startsWith('MSA'));
  if (msa === undefined) return '';
  return msa.split(msa[3] ?? '|')[1] ?? '';
}

/** True when a logged message can be replayed: a received one that failed or was refused, or a sent one its destination refused. */
export function mayReplay(message: Pick<Hl7MessageRow, 'direction' | 'state'>): boolean {
  if (message.direction === 'out') return message.state === 'failed';
  return message.state === 'error' || message.state === 'rejected';
}

/** States of the log that call for attention. */
export function stateIsBad(state: string): boolean {
  return state === 'error' || state === 'rejected' || state === 'failed';
}

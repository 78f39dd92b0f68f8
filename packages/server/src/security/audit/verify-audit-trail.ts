import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.js';
import { auditLink } from './audit-chain.js';
import { auditRecordOf } from './audit-search.js';
import { transferAeTitles } from './transfer-participants.js';

const PAGE = 2000;

function participantKey(
  patients: readonly string[],
  studies: readonly string[],
  aes: readonly string[],
): string {
  const all = [...new Set(patients)]
    .map((p) => `patient:${p}`)
    .concat([...new Set(studies)].map((s) => `study:${s}`))
    .concat([...new Set(aes)].map((a) => `ae:${a}`));
  return all.length === 0 ? '' : JSON.stringify(all.sort());
}

/** The participant rows of events [first, last], by event, in the form of {@link participantKey}. */
async function participantsOf(db: Kysely<Tables>, first: number, last: number): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('audit_participant')
    .select(['event_seq', 'kind', 'value'])
    .where('event_seq', '>=', first)
    .where('event_seq', '<=', last)
    .execute();
  const byEvent = new Map<number, { patient: string[]; study: string[]; ae: string[] }>();
  for (const row of rows) {
    const entry = byEvent.get(Number(row.event_seq)) ?? { patient: [], study: [], ae: [] };
    // A kind this version does not know counts as a study, so that it shows as an alteration.
    (row.kind === 'patient' || row.kind === 'ae' ? entry[row.kind] : entry.study).push(row.value);
    byEvent.set(Number(row.event_seq), entry);
  }
  return new Map([...byEvent].map(([seq, e]) => [seq, participantKey(e.patient, e.study, e.ae)]));
}

/** The outcome of a verification: how far the chain holds, and where and why it breaks. */
export interface AuditVerification {
  ok: boolean;
  /** Events checked. */
  events: number;
  /** The first event whose link does not hold (edited, inserted or after a deleted one). */
  brokenAt?: number;
  reason?: string;
}

/**
 * Recomputes the whole chain from the first event and compares every stored link and the participant
 * rows used for search, then checks that the last event is the one the chain head names (deleting the
 * newest events without also rewriting the head is detected; an attacker who rewrites the head too is
 * caught only against the copy forwarded to the audit repository, whose messages carry each link).
 */
export async function verifyAuditTrail(
  db: Kysely<Tables>,
  key: Buffer,
  keyId: string,
): Promise<AuditVerification> {
  const head = await db.selectFrom('audit_chain').selectAll().where('id', '=', 1).executeTakeFirst();
  if (head === undefined) return { ok: true, events: 0 };
  if (head.key_id !== keyId) {
    return {
      ok: false,
      events: 0,
      reason: `the trail was sealed with another master key (key id ${head.key_id})`,
    };
  }
  let link = '';
  let expectedSeq = 1;
  // Up to the head read first: events appended while the walk runs are checked next time.
  const lastSeq = Number(head.last_seq);
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .where('seq', '<=', lastSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    const participants = await participantsOf(
      db,
      rows.length === 0 ? 0 : Number(rows[0]!.seq),
      rows.length === 0 ? -1 : Number(rows[rows.length - 1]!.seq),
    );
    for (const row of rows) {
      const record = auditRecordOf(row);
      if (record.seq !== expectedSeq) {
        return {
          ok: false,
          events: expectedSeq - 1,
          brokenAt: expectedSeq,
          reason: `event ${expectedSeq} is missing`,
        };
      }
      link = auditLink(key, link, record);
      if (link !== row.hash) {
        return {
          ok: false,
          events: expectedSeq - 1,
          brokenAt: record.seq,
          reason: `event ${record.seq} was altered, or one before it`,
        };
      }
      // The search index of participants must say what the chained event says.
      const found = participants.get(record.seq) ?? '';
      // A transfer's `ae` rows are a search index added later: events an older node recorded carry none
      // (rolling upgrades), so none is accepted; rows that are there must be the AEs the detail names.
      const aes = transferAeTitles(record.eventId, record.detail);
      const expected = [participantKey(record.patientIds, record.studyUids, aes)];
      if (aes.length > 0) expected.push(participantKey(record.patientIds, record.studyUids, []));
      if (!expected.includes(found)) {
        return {
          ok: false,
          events: expectedSeq - 1,
          brokenAt: record.seq,
          reason: `the participants recorded for event ${record.seq} were altered`,
        };
      }
      expectedSeq += 1;
    }
    if (rows.length < PAGE) break;
  }
  const events = expectedSeq - 1;
  if (events !== lastSeq || link !== head.last_hash) {
    return {
      ok: false,
      events,
      brokenAt: events + 1,
      reason: `the chain head names event ${Number(head.last_seq)}, but the trail ends at event ${events}`,
    };
  }
  return { ok: true, events };
}

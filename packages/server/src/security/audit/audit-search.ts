import type { Kysely, Selectable } from 'kysely';
import type { AuditEventTable, Tables } from '../../db/tables.js';
import type { AuditRecord } from './audit-chain.js';
import { transferParticipantsOf } from './transfer-participants.js';

/** What a security officer searches the trail by; every field narrows the result. */
export interface AuditSearch {
  username?: string;
  patientId?: string;
  studyUid?: string;
  /** DCM code, e.g. 110112 Query. */
  eventId?: string;
  /** DCM event type code, e.g. 110122 Login. */
  eventType?: string;
  /** The requesting AE title (DIMSE). */
  aeTitle?: string;
  /** An AE that took part: the requesting AE, or a transfer's Source or Destination. */
  node?: string;
  outcome?: 'success' | 'failure';
  protocol?: string;
  address?: string;
  /** Only events up to this sequence number (paging through a fixed set while new events arrive). */
  maxSeq?: number;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

/** An audit event row as a record. */
export function auditRecordOf(row: Selectable<AuditEventTable>): AuditRecord {
  const transfer = transferParticipantsOf(row.event_id, row.detail);
  return {
    seq: Number(row.seq),
    occurredAt: Number(row.occurred_at),
    eventId: row.event_id,
    eventType: row.event_type,
    action: row.action,
    outcome: row.outcome,
    username: row.username,
    roles: JSON.parse(row.roles) as string[],
    protocol: row.protocol,
    address: row.address,
    aeTitle: row.ae_title,
    patientIds: JSON.parse(row.patient_ids) as string[],
    studyUids: JSON.parse(row.study_uids) as string[],
    detail: row.detail,
    ...(transfer !== undefined ? { transfer } : {}),
  };
}

/** The matching events, newest first. */
export async function searchAuditTrail(db: Kysely<Tables>, search: AuditSearch): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_event').selectAll('audit_event');
  // Participants are found through their own index, then the events by primary key.
  for (const [kind, value] of [
    ['patient', search.patientId],
    ['study', search.studyUid],
  ] as const) {
    if (value === undefined) continue;
    query = query.where('seq', 'in', (sub) =>
      sub
        .selectFrom('audit_participant')
        .select('event_seq')
        .where('kind', '=', kind)
        .where('value', '=', value),
    );
  }
  const node = search.node;
  if (node !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('ae_title', '=', node),
        eb(
          'seq',
          'in',
          eb
            .selectFrom('audit_participant')
            .select('event_seq')
            .where('kind', '=', 'ae')
            .where('value', '=', node),
        ),
      ]),
    );
  }
  if (search.username !== undefined) query = query.where('username', '=', search.username);
  if (search.eventId !== undefined) query = query.where('event_id', '=', search.eventId);
  if (search.eventType !== undefined) query = query.where('event_type', '=', search.eventType);
  if (search.aeTitle !== undefined) query = query.where('ae_title', '=', search.aeTitle);
  if (search.outcome !== undefined) query = query.where('outcome', '=', search.outcome);
  if (search.protocol !== undefined) query = query.where('protocol', '=', search.protocol);
  if (search.address !== undefined) query = query.where('address', '=', search.address);
  if (search.maxSeq !== undefined) query = query.where('seq', '<=', search.maxSeq);
  if (search.from !== undefined) query = query.where('occurred_at', '>=', search.from);
  if (search.to !== undefined) query = query.where('occurred_at', '<=', search.to);
  const rows = await query.orderBy('seq', 'desc').limit(search.limit).offset(search.offset).execute();
  return rows.map(auditRecordOf);
}

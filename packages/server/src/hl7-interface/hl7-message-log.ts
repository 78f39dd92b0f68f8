import type { Kysely, Selectable } from 'kysely';
import type { Hl7MessageTable, Tables } from '../db/tables.js';

/** A logged HL7 message. */
export type LoggedHl7Message = Selectable<Hl7MessageTable>;

/** What is logged of one inbound message and its answer. */
export interface InboundRecord {
  peer: string;
  messageType: string;
  controlId: string;
  sendingApplication: string;
  sendingFacility: string;
  version: string;
  raw: string;
  /** processed, ignored, rejected, error (replayed once a later replay applied it). */
  state: string;
  ackCode?: string;
  ack?: string;
  detail?: string;
  /** Set for an accepted message, so that a resend is answered from here. */
  dedupeKey?: string;
}

/** Every HL7 message in and out, raw, with its acknowledgement (issue #6 §2: the interface monitor reads it). */
export class Hl7MessageLog {
  constructor(private readonly db: Kysely<Tables>) {}

  /** The acknowledgement given to an accepted message with this sender and control ID, if any. */
  async acceptedAck(dedupeKey: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('hl7_message')
      .select('ack')
      .where('dedupe_key', '=', dedupeKey)
      .executeTakeFirst();
    return row?.ack ?? undefined;
  }

  /**
   * Records an inbound message, in the transaction that applied it when given one: there a second record
   * of an accepted message (a concurrent resend) fails on its dedupe key and rolls the whole change back.
   * Outside a transaction a duplicate keeps the first record.
   */
  async recordInbound(record: InboundRecord, trx?: Kysely<Tables>): Promise<void> {
    const now = Date.now();
    const insert = (trx ?? this.db).insertInto('hl7_message').values({
      direction: 'in',
      peer: record.peer,
      message_type: record.messageType,
      control_id: record.controlId,
      sending_application: record.sendingApplication,
      sending_facility: record.sendingFacility,
      version: record.version,
      raw: record.raw,
      state: record.state,
      ack_code: record.ackCode ?? null,
      ack: record.ack ?? null,
      detail: record.detail ?? null,
      dedupe_key: record.dedupeKey ?? null,
      attempts: 0,
      next_attempt_at: null,
      created_at: now,
      updated_at: now,
    });
    if (trx !== undefined) await insert.execute();
    else await insert.onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
  }

  /** Marks a failed inbound message as applied by a later replay. */
  async markReplayed(pk: number): Promise<void> {
    await this.db
      .updateTable('hl7_message')
      .set({ state: 'replayed', updated_at: Date.now() })
      .where('pk', '=', pk)
      .execute();
  }

  /** Queues a refused outbound message again, to be delivered at once (after those queued before it). */
  async requeue(pk: number): Promise<void> {
    await this.db
      .updateTable('hl7_message')
      .set({ state: 'pending', attempts: 0, next_attempt_at: Date.now(), updated_at: Date.now() })
      .where('pk', '=', pk)
      .where('direction', '=', 'out')
      .execute();
  }

  /** Deletes messages older than `before` (epoch ms) that are done with; those still to be sent stay. */
  async prune(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('hl7_message')
      .where('created_at', '<', before)
      .where('state', 'not in', ['pending', 'sending'])
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** One logged message. */
  async get(pk: number): Promise<LoggedHl7Message | undefined> {
    return this.db.selectFrom('hl7_message').selectAll().where('pk', '=', pk).executeTakeFirst();
  }

  /** The newest messages, newest first (the interface monitor). */
  async recent(limit: number, offset = 0, direction?: 'in' | 'out'): Promise<LoggedHl7Message[]> {
    let query = this.db.selectFrom('hl7_message').selectAll();
    if (direction !== undefined) query = query.where('direction', '=', direction);
    return query.orderBy('pk', 'desc').limit(limit).offset(offset).execute();
  }
}

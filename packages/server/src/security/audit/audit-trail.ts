import type { Logger } from 'pino';
import type { Database } from '../../db/open-database.js';
import { auditLink, type AuditRecord } from './audit-chain.js';
import { AuditEventId, type AuditEvent, type AuditSink } from './audit-sink.js';
import { transferAeTitles, transferDetail, transferParticipantsOf } from './transfer-participants.js';

/** Events written per transaction. */
const BATCH = 500;
/** How long an event waits for others to share its transaction. */
const FLUSH_DELAY_MS = 5;
const RETRY_MS = 1000;
/** Events kept in memory while the database refuses them; beyond this the oldest are logged and dropped. */
const MAX_PENDING = 100_000;

/** Called with each event once it is in the trail (syslog forwarding, intrusion detection). */
export type AuditListener = (record: AuditRecord) => void;

type Unsealed = Omit<AuditRecord, 'seq'>;

/** NUL cannot be stored in PostgreSQL text: an event carrying one would block the trail. */
const clean = (text: string) => text.replace(/\0/g, '');

/**
 * The detail an event is stored with: a transfer's Source and Destination first (see
 * {@link transferDetail}), and for an access under an emergency override its reason, so that reviewers
 * find them.
 */
function recordedDetail(event: AuditEvent): string | null {
  const own =
    event.transfer !== undefined && event.event.code === AuditEventId.InstancesTransferred.code
      ? transferDetail(event.transfer, event.detail)
      : event.detail;
  const detail =
    event.actor.emergency === undefined
      ? own
      : `${own ?? ''}${own ? ' ' : ''}[emergency access: ${event.actor.emergency.reason}]`;
  return detail === undefined ? null : clean(detail);
}

/**
 * The tamper-evident audit trail (issue #4 §3): events are appended in the database as a hash chain
 * (see {@link auditLink}) whose head row names the last link, so a truncated tail is detected as well.
 * Recording is synchronous and cheap; events are written in small batches a few milliseconds later, in
 * one transaction that holds the chain head (row-locked on PostgreSQL, so several nodes append in turn).
 */
export class AuditTrail implements AuditSink {
  private pending: Unsealed[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners: AuditListener[] = [];
  private failures = 0;

  constructor(
    private readonly database: Database,
    private readonly key: Buffer,
    private readonly keyId: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Creates the chain head on first use and refuses a different key than the one the trail was sealed
   * with: a chain continued under another key could never be verified.
   */
  async open(): Promise<void> {
    const { db } = this.database;
    await db
      .insertInto('audit_chain')
      .values({ id: 1, last_seq: 0, last_hash: '', key_id: this.keyId })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const head = await db
      .selectFrom('audit_chain')
      .select('key_id')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    if (head.key_id !== this.keyId) {
      throw new Error(
        `the audit trail was sealed with another master key (key id ${head.key_id}, this one is ${this.keyId}); ` +
          'set LIGHTBOX_MASTER_KEY to the key this database was started with',
      );
    }
  }

  /** Adds a listener told of every event written. */
  onRecorded(listener: AuditListener): void {
    this.listeners.push(listener);
  }

  record(event: AuditEvent): void {
    if (this.pending.length >= MAX_PENDING) {
      const dropped = this.pending.shift();
      this.logger.error({ audit: dropped }, 'audit trail backlog full: an audit event was dropped');
    }
    const detail = recordedDetail(event);
    // Read back from the detail as a search would, so listeners get what the row holds.
    const transfer = transferParticipantsOf(event.event.code, detail);
    this.pending.push({
      occurredAt: Date.now(),
      eventId: event.event.code,
      eventType: event.eventType?.code ?? null,
      action: event.action,
      outcome: event.outcome,
      username: clean(event.actor.username),
      roles: event.actor.roles.map(clean),
      protocol: event.actor.protocol,
      address: event.actor.address ?? null,
      aeTitle: event.actor.aeTitle ?? null,
      patientIds: [...new Set((event.patientIds ?? []).map(clean))],
      studyUids: [...new Set((event.studyUids ?? []).map(clean))],
      detail,
      ...(transfer !== undefined ? { transfer } : {}),
    });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes every event recorded so far; resolves once they are committed (or failed and re-queued). */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    // A failed write never stops later ones (writePending handles its own errors; this is a backstop).
    this.writing = this.writing.catch(() => undefined).then(() => this.writePending());
    return this.writing;
  }

  /** Writes what is pending and stops the timer. */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async writePending(): Promise<void> {
    while (this.pending.length > 0) {
      // After repeated failures, events go one at a time: if the next one is then written while this
      // one keeps failing, the database refuses this event itself (not an outage) and it must not block
      // the trail — it is logged in full and dropped. During an outage everything waits and is retried.
      const single = this.failures >= 3;
      const batch = this.pending.splice(0, single ? 1 : BATCH);
      let written: AuditRecord[];
      try {
        written = await this.append(batch);
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        if (single && this.failures >= 5 && this.pending.length > 0 && (await this.appendsNext())) {
          this.logger.error(
            { err: error, audit: batch[0] },
            'an audit event the database refuses was dropped from the trail',
          );
          this.failures = 0;
          continue;
        }
        this.pending.unshift(...batch);
        this.logger.error(
          { err: error, pending: this.pending.length },
          'audit events could not be written; retrying',
        );
        this.timer ??= setTimeout(() => void this.flush(), RETRY_MS);
        return;
      }
      this.tell(written);
    }
  }

  /** Writes the next pending event alone; true when that worked. */
  private async appendsNext(): Promise<boolean> {
    const next = this.pending.shift()!;
    try {
      this.tell(await this.append([next]));
      return true;
    } catch {
      this.pending.unshift(next);
      return false;
    }
  }

  private tell(written: AuditRecord[]): void {
    for (const record of written) {
      for (const listener of this.listeners) {
        try {
          listener(record);
        } catch (error) {
          this.logger.error({ err: error }, 'an audit listener failed');
        }
      }
    }
  }

  private async append(batch: Unsealed[]): Promise<AuditRecord[]> {
    const { db, dialect } = this.database;
    return db.transaction().execute(async (trx) => {
      let headQuery = trx.selectFrom('audit_chain').select(['last_seq', 'last_hash']).where('id', '=', 1);
      if (dialect === 'postgres') headQuery = headQuery.forUpdate();
      const head = await headQuery.executeTakeFirstOrThrow();
      let seq = Number(head.last_seq);
      let link = head.last_hash;
      const records = batch.map((event) => {
        seq += 1;
        const record: AuditRecord = { ...event, seq };
        link = auditLink(this.key, link, record);
        return { record, link };
      });
      await trx
        .insertInto('audit_event')
        .values(
          records.map(({ record: r, link: hash }) => ({
            seq: r.seq,
            occurred_at: r.occurredAt,
            event_id: r.eventId,
            event_type: r.eventType,
            action: r.action,
            outcome: r.outcome,
            username: r.username,
            roles: JSON.stringify(r.roles),
            protocol: r.protocol,
            address: r.address,
            ae_title: r.aeTitle,
            patient_ids: JSON.stringify(r.patientIds),
            study_uids: JSON.stringify(r.studyUids),
            detail: r.detail,
            hash,
          })),
        )
        .execute();
      const participants = records.flatMap(({ record: r }) => [
        ...r.patientIds.map((value) => ({ event_seq: r.seq, kind: 'patient', value })),
        ...r.studyUids.map((value) => ({ event_seq: r.seq, kind: 'study', value })),
        ...transferAeTitles(r.eventId, r.detail).map((value) => ({ event_seq: r.seq, kind: 'ae', value })),
      ]);
      for (let i = 0; i < participants.length; i += BATCH) {
        await trx
          .insertInto('audit_participant')
          .values(participants.slice(i, i + BATCH))
          .execute();
      }
      await trx
        .updateTable('audit_chain')
        .set({ last_seq: seq, last_hash: link })
        .where('id', '=', 1)
        .execute();
      return records.map(({ record }) => record);
    });
  }
}

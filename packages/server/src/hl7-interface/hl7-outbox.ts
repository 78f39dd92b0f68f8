import type tls from 'node:tls';
import { connectMllp, decodeMessageBytes, encodeMessageText, type MllpClient } from '@lightbox/hl7';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Hl7Destination } from '../config/config.js';
import type { Tables } from '../db/tables.js';
import type { ExamStatusChange } from '../ris/ris.js';
import { isToldOverHl7, orderStatusMessage } from './order-status-message.js';

/** What the outbox needs. */
export interface Hl7OutboxDeps {
  db: Kysely<Tables>;
  logger: Logger;
  destinations: Record<string, Hl7Destination>;
  /** First retry delay; it doubles up to {@link MAX_RETRY_MS}. */
  retryMs: number;
  sender: { application: string; facility?: string };
  /** Our client certificate and CA for destinations reached over TLS. */
  tls?: tls.ConnectionOptions;
}

const MAX_RETRY_MS = 10 * 60_000;
const ACK_TIMEOUT_MS = 30_000;
/** A message claimed by a node that then died is retried after this long. */
const CLAIM_TIMEOUT_MS = 2 * 60_000;
/** A connection to a destination is kept open this long after its last message, for the next ones. */
const IDLE_CLOSE_MS = 60_000;

/**
 * Outbound HL7 (issue #6 §2): each exam status change becomes one message per destination, written to the
 * database in the order the changes happened, and delivered in that order — a destination that is down
 * holds its queue and is retried with back-off until it acknowledges. AA (or CA) marks a message sent;
 * AE/AR mark it failed (the monitor shows it) and the queue moves on: resending the same message would
 * be refused the same way. The connection to a destination stays open between messages (as interface
 * engines expect) and is closed after a minute without any; one the destination closed meanwhile is
 * opened again at once.
 */
export class Hl7Outbox {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;
  private sequence = 0;
  /** Open connections by destination, with the timer that closes each when idle. */
  private readonly connections = new Map<string, { client: MllpClient; idle: NodeJS.Timeout }>();

  constructor(private readonly deps: Hl7OutboxDeps) {}

  /** The open connection to a destination, or a new one; `reused` when it was already open. */
  private async connectionTo(name: string): Promise<{ client: MllpClient; reused: boolean }> {
    const open = this.connections.get(name);
    if (open !== undefined) {
      clearTimeout(open.idle);
      this.connections.delete(name);
      return { client: open.client, reused: true };
    }
    const destination = this.deps.destinations[name]!;
    const client = await connectMllp({
      host: destination.host,
      port: destination.port,
      timeoutMs: 10_000,
      ...(destination.tls === true ? { tls: this.deps.tls ?? {} } : {}),
    });
    return { client, reused: false };
  }

  /** Keeps a connection for the destination's next message, closing it when it stays idle. */
  private keepOpen(name: string, client: MllpClient): void {
    const idle = setTimeout(() => {
      if (this.connections.get(name)?.client === client) this.connections.delete(name);
      void client.close().catch(() => undefined);
    }, IDLE_CLOSE_MS);
    idle.unref();
    this.connections.set(name, { client, idle });
  }

  /** Sends one message and returns the reply; a kept connection the destination has closed is replaced once. */
  private async exchange(name: string, bytes: Uint8Array): Promise<Uint8Array> {
    for (;;) {
      const { client, reused } = await this.connectionTo(name);
      try {
        const reply = await client.send(bytes, { timeoutMs: ACK_TIMEOUT_MS });
        if (this.stopped) await client.close().catch(() => undefined);
        else this.keepOpen(name, client);
        return reply;
      } catch (error) {
        await client.close().catch(() => undefined);
        // A kept connection may have been closed by the destination while idle: try a new one. The
        // receiver treats a message it may have had already as a resend (same MSH-10).
        if (!reused) throw error;
      }
    }
  }

  /**
   * Queues the messages of one status change, inside the transaction that makes the change (so a change
   * is never committed without its messages). Call {@link wake} once it has committed.
   */
  async enqueue(change: ExamStatusChange, db: Kysely<Tables> = this.deps.db): Promise<void> {
    const names = Object.keys(this.deps.destinations);
    if (names.length === 0 || !isToldOverHl7(change.status)) return;
    const patient = await db
      .selectFrom('patient')
      .select(['patient_id', 'issuer_of_patient_id', 'patient_name', 'patient_birth_date', 'patient_sex'])
      .where('pk', '=', change.order.patient_pk)
      .executeTakeFirstOrThrow();
    const now = Date.now();
    for (const name of names) {
      const destination = this.deps.destinations[name]!;
      const controlId =
        `LB${now.toString(36)}${(this.sequence++ % 1296).toString(36).padStart(2, '0')}`.toUpperCase();
      const raw = orderStatusMessage(
        change,
        {
          patientId: patient.patient_id,
          issuer: patient.issuer_of_patient_id,
          name: patient.patient_name,
          birthDate: patient.patient_birth_date,
          sex: patient.patient_sex,
        },
        { ...destination, name },
        this.deps.sender,
        controlId,
      );
      await db
        .insertInto('hl7_message')
        .values({
          direction: 'out',
          peer: name,
          message_type: destination.version === '2.3.1' ? 'ORM^O01' : 'OMG^O19',
          control_id: controlId,
          sending_application: this.deps.sender.application,
          sending_facility: this.deps.sender.facility ?? '',
          version: destination.version,
          raw,
          state: 'pending',
          ack_code: null,
          ack: null,
          detail: `exam ${change.order.accession_number} ${change.status}`,
          dedupe_key: null,
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
  }

  /** Starts delivering: now, then on every change and every second for retries. */
  start(): void {
    this.timer = setInterval(() => this.wake(), 1000);
    this.timer.unref();
    this.wake();
  }

  /** Stops after the delivery in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    for (const [name, { client, idle }] of this.connections) {
      clearTimeout(idle);
      this.connections.delete(name);
      await client.close().catch(() => undefined);
    }
  }

  /** Resolves when nothing is being delivered (for tests). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Starts a delivery round (or another one after the current). */
  wake(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.wakeAgain = true;
      return;
    }
    this.running = this.deliverAll()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'HL7 delivery round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }

  private async deliverAll(): Promise<void> {
    for (const name of Object.keys(this.deps.destinations)) {
      while (!this.stopped && (await this.deliverNext(name))) {
        // the next message of this destination
      }
    }
  }

  /** Delivers the oldest undelivered message of a destination; false when there is none due. */
  private async deliverNext(name: string): Promise<boolean> {
    const now = Date.now();
    const next = await this.deps.db
      .selectFrom('hl7_message')
      .selectAll()
      .where('direction', '=', 'out')
      .where('peer', '=', name)
      .where('state', 'in', ['pending', 'sending'])
      .orderBy('pk')
      .limit(1)
      .executeTakeFirst();
    if (next === undefined) return false;
    if (next.state === 'sending' && next.updated_at > now - CLAIM_TIMEOUT_MS) return false;
    if ((next.next_attempt_at ?? 0) > now) return false;
    // Claim it, so that another node sharing the database does not send it too.
    const claimed = await this.deps.db
      .updateTable('hl7_message')
      .set({ state: 'sending', attempts: next.attempts + 1, updated_at: now })
      .where('pk', '=', next.pk)
      .where('state', '=', next.state)
      .where('updated_at', '=', next.updated_at)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return false;
    try {
      const reply = await this.exchange(name, encodeMessageText(next.raw, 'UNICODE UTF-8'));
      const ack = decodeMessageBytes(reply);
      const code = /(?:^|\r)MSA\|([A-Z]{2})/.exec(ack)?.[1] ?? '';
      const accepted = code === 'AA' || code === 'CA';
      await this.deps.db
        .updateTable('hl7_message')
        .set({
          state: accepted ? 'sent' : 'failed',
          ack_code: code || null,
          ack,
          next_attempt_at: null,
          updated_at: Date.now(),
        })
        .where('pk', '=', next.pk)
        .execute();
      if (!accepted)
        this.deps.logger.warn({ destination: name, controlId: next.control_id, code }, 'HL7 message refused');
      return true;
    } catch (error) {
      const delay = Math.min(this.deps.retryMs * 2 ** Math.min(next.attempts, 20), MAX_RETRY_MS);
      await this.deps.db
        .updateTable('hl7_message')
        .set({
          state: 'pending',
          detail:
            `${next.detail ?? ''}`.replace(/ \(last attempt: .*\)$/, '') +
            ` (last attempt: ${(error as Error).message})`,
          next_attempt_at: Date.now() + delay,
          updated_at: Date.now(),
        })
        .where('pk', '=', next.pk)
        .execute();
      this.deps.logger.info(
        { destination: name, err: error, retryInMs: delay },
        'HL7 destination unreachable; will retry',
      );
      return false;
    }
  }
}

import type { Kysely, Migration } from 'kysely';
import { transferAeTitles } from '../../security/audit/transfer-participants.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Events read per batch while backfilling. */
const BATCH = 1000;

/**
 * The AE titles of a transfer's Source and Destination as `ae` participants of the audit trail (issue #3
 * and #4 §3), so that a security officer finds where instances went by the receiving AE. The
 * participant table is an index beside the hash-chained events, so filling it for events already
 * recorded changes no link; verification accepts a transfer without them (one an older node recorded
 * during a rolling upgrade). Read by the same parser the trail uses.
 */
export function auditAeParticipantsMigration(): Migration {
  return {
    async up(db: AnyDb) {
      // Searching by AE also matches the requesting AE of every event.
      await db.schema
        .createIndex('audit_event_ae_title_idx')
        .ifNotExists()
        .on('audit_event')
        .columns(['ae_title', 'seq'])
        .execute();
      // SQLite runs a migration outside a transaction: one cut short runs again from the start.
      await db.deleteFrom('audit_participant').where('kind', '=', 'ae').execute();
      let after = -1;
      for (;;) {
        const events = (await db
          .selectFrom('audit_event')
          .select(['seq', 'event_id', 'detail'])
          .where('seq', '>', after)
          .where('event_id', '=', '110104')
          .orderBy('seq')
          .limit(BATCH)
          .execute()) as Array<{ seq: number | string; event_id: string; detail: string | null }>;
        if (events.length === 0) break;
        after = Number(events[events.length - 1]!.seq);
        const rows = events.flatMap((event) =>
          transferAeTitles(event.event_id, event.detail).map((value) => ({
            event_seq: Number(event.seq),
            kind: 'ae',
            value,
          })),
        );
        if (rows.length > 0) await db.insertInto('audit_participant').values(rows).execute();
      }
    },
  };
}

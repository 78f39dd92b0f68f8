import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Tables } from '../db/tables.js';

/** A notice as its readers see it. */
export interface Notice {
  id: number;
  createdAt: string;
  audience: string;
  subject: string;
  body: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/**
 * Notices to the people who must act on them (issue #4 §6): intrusion alerts and emergency access go to
 * security officers and administrators. Kept in the database (any node's users see them) and logged at
 * warn level, so that a log shipper can page someone.
 */
export class Notifications {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly logger: Logger,
  ) {}

  /** Tells every role in `audience`. Never throws: a notice must not fail the request that raised it. */
  async notify(audience: readonly string[], subject: string, body: string): Promise<void> {
    this.logger.warn({ notification: true, audience, subject, body }, subject);
    const now = Date.now();
    try {
      await this.db
        .insertInto('notification')
        .values(
          audience.map((role) => ({
            created_at: now,
            audience: role,
            subject,
            body,
            acknowledged_at: null,
            acknowledged_by: null,
          })),
        )
        .execute();
    } catch (error) {
      this.logger.error({ err: error }, 'a notification could not be stored');
    }
  }

  /**
   * The newest notices for any of the roles. A notice told to several of them (one row per role, each
   * acknowledged on its own) is shown once to someone who holds more than one: open while any of their
   * copies is, its audience naming those roles.
   */
  async forRoles(roles: readonly string[], unacknowledgedOnly: boolean, limit = 100): Promise<Notice[]> {
    if (roles.length === 0) return [];
    let query = this.db
      .selectFrom('notification')
      .selectAll()
      .where('audience', 'in', [...roles]);
    if (unacknowledgedOnly) query = query.where('acknowledged_at', 'is', null);
    const rows = await query
      .orderBy('pk', 'desc')
      .limit(limit * roles.length)
      .execute();
    const notices = new Map<string, Notice>();
    for (const row of rows) {
      const key = `${row.created_at}|${row.subject}|${row.body}`;
      const seen = notices.get(key);
      if (seen !== undefined) {
        seen.audience = `${seen.audience}, ${row.audience}`;
        // Still to be seen while any copy of it is.
        if (row.acknowledged_at === null && seen.acknowledgedAt !== null) {
          Object.assign(seen, { id: Number(row.pk), acknowledgedAt: null, acknowledgedBy: null });
        }
        continue;
      }
      notices.set(key, {
        id: Number(row.pk),
        createdAt: new Date(Number(row.created_at)).toISOString(),
        audience: row.audience,
        subject: row.subject,
        body: row.body,
        acknowledgedAt:
          row.acknowledged_at === null ? null : new Date(Number(row.acknowledged_at)).toISOString(),
        acknowledgedBy: row.acknowledged_by,
      });
    }
    return [...notices.values()].slice(0, limit);
  }

  /**
   * Marks a notice of one of the roles as seen (by the first to do so), with its copies for the user's
   * other roles; false when there is no such open notice.
   */
  async acknowledge(id: number, roles: readonly string[], username: string): Promise<boolean> {
    if (roles.length === 0) return false;
    const notice = await this.db
      .selectFrom('notification')
      .select(['created_at', 'subject', 'body'])
      .where('pk', '=', id)
      .where('audience', 'in', [...roles])
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    if (notice === undefined) return false;
    const result = await this.db
      .updateTable('notification')
      .set({ acknowledged_at: Date.now(), acknowledged_by: username })
      .where('created_at', '=', notice.created_at)
      .where('subject', '=', notice.subject)
      .where('body', '=', notice.body)
      .where('audience', 'in', [...roles])
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

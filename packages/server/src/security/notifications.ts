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

  /** The newest notices for any of the roles. */
  async forRoles(roles: readonly string[], unacknowledgedOnly: boolean, limit = 100): Promise<Notice[]> {
    if (roles.length === 0) return [];
    let query = this.db
      .selectFrom('notification')
      .selectAll()
      .where('audience', 'in', [...roles]);
    if (unacknowledgedOnly) query = query.where('acknowledged_at', 'is', null);
    const rows = await query.orderBy('pk', 'desc').limit(limit).execute();
    return rows.map((row) => ({
      id: Number(row.pk),
      createdAt: new Date(Number(row.created_at)).toISOString(),
      audience: row.audience,
      subject: row.subject,
      body: row.body,
      acknowledgedAt:
        row.acknowledged_at === null ? null : new Date(Number(row.acknowledged_at)).toISOString(),
      acknowledgedBy: row.acknowledged_by,
    }));
  }

  /** Marks a notice of one of the roles as seen (by the first to do so); false when there is no such open notice. */
  async acknowledge(id: number, roles: readonly string[], username: string): Promise<boolean> {
    if (roles.length === 0) return false;
    const result = await this.db
      .updateTable('notification')
      .set({ acknowledged_at: Date.now(), acknowledged_by: username })
      .where('pk', '=', id)
      .where('audience', 'in', [...roles])
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

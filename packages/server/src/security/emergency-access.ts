import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { accessScopeOf } from './access-scope.js';
import type { Actor } from './actor.js';
import { AuditEventId, AuditEventType, type AuditSink } from './audit/audit-sink.js';
import type { Notifications } from './notifications.js';
import { Role } from './permissions.js';

/** Longest emergency access, and the default, in minutes. */
export const MAX_EMERGENCY_MINUTES = 240;
export const DEFAULT_EMERGENCY_MINUTES = 60;
const MIN_REASON_LENGTH = 10;

/** An emergency access in force. */
export interface ActiveEmergency {
  reason: string;
  startedAt: number;
  expiresAt: number;
}

/**
 * "Break the glass" (issue #4 part "what a user can do"): a user whose role limits which studies they
 * see states a reason and gets every study for a limited time. It starts and ends as security alerts in
 * the audit trail, every access meanwhile is marked as emergency access there, and security officers and
 * administrators are notified at once.
 */
export class EmergencyAccess {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly audit: AuditSink,
    private readonly notifications: Notifications,
  ) {}

  async start(actor: Actor, reason: string, minutes = DEFAULT_EMERGENCY_MINUTES): Promise<ActiveEmergency> {
    if (actor.userId === undefined)
      throw new AppError(ErrorCode.Forbidden, 'only a signed-in user can break the glass');
    const stated = reason.trim();
    if (stated.length < MIN_REASON_LENGTH) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        `state the reason in at least ${MIN_REASON_LENGTH} characters`,
        'reason',
      );
    }
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_EMERGENCY_MINUTES) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        `minutes must be 1 to ${MAX_EMERGENCY_MINUTES}`,
        'minutes',
      );
    }
    const startedAt = Date.now();
    const expiresAt = startedAt + minutes * 60_000;
    await this.db
      .updateTable('emergency_access')
      .set({ ended_at: startedAt })
      .where('user_pk', '=', actor.userId)
      .where('ended_at', 'is', null)
      .execute();
    await this.db
      .insertInto('emergency_access')
      .values({
        user_pk: actor.userId,
        reason: stated,
        started_at: startedAt,
        expires_at: expiresAt,
        ended_at: null,
      })
      .execute();
    const until = new Date(expiresAt).toISOString();
    this.audit.record({
      event: AuditEventId.SecurityAlert,
      eventType: AuditEventType.EmergencyOverrideStarted,
      action: 'E',
      outcome: 'success',
      actor,
      detail: `emergency access until ${until}: ${stated}`,
    });
    await this.notifications.notify(
      [Role.SecurityOfficer, Role.Admin],
      `Emergency access by ${actor.username}`,
      `${actor.username} broke the glass from ${actor.address ?? 'an unknown address'} until ${until}. Reason: ${stated}`,
    );
    return { reason: stated, startedAt, expiresAt };
  }

  /** Ends the user's own emergency access early; false when none was in force. */
  async end(actor: Actor): Promise<boolean> {
    if (actor.userId === undefined) return false;
    return this.endFor(actor, actor.userId, actor.username, 'emergency access ended by the user');
  }

  /** An administrator ends another user's emergency access; false when none was in force. */
  async endFor(
    actor: Actor,
    userPk: number,
    username: string,
    detail = `emergency access of ${username} ended by ${actor.username}`,
  ): Promise<boolean> {
    const now = Date.now();
    const result = await this.db
      .updateTable('emergency_access')
      .set({ ended_at: now })
      .where('user_pk', '=', userPk)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    const ended = Number(result.numUpdatedRows) > 0;
    if (ended) {
      this.audit.record({
        event: AuditEventId.SecurityAlert,
        eventType: AuditEventType.EmergencyOverrideStopped,
        action: 'E',
        outcome: 'success',
        actor,
        detail,
      });
    }
    return ended;
  }

  /** Every emergency access in force now, by user name (the user list shows them to administrators). */
  async activeByUsername(): Promise<Map<string, ActiveEmergency>> {
    const rows = await this.db
      .selectFrom('emergency_access as e')
      .innerJoin('app_user as u', 'u.pk', 'e.user_pk')
      .select(['u.username', 'e.reason', 'e.started_at', 'e.expires_at'])
      .where('e.ended_at', 'is', null)
      .where('e.expires_at', '>', Date.now())
      .orderBy('e.pk')
      .execute();
    return new Map(
      rows.map((row) => [
        row.username,
        { reason: row.reason, startedAt: Number(row.started_at), expiresAt: Number(row.expires_at) },
      ]),
    );
  }

  /**
   * Marks on an authenticated user's actor the emergency access in force now, or clears one that has
   * ended, whatever the protocol (each HTTP request; each request of a DIMSE association with user
   * identity, so that ending it reaches associations already open). Only users whose role limits what
   * they see can be under one; others are left as they are without a lookup.
   */
  async attachTo(actor: Actor): Promise<void> {
    if (actor.userId === undefined) return;
    const { emergency: _previous, ...withoutEmergency } = actor;
    if (accessScopeOf(withoutEmergency).kind === 'all') return;
    const emergency = await this.activeFor(actor.userId);
    if (emergency !== undefined)
      actor.emergency = { reason: emergency.reason, expiresAt: emergency.expiresAt };
    else delete actor.emergency;
  }

  /** The user's emergency access in force now, if any. */
  async activeFor(userPk: number): Promise<ActiveEmergency | undefined> {
    const now = Date.now();
    const row = await this.db
      .selectFrom('emergency_access')
      .select(['reason', 'started_at', 'expires_at'])
      .where('user_pk', '=', userPk)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('pk', 'desc')
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { reason: row.reason, startedAt: Number(row.started_at), expiresAt: Number(row.expires_at) };
  }
}

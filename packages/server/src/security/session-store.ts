import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';

/** A browser session ends after this long without a request… */
export const SESSION_IDLE_MS = 30 * 60_000;
/** …and after this long in any case. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
const TOUCH_INTERVAL_MS = 30_000;

/** A valid session. */
export interface Session {
  pk: number;
  userPk: number;
  csrfToken: string;
  expiresAt: number;
}

function hashSession(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * Browser sessions (issue #4 §1) kept in the database, so that any node can serve any request and a
 * logout or a disabled user ends them everywhere. The cookie holds a random ID; only its hash is stored.
 * Each session has its own CSRF token (synchronizer pattern) that unsafe requests must echo in a header.
 */
export class SessionStore {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Starts a session; the ID goes into the cookie and nowhere else. */
  async create(userPk: number, address: string | undefined): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = now + SESSION_MAX_MS;
    // Sessions that ended without a sign-out are swept whenever a new one starts.
    await this.db
      .deleteFrom('user_session')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - SESSION_IDLE_MS)]))
      .execute();
    const row = await this.db
      .insertInto('user_session')
      .values({
        session_hash: hashSession(id),
        user_pk: userPk,
        csrf_token: csrfToken,
        address: address ?? null,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
      })
      .returning('pk')
      .executeTakeFirstOrThrow();
    return { id, session: { pk: Number(row.pk), userPk, csrfToken, expiresAt } };
  }

  /**
   * The session for a cookie value when it is still valid, and marks it used unless `touch` is false (a
   * request the app makes on its own); undefined otherwise.
   */
  async find(id: string, options: { touch?: boolean } = {}): Promise<Session | undefined> {
    if (id.length === 0 || id.length > 100) return undefined;
    const row = await this.db
      .selectFrom('user_session')
      .selectAll()
      .where('session_hash', '=', hashSession(id))
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const now = Date.now();
    const lastSeen = Number(row.last_seen_at);
    if (now >= Number(row.expires_at) || now - lastSeen >= SESSION_IDLE_MS) {
      await this.db.deleteFrom('user_session').where('pk', '=', row.pk).execute();
      return undefined;
    }
    if (options.touch !== false && now - lastSeen > TOUCH_INTERVAL_MS) {
      await this.db.updateTable('user_session').set({ last_seen_at: now }).where('pk', '=', row.pk).execute();
    }
    return {
      pk: Number(row.pk),
      userPk: Number(row.user_pk),
      csrfToken: row.csrf_token,
      expiresAt: Number(row.expires_at),
    };
  }

  /** Whether a session is still in force (not ended, expired or idle too long); marks nothing. */
  async isOpen(pk: number): Promise<boolean> {
    const now = Date.now();
    const row = await this.db
      .selectFrom('user_session')
      .select('pk')
      .where('pk', '=', pk)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', now - SESSION_IDLE_MS)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Ends one session. */
  async end(pk: number): Promise<void> {
    await this.db.deleteFrom('user_session').where('pk', '=', pk).execute();
  }

  /** Ends every session of a user (disabled, password changed). */
  async endAllOf(userPk: number): Promise<void> {
    await this.db.deleteFrom('user_session').where('user_pk', '=', userPk).execute();
  }
}

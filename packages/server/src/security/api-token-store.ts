import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ApiTokenTable, Tables } from '../db/tables.js';
import type { PermissionValue } from './permissions.js';

const TOKEN_PREFIX = 'lbx_';
/** last_used_at is refreshed at most this often, so that a busy client does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

/** An API token as listed (never the token itself). */
export interface ApiToken {
  id: number;
  name: string;
  /** The token's first characters, to tell tokens apart. */
  prefix: string;
  permissions: PermissionValue[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A presented token that is valid now. */
export interface VerifiedToken {
  id: number;
  userPk: number;
  permissions: PermissionValue[];
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function tokenOf(row: Selectable<ApiTokenTable>): ApiToken {
  return {
    id: Number(row.pk),
    name: row.name,
    prefix: row.token_prefix,
    permissions: JSON.parse(row.permissions) as PermissionValue[],
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

/**
 * Personal API tokens (issue #4 §1): random 256-bit secrets shown once; only their SHA-256 is stored
 * (a token has full entropy, so a fast hash suffices and lookups stay one index probe). Scoped to a subset
 * of the user's permissions, expiring, revocable.
 */
export class ApiTokenStore {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Issues a token; the returned secret is not kept anywhere. */
  async issue(
    userPk: number,
    name: string,
    permissions: PermissionValue[],
    expiresAt: number,
  ): Promise<{ token: string; record: ApiToken }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = Date.now();
    const row = await this.db
      .insertInto('api_token')
      .values({
        user_pk: userPk,
        name,
        token_hash: hashToken(token),
        token_prefix: token.slice(0, TOKEN_PREFIX.length + 8),
        permissions: JSON.stringify(permissions),
        created_at: now,
        expires_at: expiresAt,
        last_used_at: null,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { token, record: tokenOf(row) };
  }

  /** The user's tokens, newest first, revoked and expired ones included. */
  async list(userPk: number): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_token')
      .selectAll()
      .where('user_pk', '=', userPk)
      .orderBy('pk', 'desc')
      .execute();
    return rows.map(tokenOf);
  }

  /** Revokes one of the user's tokens; false when the user has no such token. */
  async revoke(userPk: number, id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_token')
      .set({ revoked_at: Date.now() })
      .where('pk', '=', id)
      .where('user_pk', '=', userPk)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Revokes every token of the user (when the user is disabled). */
  async revokeAll(userPk: number): Promise<void> {
    await this.db
      .updateTable('api_token')
      .set({ revoked_at: Date.now() })
      .where('user_pk', '=', userPk)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** The token's grant when it is known, not revoked and not expired; undefined otherwise. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
    const row = await this.db
      .selectFrom('api_token')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    const now = Date.now();
    if (row === undefined || row.revoked_at !== null || Number(row.expires_at) <= now) return undefined;
    if (row.last_used_at === null || now - Number(row.last_used_at) > TOUCH_INTERVAL_MS) {
      await this.db.updateTable('api_token').set({ last_used_at: now }).where('pk', '=', row.pk).execute();
    }
    return {
      id: Number(row.pk),
      userPk: Number(row.user_pk),
      permissions: JSON.parse(row.permissions) as PermissionValue[],
    };
  }
}

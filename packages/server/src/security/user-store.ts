import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { SqlDialect } from '../db/sql-dialect.js';
import type { Tables, UserTable } from '../db/tables.js';
import { hashPassword } from './passwords.js';

/** A user as authentication and administration need it. */
export interface User {
  pk: number;
  username: string;
  passwordHash: string;
  roles: string[];
  disabled: boolean;
  displayName: string | null;
  /** Provider identifiers (e.g. an NPI) that tie a referring physician to their patients' studies. */
  providerIds: string[];
  /** Institutions the user is limited to; empty: no such limit. */
  institutions: string[];
  failedLogins: number;
  lockedUntil: number | null;
  /** Set for users who sign in through OpenID Connect. */
  oidcSubject: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What an administrator may change on a user. */
export interface UserChanges {
  password?: string;
  roles?: string[];
  disabled?: boolean;
  displayName?: string | null;
  providerIds?: string[];
  institutions?: string[];
}

function userOf(row: Selectable<UserTable>): User {
  return {
    pk: Number(row.pk),
    username: row.username,
    passwordHash: row.password_hash,
    roles: JSON.parse(row.roles) as string[],
    disabled: Number(row.disabled) !== 0,
    displayName: row.display_name,
    providerIds: JSON.parse(row.provider_ids) as string[],
    institutions: JSON.parse(row.institutions) as string[],
    failedLogins: Number(row.failed_logins),
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
    oidcSubject: row.oidc_subject,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * The PostgreSQL NOTIFY channel that names a user whose credentials, roles or restrictions changed: every
 * node forgets what it cached of that user (password-authenticator.ts) as soon as the change commits.
 */
export const USER_CHANGES_CHANNEL = 'lightbox_users';

/** Users in the index database. Users are disabled, never deleted: the audit trail names them. */
export class UserStore {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: SqlDialect,
  ) {}

  /**
   * Runs a change of a user's row and, on PostgreSQL, announces it to every node in the same transaction
   * (a NOTIFY is delivered when, and only if, the transaction commits). SQLite is one node: nothing to tell.
   */
  private async changing<T>(username: string, change: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
    if (this.dialect !== 'postgres') return change(this.db);
    return this.db.transaction().execute(async (trx) => {
      const result = await change(trx);
      await sql`SELECT pg_notify(${USER_CHANGES_CHANNEL}, ${username})`.execute(trx);
      return result;
    });
  }

  /** The user with this name, or undefined. */
  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('app_user')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row === undefined ? undefined : userOf(row);
  }

  /** The user linked to this OpenID Connect subject (`<issuer>#<sub>`), or undefined. */
  async findByOidcSubject(subject: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('app_user')
      .selectAll()
      .where('oidc_subject', '=', subject)
      .executeTakeFirst();
    return row === undefined ? undefined : userOf(row);
  }

  /** The user with this key, or undefined. */
  async findByPk(pk: number): Promise<User | undefined> {
    const row = await this.db.selectFrom('app_user').selectAll().where('pk', '=', pk).executeTakeFirst();
    return row === undefined ? undefined : userOf(row);
  }

  /** Every user, by name. */
  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('app_user').selectAll().orderBy('username').execute();
    return rows.map(userOf);
  }

  /** Creates a user; false when the name is taken. */
  async create(
    username: string,
    password: string,
    roles: string[],
    details: Omit<UserChanges, 'password' | 'roles'> = {},
  ): Promise<boolean> {
    return this.insert(username, await hashPassword(password), roles, details, null);
  }

  /**
   * Creates a user who signs in only through OpenID Connect: the password hash is a value no password
   * verifies against. False when the name is taken.
   */
  createFederated(
    username: string,
    oidcSubject: string,
    roles: string[],
    details: Omit<UserChanges, 'password' | 'roles'>,
  ): Promise<boolean> {
    return this.insert(username, '!federated', roles, details, oidcSubject);
  }

  private async insert(
    username: string,
    passwordHash: string,
    roles: string[],
    details: Omit<UserChanges, 'password' | 'roles'>,
    oidcSubject: string | null,
  ): Promise<boolean> {
    const now = Date.now();
    const result = await this.db
      .insertInto('app_user')
      .values({
        username,
        password_hash: passwordHash,
        roles: JSON.stringify(roles),
        disabled: details.disabled === true ? 1 : 0,
        display_name: details.displayName ?? null,
        provider_ids: JSON.stringify(details.providerIds ?? []),
        institutions: JSON.stringify(details.institutions ?? []),
        failed_logins: 0,
        locked_until: null,
        oidc_subject: oidcSubject,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Applies changes to a user; false when there is no such user. A new password also ends a lockout. */
  async update(username: string, changes: UserChanges): Promise<boolean> {
    const set: Updateable<UserTable> = { updated_at: Date.now() };
    if (changes.password !== undefined) {
      set.password_hash = await hashPassword(changes.password);
      set.failed_logins = 0;
      set.locked_until = null;
    }
    if (changes.roles !== undefined) set.roles = JSON.stringify(changes.roles);
    if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
    if (changes.displayName !== undefined) set.display_name = changes.displayName;
    if (changes.providerIds !== undefined) set.provider_ids = JSON.stringify(changes.providerIds);
    if (changes.institutions !== undefined) set.institutions = JSON.stringify(changes.institutions);
    const result = await this.changing(username, (db) =>
      db.updateTable('app_user').set(set).where('username', '=', username).executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /** Sets a user's password; false when there is no such user. */
  setPassword(username: string, password: string): Promise<boolean> {
    return this.update(username, { password });
  }

  /**
   * Counts a failed password for the user and locks the account for `lockMs` once `threshold` failures
   * follow one another. Returns the lock's end when this failure locked it.
   */
  async recordFailedLogin(pk: number, threshold: number, lockMs: number): Promise<number | undefined> {
    const now = Date.now();
    const row = await this.db
      .updateTable('app_user')
      .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
      .where('pk', '=', pk)
      .returning(['failed_logins', 'username'])
      .executeTakeFirst();
    if (row === undefined || Number(row.failed_logins) < threshold) return undefined;
    const until = now + lockMs;
    await this.changing(row.username, (db) =>
      db
        .updateTable('app_user')
        .set({ locked_until: until, failed_logins: 0 })
        .where('pk', '=', pk)
        .execute(),
    );
    return until;
  }

  /** A successful password: the failure count starts again. */
  async recordSuccessfulLogin(user: User): Promise<void> {
    if (user.failedLogins === 0 && user.lockedUntil === null) return;
    await this.db
      .updateTable('app_user')
      .set({ failed_logins: 0, locked_until: null })
      .where('pk', '=', user.pk)
      .execute();
  }
}

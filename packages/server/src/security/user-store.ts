import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { hashPassword } from './passwords.js';

/** A user as authentication needs it. */
export interface User {
  pk: number;
  username: string;
  passwordHash: string;
  roles: string[];
  disabled: boolean;
}

/** Users in the index database. */
export class UserStore {
  constructor(private readonly db: Kysely<Tables>) {}

  /** The user with this name, or undefined. */
  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('app_user')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      pk: row.pk,
      username: row.username,
      passwordHash: row.password_hash,
      roles: JSON.parse(row.roles) as string[],
      disabled: row.disabled !== 0,
    };
  }

  /** Creates a user; false when the name is taken. */
  async create(username: string, password: string, roles: string[]): Promise<boolean> {
    const now = Date.now();
    const result = await this.db
      .insertInto('app_user')
      .values({
        username,
        password_hash: await hashPassword(password),
        roles: JSON.stringify(roles),
        disabled: 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Sets a user's password; false when there is no such user. */
  async setPassword(username: string, password: string): Promise<boolean> {
    const result = await this.db
      .updateTable('app_user')
      .set({ password_hash: await hashPassword(password), updated_at: Date.now() })
      .where('username', '=', username)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

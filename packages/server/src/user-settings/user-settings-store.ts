import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { effectiveSettings, type UserSettings, type UserSettingsDocument } from './user-settings-document.js';

/** Users' settings in the index database: one row per user who saved any. */
export class UserSettingsStore {
  constructor(private readonly db: Kysely<Tables>) {}

  /** The user's settings in force: what they saved over the defaults, or the defaults. */
  async read(userPk: number): Promise<UserSettings> {
    const row = await this.db
      .selectFrom('user_settings')
      .select('settings')
      .where('user_pk', '=', userPk)
      .executeTakeFirst();
    return effectiveSettings(row === undefined ? {} : (JSON.parse(row.settings) as UserSettingsDocument));
  }

  /**
   * Replaces the user's document (already validated) and answers the settings now in force. One
   * statement, so two workstations saving at once leave one whole document, the last one's.
   */
  async replace(userPk: number, document: UserSettingsDocument): Promise<UserSettings> {
    const settings = JSON.stringify(document);
    const updatedAt = Date.now();
    await this.db
      .insertInto('user_settings')
      .values({ user_pk: userPk, settings, updated_at: updatedAt })
      .onConflict((oc) => oc.column('user_pk').doUpdateSet({ settings, updated_at: updatedAt }))
      .execute();
    return effectiveSettings(document);
  }
}

import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
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
   * Changes the user's document by `change` (which validates what it makes, throwing to refuse it) and
   * answers the settings now in force. Read, change and write are one step as far as other writers are
   * concerned: the write goes through only if the row is still the one read (its `updated_at`), else the
   * change is made again on what the other writer left, so two saves of different settings both last.
   */
  async update(
    userPk: number,
    change: (document: UserSettingsDocument) => UserSettingsDocument,
  ): Promise<UserSettings> {
    for (let attempt = 0; attempt < 50; attempt++) {
      // Writers that keep meeting each other wait a little, at random, before reading again.
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
      const row = await this.db
        .selectFrom('user_settings')
        .select(['settings', 'updated_at'])
        .where('user_pk', '=', userPk)
        .executeTakeFirst();
      const document = change(row === undefined ? {} : (JSON.parse(row.settings) as UserSettingsDocument));
      const settings = JSON.stringify(document);
      // Strictly later than the version read, so that a write in the same millisecond is still told apart.
      const updatedAt = Math.max(Date.now(), row === undefined ? 0 : Number(row.updated_at) + 1);
      const written =
        row === undefined
          ? await this.db
              .insertInto('user_settings')
              .values({ user_pk: userPk, settings, updated_at: updatedAt })
              .onConflict((oc) => oc.column('user_pk').doNothing())
              .executeTakeFirst()
          : await this.db
              .updateTable('user_settings')
              .set({ settings, updated_at: updatedAt })
              .where('user_pk', '=', userPk)
              .where('updated_at', '=', row.updated_at)
              .executeTakeFirst();
      const count =
        'numInsertedOrUpdatedRows' in written
          ? Number(written.numInsertedOrUpdatedRows ?? 0)
          : Number(written.numUpdatedRows);
      if (count > 0) return effectiveSettings(document);
    }
    throw new AppError(ErrorCode.Conflict, 'the settings kept changing while they were saved; try again');
  }

  /**
   * Replaces the user's document (already validated) and answers the settings now in force. One
   * statement, whose `updated_at` is strictly later than the row's, so that a patch read before it
   * (see {@link update}) cannot write over it, even within the same millisecond.
   */
  async replace(userPk: number, document: UserSettingsDocument): Promise<UserSettings> {
    const settings = JSON.stringify(document);
    const now = Date.now();
    await this.db
      .insertInto('user_settings')
      .values({ user_pk: userPk, settings, updated_at: now })
      .onConflict((oc) =>
        oc.column('user_pk').doUpdateSet({
          settings,
          updated_at: sql<number>`CASE WHEN user_settings.updated_at >= ${now} THEN user_settings.updated_at + 1 ELSE ${now} END`,
        }),
      )
      .execute();
    return effectiveSettings(document);
  }
}

import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { UserHangingProtocol } from './user-settings-document.js';

/** The row of `department_setting` that holds the department's hanging protocols. */
const HANGING_PROTOCOLS = 'hanging-protocols';

/** The department's hanging protocols and the version they are at (0: never saved, none). */
export interface DepartmentProtocols {
  protocols: UserHangingProtocol[];
  version: number;
}

/**
 * The hanging protocols the administrator keeps for everyone (tried after a user's own, before the
 * built-in ones), one document in the index database. Each write makes the next version, so that a
 * writer that read version n replaces the list only while it is still at n.
 */
export class DepartmentProtocolStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async read(): Promise<DepartmentProtocols> {
    const row = await this.db
      .selectFrom('department_setting')
      .select(['document', 'version'])
      .where('name', '=', HANGING_PROTOCOLS)
      .executeTakeFirst();
    if (row === undefined) return { protocols: [], version: 0 };
    return { protocols: JSON.parse(row.document) as UserHangingProtocol[], version: Number(row.version) };
  }

  /**
   * Replaces the list (already validated) and answers it at its new version. With `ifVersion`, only if
   * the list is still at that version (else {@link ErrorCode.PreconditionFailed}: someone saved since it
   * was read); without, whatever is stored now is replaced (the last writer wins).
   */
  async replace(protocols: UserHangingProtocol[], ifVersion?: number): Promise<DepartmentProtocols> {
    const document = JSON.stringify(protocols);
    // Without a version to keep to, a writer that meets another simply reads the new version and goes on.
    for (let attempt = 0; attempt < 50; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
      const { version } = await this.read();
      if (ifVersion !== undefined && ifVersion !== version) {
        throw new AppError(
          ErrorCode.PreconditionFailed,
          `the department's hanging protocols were changed since version ${ifVersion} was read ` +
            `(they are at version ${version}): read them again, and make the change on those`,
        );
      }
      const next = { document, version: version + 1, updated_at: Date.now() };
      const written =
        version === 0
          ? await this.db
              .insertInto('department_setting')
              .values({ name: HANGING_PROTOCOLS, ...next })
              .onConflict((oc) => oc.column('name').doNothing())
              .executeTakeFirst()
          : await this.db
              .updateTable('department_setting')
              .set(next)
              .where('name', '=', HANGING_PROTOCOLS)
              .where('version', '=', version)
              .executeTakeFirst();
      const count =
        'numInsertedOrUpdatedRows' in written
          ? Number(written.numInsertedOrUpdatedRows ?? 0)
          : Number(written.numUpdatedRows);
      if (count > 0) return { protocols, version: next.version };
    }
    throw new AppError(
      ErrorCode.Conflict,
      "the department's hanging protocols kept changing while they were saved; try again",
    );
  }
}

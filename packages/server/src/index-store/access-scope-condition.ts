import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlDialect } from '../db/sql-dialect.js';
import type { AccessScope } from '../security/access-scope.js';

/** Kinds of `study_access_key` rows. */
export const StudyAccessKind = {
  /** A referring provider's identifier (see archive/referring-providers.ts). */
  Provider: 'provider',
} as const;

/**
 * The SQL condition that keeps a query inside an access scope, on the study table under `study`
 * (an alias). Undefined when the scope sees everything.
 */
export function accessScopeCondition(
  dialect: SqlDialect,
  scope: AccessScope,
  study: string,
): RawBuilder<SqlBool> | undefined {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'none') return sql<SqlBool>`1 = 0`;
  const conditions: RawBuilder<SqlBool>[] = [];
  const studyPk = sql.ref(`${study}.pk`);
  if (scope.providerIds !== undefined) {
    if (scope.providerIds.length === 0) return sql<SqlBool>`1 = 0`;
    const ids = sql.join(scope.providerIds.map((id) => sql`${id}`));
    // The referring provider IDs of each study are keys of their own (filled at ingest): an index lookup.
    conditions.push(
      sql<SqlBool>`${studyPk} IN (SELECT study_pk FROM study_access_key WHERE kind = ${StudyAccessKind.Provider} AND value IN (${ids}))`,
    );
  }
  if (scope.institutions !== undefined && scope.institutions.length > 0) {
    const names = sql.join(scope.institutions.map((name) => sql`${name}`));
    // (0008,0080) Institution Name is a series attribute (General Equipment). Every series of the study
    // must come from one of the institutions: a series added from elsewhere (anyone who may store can add
    // one to any study) hides the study rather than opening it.
    const institution =
      dialect === 'sqlite'
        ? sql`json_extract(scope_se.attributes, '$."00080080".Value[0]')`
        : sql`(scope_se.attributes)::jsonb -> '00080080' -> 'Value' ->> 0`;
    conditions.push(
      sql<SqlBool>`NOT EXISTS (SELECT 1 FROM series scope_se WHERE scope_se.study_pk = ${studyPk} AND (${institution} IS NULL OR ${institution} NOT IN (${names})))`,
    );
  }
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
}

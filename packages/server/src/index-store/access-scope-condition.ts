import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlDialect } from '../db/sql-dialect.js';
import type { AccessScope } from '../security/access-scope.js';

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
  const attributes = sql.ref(`${study}.attributes`);
  const studyPk = sql.ref(`${study}.pk`);
  if (scope.providerIds !== undefined) {
    if (scope.providerIds.length === 0) return sql<SqlBool>`1 = 0`;
    const ids = sql.join(scope.providerIds.map((id) => sql`${id}`));
    // (0008,0096) Referring Physician Identification Sequence → (0040,1101) Person Identification Code
    // Sequence → (0008,0100) Code Value.
    conditions.push(
      dialect === 'sqlite'
        ? sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(${attributes}, '$."00080096".Value') AS person, json_each(person.value, '$."00401101".Value') AS code WHERE json_extract(code.value, '$."00080100".Value[0]') IN (${ids}))`
        : sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements((${attributes})::jsonb -> '00080096' -> 'Value') AS person(x), jsonb_array_elements(person.x -> '00401101' -> 'Value') AS code(x) WHERE code.x -> '00080100' -> 'Value' ->> 0 IN (${ids}))`,
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

import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlDialect } from '../db/sql-dialect.js';
import type { AccessScope } from '../security/access-scope.js';
import { PROVIDER_ISSUER_SEPARATOR, StudyAccessKind } from '../archive/referring-providers.js';
import { indexedText, isIndexedAttribute, NOT_TEXT } from './attribute-values.js';

/** (0008,0080) Institution Name: a series attribute (General Equipment), recorded in `attribute_value`. */
const INSTITUTION_NAME = 0x00080080;

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
    const providerIds = scope.providerIds;
    if (providerIds.length === 0) return sql<SqlBool>`1 = 0`;
    // An `ID^ISSUER` is looked for among the keys that name their issuer, an ID alone among the others.
    const keys = [StudyAccessKind.Provider, StudyAccessKind.IssuedProvider].flatMap((kind) => {
      const values = providerIds.filter(
        (id) => id.includes(PROVIDER_ISSUER_SEPARATOR) === (kind === StudyAccessKind.IssuedProvider),
      );
      return values.length === 0
        ? []
        : [
            sql`SELECT study_pk FROM study_access_key WHERE kind = ${kind} AND value IN (${sql.join(values.map((v) => sql`${v}`))})`,
          ];
    });
    // A study names the provider (its referring provider IDs are keys of their own, filled at ingest, each
    // alone and qualified by its issuer), or the order it was done for does (HL7 PV1-8): the order's Study
    // Instance UID, for the same patient (a study of another patient under an order's UID is a
    // reconciliation case, not the order's). One set of keys, not an OR: each half is an index lookup.
    conditions.push(
      sql<SqlBool>`${studyPk} IN (${sql.join(keys, sql` UNION ALL `)}
        UNION ALL SELECT scope_ordered.pk FROM imaging_order scope_order JOIN study scope_ordered ON scope_ordered.study_instance_uid = scope_order.study_instance_uid AND scope_ordered.patient_pk = scope_order.patient_pk
        WHERE ${orderNamesProvider(providerIds)})`,
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
    // Only studies with a series from one of them can qualify: the attribute value table names those
    // (a superset, by the values' first 64 characters), so the series' JSON is read for them alone.
    if (isIndexedAttribute(INSTITUTION_NAME)) {
      const keys = sql.join([...new Set([NOT_TEXT, ...scope.institutions.map(indexedText)])]);
      conditions.push(
        sql<SqlBool>`${studyPk} IN (SELECT study_pk FROM attribute_value WHERE tag = ${INSTITUTION_NAME} AND value IN (${keys}))`,
      );
    }
    conditions.push(
      sql<SqlBool>`NOT EXISTS (SELECT 1 FROM series scope_se WHERE scope_se.study_pk = ${studyPk} AND (${institution} IS NULL OR ${institution} NOT IN (${names})))`,
    );
  }
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
}

/**
 * An order (`scope_order`) names one of these provider identifiers: an identifier alone matches the
 * order's ID whoever issued it; `ID^ISSUER` matches only an order whose ID came with that issuer (HL7
 * PV1-8.9). Every branch looks the order up by its ID (indexed).
 */
function orderNamesProvider(providerIds: readonly string[]): RawBuilder<SqlBool> {
  const unqualified: string[] = [];
  const branches: RawBuilder<SqlBool>[] = [];
  for (const providerId of providerIds) {
    const at = providerId.indexOf(PROVIDER_ISSUER_SEPARATOR);
    if (at < 0) unqualified.push(providerId);
    else
      branches.push(
        sql<SqlBool>`(scope_order.referring_provider_id = ${providerId.slice(0, at)} AND scope_order.referring_provider_issuer = ${providerId.slice(at + 1)})`,
      );
  }
  if (unqualified.length > 0)
    branches.unshift(
      sql<SqlBool>`scope_order.referring_provider_id IN (${sql.join(unqualified.map((id) => sql`${id}`))})`,
    );
  return sql<SqlBool>`(${sql.join(branches, sql` OR `)})`;
}

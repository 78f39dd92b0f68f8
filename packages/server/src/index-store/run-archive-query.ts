import { tagToHex } from '@lightbox/dicom';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { QueryMatch } from '../archive/index-store.js';
import { levelOfTag } from '../archive/level-attributes.js';
import { nameWords, normalizeNameText, phoneticKey } from '../archive/matching/person-name-search.js';
import type { ArchiveQuery, AttributeFilter } from '../archive/query/archive-query.js';
import type { AttributeMatch } from '../archive/query/attribute-match.js';
import type { SqlDialect } from '../db/sql-dialect.js';
import type { Tables } from '../db/tables.js';
import type { AccessScope } from '../security/access-scope.js';
import { accessScopeCondition } from './access-scope-condition.js';
import { attributeValueCandidates } from './attribute-values.js';
import { COLUMNS, type ColumnSpec, type Level } from './column-specs.js';
import { containsOneOf, isOneOf, matchesWildcard } from './sql-text.js';
import { studySortKeys, type SortKey } from './study-sort-keys.js';

const DEPTH: Record<Level, number> = { patient: 0, study: 1, series: 2, instance: 3 };
const ALIAS: Record<Level, string> = { patient: 'p', study: 'st', series: 'se', instance: 'i' };

function column(alias: string, name: string): RawBuilder<unknown> {
  return sql.ref(`${alias}.${name}`);
}

function or(conditions: RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  return conditions.length === 1 ? conditions[0]! : sql<SqlBool>`(${sql.join(conditions, sql` OR `)})`;
}

function and(conditions: RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  return conditions.length === 1 ? conditions[0]! : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
}

/** Compares a text expression with a match (values, wildcard or range). */
function textCondition(
  dialect: SqlDialect,
  expr: RawBuilder<unknown>,
  match: AttributeMatch,
): RawBuilder<SqlBool> {
  switch (match.kind) {
    case 'values':
      return isOneOf(dialect, expr, match.values);
    case 'wildcard':
      return matchesWildcard(dialect, expr, match.pattern);
    case 'range': {
      const parts: RawBuilder<SqlBool>[] = [];
      if (match.from !== undefined) parts.push(sql<SqlBool>`${expr} >= ${match.from}`);
      if (match.to !== undefined) parts.push(sql<SqlBool>`${expr} <= ${match.to}`);
      return and(parts);
    }
    case 'number':
      return sql<SqlBool>`${expr} = ${String(match.value)}`;
    case 'universal':
      return sql<SqlBool>`1 = 1`;
  }
}

function normalizedNameMatch(match: AttributeMatch): AttributeMatch {
  if (match.kind === 'values') return { kind: 'values', values: match.values.map(normalizeNameText) };
  if (match.kind === 'wildcard') return { kind: 'wildcard', pattern: normalizeNameText(match.pattern) };
  return match;
}

function nameCondition(
  dialect: SqlDialect,
  alias: string,
  spec: ColumnSpec,
  match: AttributeMatch,
  fuzzy: boolean,
): RawBuilder<SqlBool> {
  // The name itself matches (normalised), or, for ideographic and phonetic component groups (after '='),
  // the full value does: on the row of `a`.
  const direct = (a: string) => {
    const conditions = [textCondition(dialect, column(a, spec.column), normalizedNameMatch(match))];
    if (match.kind === 'values' || match.kind === 'wildcard') {
      const values = match.kind === 'values' ? match.values : [match.pattern];
      for (const value of values) {
        const group = value.replace(/\*+$/, '');
        if (/[^\p{ASCII}]/u.test(group)) {
          conditions.push(
            matchesWildcard(
              dialect,
              column(a, spec.raw!),
              `*=${value}${match.kind === 'wildcard' ? '' : '*'}`,
            ),
          );
        }
      }
    }
    return or(conditions);
  };
  const tag = spec.nameKeyTag;
  if (!fuzzy || tag === undefined || (match.kind !== 'values' && match.kind !== 'wildcard')) {
    return direct(alias);
  }
  const text = match.kind === 'values' ? match.values.join(' ') : match.pattern.replace(/[*?]/g, ' ');
  const keys = [...new Set(nameWords(text).map(phoneticKey))];
  if (keys.length === 0) return direct(alias);
  // Owners having every key of the query (each word must sound like some word of the name): one index
  // lookup per key, each narrowing the next.
  let owners = sql`SELECT owner_pk FROM person_name_key WHERE tag = ${tag} AND name_key = ${keys.at(-1)!}`;
  for (const key of keys.slice(0, -1).reverse()) {
    owners = sql`SELECT owner_pk FROM person_name_key WHERE tag = ${tag} AND name_key = ${key} AND owner_pk IN (${owners})`;
  }
  // One set of owner keys for both ways of matching, not `direct OR pk IN (…)`: PostgreSQL turns such
  // an OR into a filter tried on every patient or study, while a set of keys is looked up by index.
  return sql<SqlBool>`${column(alias, 'pk')} IN (SELECT owner.pk FROM ${sql.table(spec.level)} owner WHERE ${direct('owner')} UNION ALL ${owners})`;
}

function columnCondition(
  dialect: SqlDialect,
  alias: string,
  spec: ColumnSpec,
  match: AttributeMatch,
  fuzzy: boolean,
) {
  const col = column(alias, spec.column);
  switch (spec.kind) {
    case 'name':
      return nameCondition(dialect, alias, spec, match, fuzzy);
    case 'set':
      if (match.kind === 'values') return containsOneOf(dialect, col, match.values);
      if (match.kind === 'wildcard') return matchesWildcard(dialect, col, `*\\${match.pattern}\\*`);
      return textCondition(dialect, col, match);
    case 'number':
      if (match.kind === 'number') return sql<SqlBool>`${col} = ${match.value}`;
      return textCondition(dialect, col, match);
    default:
      return textCondition(dialect, col, match);
  }
}

/** The condition on one JSON value `v` (an element of an attribute's Value array). */
function valueCondition(dialect: SqlDialect, filter: AttributeFilter): RawBuilder<SqlBool> {
  const match = filter.vr === 'PN' ? normalizedNameMatch(filter.match) : filter.match;
  if (dialect === 'sqlite') {
    if (match.kind === 'number') return sql<SqlBool>`v.value = ${match.value}`;
    const value = filter.vr === 'PN' ? sql`upper(json_extract(v.value, '$.Alphabetic'))` : sql`v.value`;
    return textCondition(dialect, value, match);
  }
  if (match.kind === 'number') {
    return sql<SqlBool>`(CASE WHEN jsonb_typeof(v.x) = 'number' THEN (v.x)::numeric END) = ${match.value}`;
  }
  const value = filter.vr === 'PN' ? sql`upper(v.x ->> 'Alphabetic')` : sql`(v.x #>> '{}')`;
  return textCondition(dialect, value, match);
}

/** Some value of attribute `tag` of the JSON object `object` satisfies the filter. */
function someValue(dialect: SqlDialect, object: RawBuilder<unknown>, tag: number, filter: AttributeFilter) {
  const key = tagToHex(tag);
  return dialect === 'sqlite'
    ? sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(${object}, ${`$."${key}".Value`}) AS v WHERE ${valueCondition(dialect, filter)})`
    : sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements(${object} -> ${key} -> 'Value') AS v(x) WHERE ${valueCondition(dialect, filter)})`;
}

/**
 * A condition on stored DICOM JSON (any tag, private ones too): one top-level attribute, or several keys of
 * one sequence, which must all match in the same item (PS3.4 §C.2.2.2.6).
 */
function jsonCondition(
  dialect: SqlDialect,
  source: RawBuilder<unknown>,
  filters: AttributeFilter[],
): RawBuilder<SqlBool> {
  const first = filters[0]!;
  const object = dialect === 'sqlite' ? source : sql`(${source})::jsonb`;
  if (first.path.length === 1) return someValue(dialect, object, first.path[0]!, first);
  const sequence = tagToHex(first.path[0]!);
  const item = dialect === 'sqlite' ? sql`item.value` : sql`item.x`;
  const all = and(filters.map((f) => someValue(dialect, item, f.path[1]!, f)));
  return dialect === 'sqlite'
    ? sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(${object}, ${`$."${sequence}".Value`}) AS item WHERE ${all})`
    : sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements(${object} -> ${sequence} -> 'Value') AS item(x) WHERE ${all})`;
}

function attributeLevel(filter: AttributeFilter): { level: Level; spec?: ColumnSpec } {
  const spec = filter.path.length === 1 ? COLUMNS.get(filter.path[0]!) : undefined;
  if (spec !== undefined) return { level: spec.level, spec };
  return { level: levelOfTag(filter.path[0]!) };
}

/**
 * The condition of one filter (or of the keys of one sequence, together), wrapped in EXISTS when the
 * attribute lies below the query level; for an attribute without a column whose values the
 * `attribute_value` table can look up, also the SELECT of the studies that can match it. `json`: the
 * condition reads the stored DICOM JSON (the attribute has no column).
 */
function filterCondition(
  dialect: SqlDialect,
  query: ArchiveQuery,
  filters: AttributeFilter[],
):
  | {
      exact: RawBuilder<SqlBool>;
      candidates?: RawBuilder<unknown>;
      json: boolean;
      /** A pattern on a patient column, on the patient table as `pp`. */
      patients?: RawBuilder<SqlBool>;
    }
  | undefined {
  const active = filters.filter((f) => f.match.kind !== 'universal');
  if (active.length === 0) return undefined;
  const { level, spec } = attributeLevel(active[0]!);
  const condition = (alias: string) =>
    spec !== undefined
      ? columnCondition(dialect, alias, spec, active[0]!.match, query.fuzzy)
      : jsonCondition(dialect, column(alias, level === 'instance' ? 'metadata' : 'attributes'), active);
  let exact: RawBuilder<SqlBool>;
  if (DEPTH[level] <= DEPTH[query.level]) exact = condition(ALIAS[level]);
  else if (level === 'series') {
    exact = sql<SqlBool>`EXISTS (SELECT 1 FROM series se2 WHERE se2.study_pk = st.pk AND ${condition('se2')})`;
  } else {
    const parent = query.level === 'series' ? sql`i2.series_pk = se.pk` : sql`i2.study_pk = st.pk`;
    exact = sql<SqlBool>`EXISTS (SELECT 1 FROM instance i2 WHERE ${parent} AND ${condition('i2')})`;
  }
  const candidates =
    spec === undefined && active.length === 1 ? attributeValueCandidates(active[0]!) : undefined;
  const json = spec === undefined;
  // A patient column matched by a pattern (a name prefix, a fuzzy name) may match few patients or
  // thousands: the same condition on a patient table of its own, to count and to collect them.
  // Only patterns the patient index can find: a literal beginning (a prefix range), or fuzzy name keys.
  // A leading `*` or `?` would make the count a scan of every patient.
  const match = active[0]!.match;
  const broad =
    (match.kind === 'wildcard' && !/^[*?]/.test(match.pattern)) || (query.fuzzy && spec?.kind === 'name');
  const patients = level === 'patient' && spec !== undefined && broad ? condition('pp') : undefined;
  return {
    exact,
    json,
    ...(candidates !== undefined ? { candidates } : {}),
    ...(patients !== undefined ? { patients } : {}),
  };
}

/**
 * Up to this many studies of the patients a pattern matches, PostgreSQL finds them first and sorts them
 * (a bitmap of their studies); beyond, walking all studies in date order reaches the page's end sooner.
 * Measured on 100 000 studies: a prefix of 2 000 studies 38 → 17 ms, one of 20 000 5 → 22 ms.
 */
const PATIENT_STUDIES_SORTED = 2_500;

/**
 * On PostgreSQL, the condition that makes it collect the studies of the patients a pattern matches
 * before sorting them, when they are few: its planner otherwise walks every study newest first and
 * tests each one's patient, however many studies it must pass (issue #2: PatientName prefix at 1M).
 */
async function fewPatientsFirst(
  db: Kysely<Tables>,
  patients: readonly RawBuilder<SqlBool>[],
): Promise<RawBuilder<SqlBool> | undefined> {
  if (patients.length === 0) return undefined;
  const matched = sql`SELECT pp.pk FROM patient pp WHERE ${and([...patients])}`;
  const counted = await sql<{ n: number | string }>`SELECT count(*) AS n FROM (SELECT 1 FROM study s2
    WHERE s2.patient_pk IN (${matched}) LIMIT ${PATIENT_STUDIES_SORTED}) AS few`.execute(db);
  if (Number(counted.rows[0]?.n ?? 0) >= PATIENT_STUDIES_SORTED) return undefined;
  return sql<SqlBool>`st.patient_pk = ANY(ARRAY(${matched}))`;
}

/**
 * How a query on attributes without a column uses the studies that `attribute_value` gives as
 * candidates (the exact JSON condition always decides):
 * - 'sorted': the candidates are sorted first, without reading any JSON, and the JSON is tested on them
 *   in that order until the page is full: for few candidates.
 * - 'walk': the entities are walked in the query's order as without the table, each tested for being a
 *   candidate (a hash or Bloom filter) before its JSON: for many candidates, where sorting them all
 *   would cost more than walking to the page's end.
 * - 'none': the table is not used: when a large share of the studies are candidates, the walk reaches
 *   the page's end after a few hundred of them anyway.
 */
export type Narrowing = 'sorted' | 'walk' | 'none';

/** At most this many candidates are hashed for a walk (PostgreSQL hashes them within `work_mem`). */
const MAX_WALK_CANDIDATES = 50_000;

/**
 * Chooses the narrowing from the number of candidates of the most selective key and the number of
 * studies (the largest key). Sorting c candidates costs about c key lookups; walking costs about
 * limit × studies / c cheaper steps: measured on 100 000 studies, the crossing is near 1 000 candidates,
 * √(10 × studies). From a tenth of the studies on (or past {@link MAX_WALK_CANDIDATES}), the walk without
 * the table reaches the page's end soon enough. Candidates are counted only up to that bound, an index
 * range on both engines.
 */
async function chooseNarrowing(
  db: Kysely<Tables>,
  candidates: readonly RawBuilder<unknown>[],
): Promise<Narrowing> {
  const top = await sql<{ n: number | string | null }>`SELECT max(pk) AS n FROM study`.execute(db);
  const studies = Number(top.rows[0]?.n ?? 0);
  const cap = Math.min(Math.floor(studies / 10), MAX_WALK_CANDIDATES) + 1;
  let fewest = Infinity;
  for (const select of candidates) {
    const counted = await sql<{
      n: number | string;
    }>`SELECT count(*) AS n FROM (${select} LIMIT ${cap}) AS candidate`.execute(db);
    fewest = Math.min(fewest, Number(counted.rows[0]?.n ?? 0));
  }
  if (fewest <= Math.max(1000, Math.sqrt(10 * studies))) return 'sorted';
  return fewest >= cap ? 'none' : 'walk';
}

/** Filters in groups: each top-level key alone, the keys of one sequence together. */
function filterGroups(filters: readonly AttributeFilter[]): AttributeFilter[][] {
  const sequences = new Map<number, AttributeFilter[]>();
  const groups: AttributeFilter[][] = [];
  for (const filter of filters) {
    if (filter.path.length === 1) {
      groups.push([filter]);
      continue;
    }
    const group = sequences.get(filter.path[0]!);
    if (group !== undefined) group.push(filter);
    else {
      const created = [filter];
      sequences.set(filter.path[0]!, created);
      groups.push(created);
    }
  }
  return groups;
}

interface Row {
  patient_attributes: string;
  study_attributes: string;
  study_instance_uid: string;
  modalities_in_study: string;
  sop_classes_in_study: string;
  number_of_series: number;
  number_of_instances: number;
  series_attributes?: string;
  series_instance_uid?: string;
  series_instances?: number;
  metadata?: string;
  sop_instance_uid?: string;
  sop_class_uid?: string;
  instance_number?: number | null;
  rows?: number | null;
  columns?: number | null;
  bits_allocated?: number | null;
  number_of_frames?: number | null;
}

/** The SQL of a sort key's expression: a column by name, or an expression as it is. */
function sortExpression(expression: SortKey[0]): RawBuilder<unknown> {
  return typeof expression === 'string' ? sql.ref(expression) : expression;
}

function setMembers(text: string): string[] {
  return text.split('\\').filter((m) => m !== '');
}

/**
 * Runs a QIDO-RS / C-FIND query as one SQL statement: indexed columns for the standard matching keys,
 * JSON matching on the stored metadata for any other attribute (narrowed first through
 * `attribute_value` where it can be, after counting the candidates: {@link Narrowing}), the access scope
 * applied in the WHERE clause, and limit/offset paging in a stable order. `options.narrowing` imposes a
 * narrowing (tests).
 */
export async function runArchiveQuery(
  db: Kysely<Tables>,
  dialect: SqlDialect,
  query: ArchiveQuery,
  scope: AccessScope,
  options: { narrowing?: Narrowing } = {},
): Promise<QueryMatch[]> {
  const conditions: RawBuilder<SqlBool>[] = [];
  const deferred: RawBuilder<SqlBool>[] = [];
  const inScope = accessScopeCondition(dialect, scope, 'st');
  if (inScope !== undefined) conditions.push(inScope);
  if (query.studyUid !== undefined) conditions.push(sql<SqlBool>`st.study_instance_uid = ${query.studyUid}`);
  if (query.seriesUid !== undefined)
    conditions.push(sql<SqlBool>`se.series_instance_uid = ${query.seriesUid}`);
  const filters = filterGroups(query.filters)
    .map((group) => filterCondition(dialect, query, group))
    .filter((f) => f !== undefined);
  if (dialect === 'postgres' && query.level === 'study' && (query.orderBy ?? []).length === 0) {
    const few = await fewPatientsFirst(
      db,
      filters.flatMap((f) => (f.patients !== undefined ? [f.patients] : [])),
    );
    if (few !== undefined) conditions.push(few);
  }
  const narrowed = filters.flatMap((f) => (f.candidates !== undefined ? [f.candidates] : []));
  const narrowing =
    narrowed.length === 0 ? 'none' : (options.narrowing ?? (await chooseNarrowing(db, narrowed)));
  // The study key of the entities walked (the query level's own table, outermost in the walk).
  const studyKey = sql.ref(
    query.level === 'study' ? 'st.pk' : query.level === 'series' ? 'se.study_pk' : 'i.study_pk',
  );
  // Sorted by `orderby`, SQLite finds every match before it can choose a page (most of its keys have no
  // index to walk), so a JSON test in the WHERE clause would read the JSON of every study. It is deferred
  // instead, as with sorted candidates: tested on the studies in their order until the page is full
  // (100 000 studies, a key most of them match: 300 ms became 80 ms). PostgreSQL is left to its planner,
  // which does better without (22 ms, 80 ms deferred).
  const deferJson =
    dialect === 'sqlite' &&
    query.level === 'study' &&
    query.orderBy !== undefined &&
    query.orderBy.length > 0;
  for (const f of filters) {
    if (f.candidates === undefined || narrowing === 'none') {
      if (deferJson && f.json) deferred.push(f.exact);
      else conditions.push(f.exact);
    } else if (narrowing === 'sorted' || deferJson) {
      conditions.push(sql<SqlBool>`st.pk IN (${f.candidates})`);
      deferred.push(f.exact);
    } else {
      // A filter, never a join: SQLite must not drive the walk from the candidates (unary +), PostgreSQL
      // must not turn it into a semi-join below the JSON test (IS TRUE keeps it a hashed subplan).
      conditions.unshift(
        dialect === 'sqlite'
          ? sql<SqlBool>`+${studyKey} IN (${f.candidates})`
          : sql<SqlBool>`(${studyKey} IN (${f.candidates})) IS TRUE`,
      );
      deferred.push(f.exact);
    }
  }
  // In a walk, the JSON is tested last, on candidates only.
  if (narrowing === 'walk' && !deferJson) conditions.push(...deferred.splice(0));
  const where = conditions.length === 0 ? sql`` : sql`WHERE ${sql.join(conditions, sql` AND `)}`;
  const level = query.level;
  // One page of keys is chosen first, so that matching, sorting and paging never carry the attribute
  // texts; the page's rows are then fetched by primary key.
  let from = sql`study st JOIN patient p ON p.pk = st.patient_pk`;
  let keys = sql`st.pk AS st_pk`;
  let fetch = sql`study st ON st.pk = page.st_pk JOIN patient p ON p.pk = st.patient_pk`;
  // The sort keys: an expression, the name it has in a page's candidates (a key's own, or o0, o1, …),
  // and the direction. Studies: newest first, or in the order the query asks for (`orderby`).
  let sort: SortKey[] =
    query.orderBy !== undefined && query.orderBy.length > 0
      ? studySortKeys(query.orderBy)
      : [
          ['st.study_date', 'o0', 'DESC NULLS LAST'],
          ['st.study_time', 'o1', 'DESC NULLS LAST'],
          ['st.pk', 'st_pk', 'DESC'],
        ];
  const columns = [
    sql`p.attributes AS patient_attributes`,
    sql`st.attributes AS study_attributes`,
    sql`st.study_instance_uid`,
    sql`st.modalities_in_study`,
    sql`st.sop_classes_in_study`,
    sql`st.number_of_series`,
    sql`st.number_of_instances`,
  ];
  if (level !== 'study') {
    columns.push(
      sql`se.attributes AS series_attributes`,
      sql`se.series_instance_uid`,
      sql`se.number_of_instances AS series_instances`,
    );
    from = sql`${from} JOIN series se ON se.study_pk = st.pk`;
    keys = sql`${keys}, se.pk AS se_pk`;
    fetch = sql`${fetch} JOIN series se ON se.pk = page.se_pk`;
    sort =
      query.studyUid !== undefined
        ? [
            ['se.series_number', 'o0', 'ASC NULLS LAST'],
            ['se.pk', 'se_pk', 'ASC'],
          ]
        : [['se.pk', 'se_pk', 'DESC']];
  }
  if (level === 'instance') {
    columns.push(
      sql`i.metadata`,
      sql`i.sop_instance_uid`,
      sql`i.sop_class_uid`,
      sql`i.instance_number`,
      sql`i.rows`,
      sql`i.columns`,
      sql`i.bits_allocated`,
      sql`i.number_of_frames`,
    );
    from = sql`${from} JOIN instance i ON i.series_pk = se.pk`;
    keys = sql`${keys}, i.pk AS i_pk`;
    fetch = sql`${fetch} JOIN instance i ON i.pk = page.i_pk`;
    // In a series or a study: the acquisition order; across the archive: newest first, which the
    // primary key index gives without sorting every instance.
    sort =
      query.seriesUid !== undefined
        ? [
            ['i.instance_number', 'o0', 'ASC NULLS LAST'],
            ['i.pk', 'i_pk', 'ASC'],
          ]
        : query.studyUid !== undefined
          ? [
              ['se.series_number', 'o0', 'ASC NULLS LAST'],
              ['se.pk', 'se_pk', 'ASC'],
              ['i.instance_number', 'o1', 'ASC NULLS LAST'],
              ['i.pk', 'i_pk', 'ASC'],
            ]
          : [['i.pk', 'i_pk', 'DESC']];
  }
  const order = sql.join(
    sort.map(([expr, , direction]) => sql`${sortExpression(expr)} ${sql.raw(direction)}`),
  );
  const paging = sql`LIMIT ${query.limit} OFFSET ${query.offset}`;
  let page = sql`SELECT ${keys} FROM ${from} ${where} ORDER BY ${order} ${paging}`;
  if (deferred.length > 0) {
    // Sorted candidates: they are sorted first, without reading any JSON, and the exact conditions are
    // then tested on them in that order until the page is full. (In one query both engines may test the
    // JSON of every candidate before sorting.) The inner query is kept apart: LIMIT -1 on SQLite,
    // OFFSET 0 on PostgreSQL, each handing its rows on in its order to the outer one.
    const extra = sort
      .filter(([, name]) => name.startsWith('o'))
      .map(([expr, name]) => sql`${sortExpression(expr)} AS ${sql.ref(name)}`);
    const fence = dialect === 'sqlite' ? sql`LIMIT -1` : sql`OFFSET 0`;
    const candidates = sql`SELECT ${sql.join([keys, ...extra])} FROM ${from} ${where} ORDER BY ${order} ${fence}`;
    const pageKeys = sql.join(
      ['st_pk', ...(level !== 'study' ? ['se_pk'] : []), ...(level === 'instance' ? ['i_pk'] : [])].map(
        (name) => sql.ref(`c.${name}`),
      ),
    );
    const rows = [
      sql`study st`,
      ...(level !== 'study' ? [sql`series se`] : []),
      ...(level === 'instance' ? [sql`instance i`] : []),
    ];
    const same = [
      sql<SqlBool>`st.pk = c.st_pk`,
      ...(level !== 'study' ? [sql<SqlBool>`se.pk = c.se_pk`] : []),
      ...(level === 'instance' ? [sql<SqlBool>`i.pk = c.i_pk`] : []),
    ];
    const exact = sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.join(rows)} WHERE ${sql.join([...same, ...deferred], sql` AND `)})`;
    const candidateOrder = sql.join(
      sort.map(([, name, direction]) => sql`${sql.ref(`c.${name}`)} ${sql.raw(direction)}`),
    );
    page = sql`SELECT ${pageKeys} FROM (${candidates}) AS c WHERE ${exact} ORDER BY ${candidateOrder} ${paging}`;
  }
  // SQLite cannot see that a page with a bound LIMIT is small, and would scan the study table to join it:
  // CROSS JOIN makes it start from the page (its planner keeps CROSS JOIN's order).
  const join = dialect === 'sqlite' ? sql`CROSS JOIN` : sql`JOIN`;
  const statement = sql<Row>`SELECT ${sql.join(columns)} FROM (${page}) AS page ${join} ${fetch} ORDER BY ${order}`;
  const { rows } = await statement.execute(db);
  return rows.map((row) => ({
    patientAttributes: row.patient_attributes,
    studyAttributes: row.study_attributes,
    studyUid: row.study_instance_uid,
    modalitiesInStudy: setMembers(row.modalities_in_study),
    sopClassesInStudy: setMembers(row.sop_classes_in_study),
    numberOfStudySeries: Number(row.number_of_series),
    numberOfStudyInstances: Number(row.number_of_instances),
    ...(level !== 'study'
      ? {
          seriesAttributes: row.series_attributes!,
          seriesUid: row.series_instance_uid!,
          numberOfSeriesInstances: Number(row.series_instances),
        }
      : {}),
    ...(level === 'instance'
      ? {
          instanceMetadata: row.metadata!,
          sopInstanceUid: row.sop_instance_uid!,
          instance: {
            sopClassUid: row.sop_class_uid!,
            instanceNumber: row.instance_number ?? null,
            rows: row.rows ?? null,
            columns: row.columns ?? null,
            bitsAllocated: row.bits_allocated ?? null,
            numberOfFrames: row.number_of_frames ?? null,
          },
        }
      : {}),
  }));
}

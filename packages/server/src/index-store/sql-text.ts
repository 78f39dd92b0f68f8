import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlDialect } from '../db/sql-dialect.js';

/**
 * Text predicates that differ between SQLite and PostgreSQL. Both compare byte-wise (SQLite's BINARY
 * collation, PostgreSQL columns declared `collate "C"`), so prefix patterns use the b-tree index.
 */

/** `haystack` contains `needle` as a substring (no pattern characters). */
export function containsText(
  dialect: SqlDialect,
  haystack: RawBuilder<unknown>,
  needle: string,
): RawBuilder<SqlBool> {
  return dialect === 'sqlite'
    ? sql<SqlBool>`instr(${haystack}, ${needle}) > 0`
    : sql<SqlBool>`strpos(${haystack}, ${needle}) > 0`;
}

/**
 * Matches a DICOM wildcard pattern (`*` any sequence, `?` one character; PS3.4 §C.2.2.2.4),
 * case-sensitively: GLOB on SQLite, LIKE with escapes on PostgreSQL.
 */
export function matchesWildcard(
  dialect: SqlDialect,
  column: RawBuilder<unknown>,
  pattern: string,
): RawBuilder<SqlBool> {
  if (dialect === 'sqlite') {
    // GLOB has no escape character: a literal [ is written [[].
    const glob = pattern.replace(/\[/g, '[[]');
    return sql<SqlBool>`${column} GLOB ${glob}`;
  }
  const like = pattern
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
  return sql<SqlBool>`${column} LIKE ${like}`;
}

/**
 * Lists longer than this go to the database as one parameter: SQLite allows 32 766 parameters per
 * statement and PostgreSQL 65 535, and a C-FIND or QIDO may list more UIDs than that (PS3.4 §C.2.2.2.2).
 */
const INLINE_LIST_LIMIT = 64;

/** `expr` equals one of `values` (text). */
export function isOneOf(
  dialect: SqlDialect,
  expr: RawBuilder<unknown>,
  values: readonly string[],
): RawBuilder<SqlBool> {
  if (values.length === 1) return sql<SqlBool>`${expr} = ${values[0]}`;
  if (values.length <= INLINE_LIST_LIMIT) return sql<SqlBool>`${expr} IN (${sql.join([...values])})`;
  return dialect === 'sqlite'
    ? sql<SqlBool>`${expr} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`
    : sql<SqlBool>`${expr} = ANY(${[...values]}::text[])`;
}

/** `set` (a `\\`-delimited set of values, e.g. ModalitiesInStudy) holds one of `values`. */
export function containsOneOf(
  dialect: SqlDialect,
  set: RawBuilder<unknown>,
  values: readonly string[],
): RawBuilder<SqlBool> {
  if (values.length <= INLINE_LIST_LIMIT) {
    const each = values.map((v) => containsText(dialect, set, `\\${v}\\`));
    return each.length === 1 ? each[0]! : sql<SqlBool>`(${sql.join(each, sql` OR `)})`;
  }
  return dialect === 'sqlite'
    ? sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(${JSON.stringify(values)}) AS wanted WHERE instr(${set}, '\\' || wanted.value || '\\') > 0)`
    : sql<SqlBool>`EXISTS (SELECT 1 FROM unnest(${[...values]}::text[]) AS wanted(v) WHERE strpos(${set}, '\\' || wanted.v || '\\') > 0)`;
}

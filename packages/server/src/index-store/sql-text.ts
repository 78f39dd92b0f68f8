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

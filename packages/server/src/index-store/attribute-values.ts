import { lookupTag, parseHexTag, type DicomJson, type Vr } from '@lightbox/dicom';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import { levelOfTag } from '../archive/level-attributes.js';
import type { AttributeFilter } from '../archive/query/archive-query.js';
import type { Tables } from '../db/tables.js';
import { hasOwnColumn } from './column-specs.js';

/**
 * The `attribute_value (tag, value, study_pk)` table: an index of the short text values of attributes
 * that have no column of their own (private ones included), so that a query on one of them looks up the
 * studies that can match instead of reading the JSON of every instance (docs/benchmarks.md).
 *
 * It only narrows: every study that has an element of an indexed attribute matching a query is in it
 * under that value, but not every study in it matches (a value of an instance replaced or removed since,
 * a truncated value, a marker). The exact condition on the stored JSON is still applied on top, at the
 * level of the attribute, so that results are those of the JSON alone (run-archive-query.ts).
 *
 * What is recorded, for attributes {@link isIndexedAttribute} accepts, per study:
 * - study-level attributes from the study's attributes, when the study is created (its first instance);
 * - series-level ones from each series' attributes, when the series is created;
 * - instance-level ones (private attributes are instance level) from every instance's metadata;
 * - of each element of the attribute's Value: a string by its first {@link ATTRIBUTE_VALUE_CAP}
 *   characters; anything else that is not null (a number, a person name object, a sequence item, a string
 *   that cannot be stored as text) as {@link NOT_TEXT}, which every lookup includes.
 */

/** Values are recorded by their first 64 characters (code points): a longer value by its beginning. */
export const ATTRIBUTE_VALUE_CAP = 64;

/**
 * Recorded for an element that is not a plain string: the JSON matching may still match it (a number is
 * text to PostgreSQL's `#>>`), so such a study is always a candidate for that attribute. No query value
 * is empty (an empty key is universal matching), so the marker never stands for a real value.
 */
export const NOT_TEXT = '';

/** VRs whose values are strings in DICOM JSON and are matched as text (single value, list, wildcard). */
const TEXT_VRS: ReadonlySet<Vr> = new Set<Vr>([
  'AE',
  'AS',
  'CS',
  'DA',
  'LO',
  'LT',
  'SH',
  'ST',
  'UC',
  'UI',
  'UR',
  'UT',
]);

/** Where the values of an attribute are recorded from, or 'no'. */
type Indexed = 'no' | 'study' | 'series' | 'instance';

const indexedByTag = new Map<number, Indexed>();

function indexedLevel(tag: number): Indexed {
  let known = indexedByTag.get(tag);
  if (known !== undefined) return known;
  // Standard attributes by their dictionary VR (numbers, dates-with-times and names are matched
  // otherwise); private and unknown ones are matched as text, so they are recorded, whatever they hold.
  const vrs = lookupTag(tag)?.vrs;
  const level = levelOfTag(tag);
  known =
    hasOwnColumn(tag) || level === 'patient' || (vrs !== undefined && !vrs.every((vr) => TEXT_VRS.has(vr)))
      ? 'no'
      : level;
  if (indexedByTag.size >= 65_536) indexedByTag.clear();
  indexedByTag.set(tag, known);
  return known;
}

/**
 * True when the values of attribute `tag` are recorded: no column of its own, not patient level (patient
 * attributes change with ADT and are shared by studies), and a text VR in the dictionary, or none
 * (private and unknown attributes).
 */
export function isIndexedAttribute(tag: number): boolean {
  return indexedLevel(tag) !== 'no';
}

/** The first {@link ATTRIBUTE_VALUE_CAP} code points of `value` (never a split surrogate pair). */
export function indexedText(value: string): string {
  if (value.length <= ATTRIBUTE_VALUE_CAP) return value;
  let end = 0;
  for (let n = 0; n < ATTRIBUTE_VALUE_CAP && end < value.length; n++) {
    end += value.codePointAt(end)! > 0xffff ? 2 : 1;
  }
  return value.slice(0, end);
}

/** NUL or a surrogate: what {@link storable} looks at more closely (quick, and rare in DICOM text). */
const SUSPECT = /[\0\ud800-\udfff]/;
/** NUL, or a lone surrogate (a pair is one code point under the `u` flag). */
const NOT_STORABLE = /[\0\p{Cs}]/u;

/** A string that both engines store as text as it is (no NUL, no lone surrogate). */
function storable(text: string): boolean {
  return !SUSPECT.test(text) || !NOT_STORABLE.test(text);
}

/** The distinct `(tag, value)` keys of one attribute value row. */
export interface AttributeValueKey {
  tag: number;
  value: string;
}

function repeats(keys: readonly AttributeValueKey[], from: number, value: string): boolean {
  for (let i = from; i < keys.length; i++) if (keys[i]!.value === value) return true;
  return false;
}

/**
 * The keys that committing an instance with `metadata` records: its instance-level attributes, and its
 * study- and series-level ones when it creates the study or the series. Distinct.
 */
export function attributeValueKeys(
  metadata: DicomJson,
  creates: { study: boolean; series: boolean },
): AttributeValueKey[] {
  const keys: AttributeValueKey[] = [];
  for (const key in metadata) {
    const tag = parseHexTag(key);
    if (tag === undefined) continue;
    const level = indexedLevel(tag);
    if (level === 'no' || (level === 'study' && !creates.study) || (level === 'series' && !creates.series)) {
      continue;
    }
    const values = metadata[key]!.Value;
    if (!Array.isArray(values)) continue;
    // Distinct per attribute (attributes differ by tag): most have one value.
    const seen = values.length > 16 ? new Set<string>() : undefined;
    const first = keys.length;
    for (const element of values as unknown[]) {
      if (element === null || element === undefined) continue;
      const value = typeof element === 'string' && storable(element) ? indexedText(element) : NOT_TEXT;
      if (seen !== undefined) {
        if (seen.has(value)) continue;
        seen.add(value);
      } else if (repeats(keys, first, value)) continue;
      keys.push({ tag, value });
    }
  }
  return keys;
}

/** Rows per INSERT: far below either engine's limit of bound parameters. */
const INSERT_ROWS = 1000;

/** Records the keys of a study, those already recorded left as they are. */
export async function insertAttributeValues(
  trx: Transaction<Tables>,
  studyPk: number,
  keys: readonly AttributeValueKey[],
): Promise<void> {
  // Plain SQL: building the statement with the query builder costs more than running it.
  for (let from = 0; from < keys.length; from += INSERT_ROWS) {
    const rows = keys.slice(from, from + INSERT_ROWS).map((k) => sql`(${k.tag}, ${k.value}, ${studyPk})`);
    await sql`INSERT INTO attribute_value (tag, value, study_pk) VALUES ${sql.join(rows)} ON CONFLICT DO NOTHING`.execute(
      trx,
    );
  }
}

/** The least string greater than every string that starts with `prefix` (by code point), if any. */
function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/**
 * The keys of the studies that can match `filter`, from `attribute_value`: a SELECT of `study_pk` to be
 * used as `st.pk IN (…)` next to the exact condition, or undefined when the table cannot tell (a
 * sequence path, a person name, a number, a range, a wildcard with no literal beginning, an attribute
 * whose values are not recorded). Text compares byte-wise on both engines (SQLite BINARY, PostgreSQL
 * `collate "C"`), which is code point order for UTF-8, so a prefix is one index range.
 */
export function attributeValueCandidates(filter: AttributeFilter): RawBuilder<unknown> | undefined {
  if (filter.path.length !== 1 || filter.vr === 'PN') return undefined;
  const tag = filter.path[0]!;
  if (!isIndexedAttribute(tag)) return undefined;
  const match = filter.match;
  if (match.kind === 'values') {
    if (match.values.length === 0 || !match.values.every((v) => v !== '' && storable(v))) return undefined;
    // A long list (e.g. thousands of UIDs) is left to the exact condition, which takes it as one parameter.
    if (match.values.length > 64) return undefined;
    const values = [...new Set([NOT_TEXT, ...match.values.map(indexedText)])];
    return sql`SELECT study_pk FROM attribute_value WHERE tag = ${tag} AND value IN (${sql.join(values)})`;
  }
  if (match.kind === 'wildcard') {
    const literal = match.pattern.search(/[*?]/);
    const prefix = indexedText(literal < 0 ? match.pattern : match.pattern.slice(0, literal));
    if (prefix === '' || !storable(prefix)) return undefined;
    const end = prefixEnd(prefix);
    const range = end === undefined ? sql`value >= ${prefix}` : sql`value >= ${prefix} AND value < ${end}`;
    return sql`SELECT study_pk FROM attribute_value WHERE tag = ${tag} AND value = ${NOT_TEXT}
      UNION ALL SELECT study_pk FROM attribute_value WHERE tag = ${tag} AND ${range}`;
  }
  return undefined;
}

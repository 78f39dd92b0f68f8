import { lookupTag, parseHexTag, tagForKeyword, type Vr } from '@lightbox/dicom';
import { parseAttributeMatch } from '../archive/query/attribute-match.js';
import type { ArchiveQuery, AttributeFilter, QueryLevel } from '../archive/query/archive-query.js';
import {
  isStudyOrderAttribute,
  STUDY_ORDER_ATTRIBUTES,
  type StudyOrderKey,
} from '../archive/query/study-order.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** Query parameters as Fastify parses them (repeated keys become arrays). */
export type QueryParameters = Record<string, string | string[] | undefined>;

// PS3.18 §8.3.3 (accept, charset) and §8.3.4: query parameters that are not matching keys.
const CONTROL_PARAMETERS = new Set([
  'limit',
  'offset',
  'fuzzymatching',
  'includefield',
  'emptyvaluematching',
  'multiplevaluematching',
  'orderby',
  'accept',
  'charset',
]);

function invalid(parameter: string, detail: string): AppError {
  return new AppError(ErrorCode.InvalidParameter, `${parameter}: ${detail}`, parameter);
}

/** A tag from a keyword (`PatientName`) or 8 hex digits (`00100010`). */
function tagOf(id: string, parameter: string): number {
  const tag = parseHexTag(id) ?? tagForKeyword(id);
  if (tag === undefined) throw invalid(parameter, `"${id}" is neither a DICOM keyword nor a tag`);
  return tag;
}

function vrOf(tag: number): Vr {
  // Private and unknown attributes match as text.
  const vrs = lookupTag(tag)?.vrs ?? [];
  return vrs[0] ?? 'LO';
}

/** An attribute path: `Tag`, or `SequenceTag.Tag` for sequence matching (PS3.18 §8.3.4.1). */
export function parseAttributePath(id: string, parameter: string): number[] {
  const parts = id.split('.');
  if (parts.length > 2) throw invalid(parameter, 'sequence matching is supported one level deep');
  const path = parts.map((p) => tagOf(p, parameter));
  if (path.length === 2 && vrOf(path[0]!) !== 'SQ') throw invalid(parameter, `${parts[0]} is not a sequence`);
  return path;
}

function single(params: QueryParameters, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) {
    if (value.length > 1) throw invalid(name, 'given more than once');
    return value[0];
  }
  return value;
}

function nonNegativeInteger(params: QueryParameters, name: string): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw invalid(name, `"${text}" is not a non-negative integer`);
  return Number(text);
}

/**
 * The attribute an `includefield` value returns: a keyword or tag, or a path into a sequence
 * (`00081032.00080100`, PS3.18 §8.3.4), which returns the whole top-level sequence it begins with.
 */
function includedTag(id: string): number {
  // Every part must name an attribute; the answer holds the sequence the path begins with.
  const [top] = id.split('.').map((part) => tagOf(part, 'includefield'));
  return top!;
}

/** The values of a list parameter, repeated or comma-separated (`includefield`, `orderby`). */
function listItems(raw: string | string[]): string[] {
  return (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * `orderby`, Lightbox's extension of QIDO-RS as dcm4chee-arc offers it: attribute keywords or tags, most
 * significant first, each ascending or, after `-`, descending (`orderby=PatientName,-StudyDate`). Only
 * study searches can be sorted: series and instances come in acquisition order, which is what a viewer
 * wants.
 */
function parseOrderBy(level: QueryLevel, raw: string | string[] | undefined): StudyOrderKey[] {
  const items = raw === undefined ? [] : listItems(raw);
  if (items.length === 0) return [];
  if (level !== 'study') throw invalid('orderby', 'only study searches can be sorted');
  const keys: StudyOrderKey[] = [];
  for (const item of items) {
    const descending = item.startsWith('-');
    const id = descending ? item.slice(1).trim() : item;
    const keyword = lookupTag(tagOf(id, 'orderby'))?.keyword ?? id;
    if (!isStudyOrderAttribute(keyword)) {
      const sortable = STUDY_ORDER_ATTRIBUTES.join(', ');
      throw invalid('orderby', `studies can be sorted by ${sortable}, not by ${id}`);
    }
    if (keys.some((k) => k.attribute === keyword)) throw invalid('orderby', `${id} is given more than once`);
    keys.push({ attribute: keyword, descending });
  }
  return keys;
}

/** Ignored parameters named in warnings; the rest are counted. */
const MAX_IGNORED_NAMED = 10;

/** A boolean control parameter (`true` / `false`); 400 for anything else. */
function flag(params: QueryParameters, name: string): boolean | undefined {
  const value = single(params, name);
  if (value !== undefined && value !== 'true' && value !== 'false')
    throw invalid(name, 'must be true or false');
  return value === undefined ? undefined : value === 'true';
}

/** A name that is a matching key: a keyword or tag, or a path of them (`Sequence.Attribute`). */
function looksLikeAttribute(name: string): boolean {
  return name.split('.').every((id) => parseHexTag(id) !== undefined || tagForKeyword(id) !== undefined);
}

/**
 * Turns QIDO-RS query parameters (PS3.18 §8.3.4) into an archive query: matching keys by keyword or
 * tag (sequence paths included), `includefield` (repeated or comma-separated, or `all`),
 * `fuzzymatching`, `limit` and `offset`, and the `orderby` extension. A malformed value of a supported
 * parameter is a 400 naming it; a parameter that is neither a control parameter nor an attribute is
 * ignored, as PS3.18 §8.3 requires, and named in `warnings` (so is a matching mode not performed).
 * `limitedByServer` says that the server's maximum, not the client, bounds the results.
 */
export function parseQidoRequest(
  level: QueryLevel,
  params: QueryParameters,
  scope: { studyUid?: string; seriesUid?: string },
  maxResults: number,
): { query: ArchiveQuery; limitedByServer: boolean; warnings: string[] } {
  const filters: AttributeFilter[] = [];
  const warnings: string[] = [];
  const ignored: string[] = [];
  let includeFields: number[] | 'all' = [];
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    if (name === 'includefield') {
      const ids = listItems(raw);
      if (ids.includes('all')) includeFields = 'all';
      else if (includeFields !== 'all') includeFields.push(...ids.map(includedTag));
      continue;
    }
    if (CONTROL_PARAMETERS.has(name)) continue;
    if (!looksLikeAttribute(name)) {
      ignored.push(name.length > 64 ? `${name.slice(0, 64)}…` : name);
      continue;
    }
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > 1) throw invalid(name, 'a matching key may be given once');
    const path = parseAttributePath(name, name);
    const vr = vrOf(path[path.length - 1]!);
    if (vr === 'SQ')
      throw invalid(name, 'a sequence is matched through one of its attributes (Sequence.Attribute)');
    filters.push({ path, vr, match: parseAttributeMatch(vr, values[0]!, name) });
  }
  // Named one warning each, up to a few: a client's names are echoed back, and headers are finite.
  for (const name of ignored.slice(0, MAX_IGNORED_NAMED))
    warnings.push(`The query parameter ${name} is not supported and was ignored`);
  if (ignored.length > MAX_IGNORED_NAMED)
    warnings.push(`${ignored.length - MAX_IGNORED_NAMED} more query parameters were ignored`);
  const fuzzy = flag(params, 'fuzzymatching');
  // PS3.18 §8.3.4.5: Empty Value Matching (PS3.4 C.2.2.2.5) is not performed; the client is told.
  if (flag(params, 'emptyvaluematching') === true)
    warnings.push(
      'The emptyvaluematching parameter is not supported. Empty Value Matching has not been performed.',
    );
  // PS3.18 §8.3.4.6: Multiple Value Matching is always performed (values separated by a backslash match
  // any of them, PS3.4 C.2.2.2.8); the parameter is only checked.
  flag(params, 'multiplevaluematching');
  const orderBy = parseOrderBy(level, params.orderby);
  const requested = nonNegativeInteger(params, 'limit');
  const limit = Math.min(requested ?? maxResults, maxResults);
  return {
    query: {
      level,
      studyUid: scope.studyUid,
      seriesUid: scope.seriesUid,
      filters,
      fuzzy: fuzzy === true,
      includeFields,
      ...(orderBy.length > 0 ? { orderBy } : {}),
      limit,
      offset: nonNegativeInteger(params, 'offset') ?? 0,
    },
    limitedByServer: requested === undefined || requested > maxResults,
    warnings,
  };
}

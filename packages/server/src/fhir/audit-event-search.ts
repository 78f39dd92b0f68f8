import type { AuditSearch } from '../security/audit/audit-search.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { DCM_SYSTEM, DICOM_UID_SYSTEM } from './audit-event-resource.js';

/** Search parameters of `GET /fhir/AuditEvent` as they arrive (a repeated one as an array). */
export type FhirQuery = Record<string, string | string[] | undefined>;

/** Results per page when `_count` is not given, and at most. */
export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

/** The search parameters Lightbox supports on AuditEvent (the others are ignored, as FHIR allows). */
export const SUPPORTED = [
  'date',
  'type',
  'subtype',
  'outcome',
  'agent-name',
  'altid',
  'address',
  'patient:identifier',
  'entity:identifier',
  '_count',
  '_offset',
  '_snapshot',
] as const;

function invalid(parameter: string, detail: string): AppError {
  return new AppError(ErrorCode.InvalidParameter, `${parameter}: ${detail}`, parameter);
}

function values(query: FhirQuery, name: string): string[] {
  const value = query[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The one value of a parameter that may be given once. */
function single(query: FhirQuery, name: string): string | undefined {
  const all = values(query, name);
  if (all.length > 1) throw invalid(name, 'may be given only once');
  return all[0];
}

/** A token `[system|]code`: the code, after checking the system when one is given. */
function token(query: FhirQuery, name: string, system: string | undefined): string | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const bar = value.indexOf('|');
  if (bar < 0) return value;
  const given = value.slice(0, bar);
  if (system !== undefined && given !== system)
    // `|code` asks for a code without a system, and every recorded code has one.
    throw invalid(
      name,
      given === '' ? `every recorded code is of ${system}` : `only codes of ${system} are recorded`,
    );
  return value.slice(bar + 1);
}

/** [start, end) in epoch ms of a FHIR date or dateTime, by its precision (FHIR R4 §3.1.1.4.2). */
function dateSpan(text: string, parameter: string): [number, number] {
  const match =
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(
      text,
    );
  if (match === null) throw invalid(parameter, `"${text}" is not a FHIR date or dateTime`);
  const [, year, month, day, hour, , second, fraction, zone] = match;
  const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, mo, d, h, mi, s);
  const y = Number(year);
  if (month === undefined) return [utc(y, 0, 1), utc(y + 1, 0, 1)];
  const mo = Number(month) - 1;
  if (mo < 0 || mo > 11) throw invalid(parameter, `"${text}" has no month ${month}`);
  if (day === undefined) return [utc(y, mo, 1), utc(y, mo + 1, 1)];
  const d = Number(day);
  if (d < 1 || d > new Date(utc(y, mo + 1, 0)).getUTCDate())
    throw invalid(parameter, `"${text}" has no day ${day} in that month`);
  if (hour === undefined) return [utc(y, mo, d), utc(y, mo, d + 1)];
  // A time needs its zone (FHIR dateTime); the instant is taken from the text as written.
  if (zone === undefined) throw invalid(parameter, `"${text}" has a time but no time zone`);
  const start = Date.parse(text);
  if (Number.isNaN(start)) throw invalid(parameter, `"${text}" is not a valid dateTime`);
  const precision = fraction !== undefined ? 1 : second !== undefined ? 1000 : 60_000;
  return [start, start + precision];
}

/** Narrows `search` by one `date` value with its comparison prefix (eq when none). */
function applyDate(search: AuditSearch, value: string): void {
  const prefix = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)/.exec(value)?.[1] ?? 'eq';
  const text = value.slice(/^(eq|ne|gt|lt|ge|le|sa|eb|ap)/.test(value) ? 2 : 0);
  const [start, end] = dateSpan(text, 'date');
  const from = (ms: number) => (search.from = Math.max(search.from ?? -Infinity, ms));
  const to = (ms: number) => (search.to = Math.min(search.to ?? Infinity, ms));
  switch (prefix) {
    case 'eq':
      from(start);
      to(end - 1);
      return;
    case 'ge':
      from(start);
      return;
    case 'gt':
    case 'sa':
      from(end);
      return;
    case 'le':
      to(end - 1);
      return;
    case 'lt':
    case 'eb':
      to(start - 1);
      return;
    default:
      throw invalid('date', `the prefix ${prefix} is not supported (eq, ge, gt, le, lt, sa, eb are)`);
  }
}

/** A non-negative integer parameter. */
function count(query: FhirQuery, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw invalid(name, 'must be a non-negative integer');
  return Number(value);
}

/**
 * The audit trail search for FHIR AuditEvent search parameters (R4): `date` (prefixes eq, ge, gt, le,
 * lt, sa, eb; repeatable), `type` and `subtype` (DCM tokens), `outcome` (0 success, 4/8/12 failure),
 * `agent-name` (the user), `altid` (the requesting AE title), `address`, `patient:identifier` (a Patient ID), `entity:identifier` (a study, `urn:dicom:uid|urn:oid:…`),
 * `_count` and `_offset`. A malformed value is a 400 naming the parameter.
 */
export function auditSearchOf(query: FhirQuery): AuditSearch & { nothing?: true } {
  const search: AuditSearch & { nothing?: true } = {
    limit: Math.min(count(query, '_count') ?? DEFAULT_COUNT, MAX_COUNT),
    offset: count(query, '_offset') ?? 0,
  };
  // Paging links name the newest event of the first page, so that later pages are not shifted by
  // events recorded meanwhile (reading the trail is one).
  const snapshot = count(query, '_snapshot');
  if (snapshot !== undefined) search.maxSeq = snapshot;
  for (const value of values(query, 'date')) applyDate(search, value);
  const type = token(query, 'type', DCM_SYSTEM);
  if (type !== undefined) {
    if (!/^\d{6}$/.test(type)) throw invalid('type', 'must be a DCM event ID such as 110112');
    search.eventId = type;
  }
  const subtype = token(query, 'subtype', DCM_SYSTEM);
  if (subtype !== undefined) search.eventType = subtype;
  const outcome = single(query, 'outcome');
  if (outcome !== undefined) {
    if (!['0', '4', '8', '12'].includes(outcome)) throw invalid('outcome', 'must be 0, 4, 8 or 12');
    // Lightbox records a failure as 4 (minor failure): 8 and 12 match nothing.
    if (outcome === '8' || outcome === '12') search.nothing = true;
    search.outcome = outcome === '0' ? 'success' : 'failure';
  }
  search.username = single(query, 'agent-name');
  search.aeTitle = single(query, 'altid');
  search.address = single(query, 'address');
  search.patientId = token(query, 'patient:identifier', undefined);
  const entity = token(query, 'entity:identifier', DICOM_UID_SYSTEM);
  if (entity !== undefined) {
    if (!entity.startsWith('urn:oid:'))
      throw invalid('entity:identifier', 'a study is named as urn:dicom:uid|urn:oid:<Study Instance UID>');
    search.studyUid = entity.slice('urn:oid:'.length);
  }
  for (const key of Object.keys(search) as Array<keyof AuditSearch>) {
    if (search[key] === undefined) delete search[key];
  }
  return search;
}

import type { Vr } from '@lightbox/dicom';
import { AppError, ErrorCode } from '../../shared/app-error.js';
import { normalizeDate, normalizeTime } from '../matching/date-time-values.js';

/** How one matching key matches (PS3.4 §C.2.2.2). */
export type AttributeMatch =
  /** Universal matching: the key is returned, every entity matches (§C.2.2.2.3). */
  | { kind: 'universal' }
  /** Single value matching (§C.2.2.2.1) or list of UID matching (§C.2.2.2.2) when several values. */
  | { kind: 'values'; values: string[] }
  /** Wild card matching with `*` and `?` (§C.2.2.2.4). */
  | { kind: 'wildcard'; pattern: string }
  /** Range matching on normalised DA / TM / DT text (§C.2.2.2.5); an open end is undefined. */
  | { kind: 'range'; from?: string; to?: string }
  /** Numeric single value matching (IS, DS and binary numbers). */
  | { kind: 'number'; value: number };

const NUMERIC_VRS: ReadonlySet<Vr> = new Set<Vr>([
  'IS',
  'DS',
  'US',
  'SS',
  'UL',
  'SL',
  'FL',
  'FD',
  'SV',
  'UV',
]);
const NO_WILDCARD_VRS: ReadonlySet<Vr> = new Set<Vr>(['DA', 'TM', 'DT', 'UI']);

function invalid(parameter: string, detail: string): AppError {
  return new AppError(ErrorCode.InvalidParameter, `${parameter}: ${detail}`, parameter);
}

function normalizeDateTime(value: string): string | undefined {
  // DT: YYYYMMDDHHMMSS.FFFFFF&ZZXX; compare without the offset (PS3.4 §C.2.2.2.5 leaves it to the SCP).
  const match = /^\d{4}(\d{2}){0,5}(\.\d{1,6})?(\+\d{4})?$/.exec(value.trim());
  return match === null ? undefined : value.trim().replace(/\+\d{4}$/, '');
}

function rangeBound(vr: Vr, value: string, ceil: boolean): string | undefined {
  if (vr === 'DA') return normalizeDate(value);
  if (vr === 'TM') return normalizeTime(value, ceil);
  const dt = normalizeDateTime(value);
  if (dt === undefined) return undefined;
  return ceil ? dt + '\uffff' : dt;
}

/**
 * Parses the value of a matching key into a match, by the attribute's VR (PS3.4 §C.2.2.2). UIDs may be
 * listed separated by backslash or comma (PS3.18 §8.3.4.1). Invalid values are a 400 naming the parameter.
 */
export function parseAttributeMatch(vr: Vr, raw: string, parameter: string): AttributeMatch {
  const value = raw.trim();
  if (value === '' || value === '*') return { kind: 'universal' };
  if (vr === 'DA' || vr === 'TM' || vr === 'DT') {
    // The first '-' separates a range. (A DT value with a negative UTC offset cannot be a range bound.)
    const dash = value.indexOf('-');
    if (dash >= 0) {
      const fromText = value.slice(0, dash);
      const toText = value.slice(dash + 1);
      const from = fromText === '' ? undefined : rangeBound(vr, fromText, false);
      const to = toText === '' ? undefined : rangeBound(vr, toText, true);
      const bad = (fromText !== '' && from === undefined) || (toText !== '' && to === undefined);
      if (bad || (from === undefined && to === undefined))
        throw invalid(parameter, `"${raw}" is not a valid ${vr} range`);
      return { kind: 'range', from, to };
    }
    const from = rangeBound(vr, value, false);
    const to = rangeBound(vr, value, true);
    if (from === undefined || to === undefined)
      throw invalid(parameter, `"${raw}" is not a valid ${vr} value`);
    // A date matches exactly; a time or date-time given to a lower precision matches the whole span.
    return vr === 'DA' ? { kind: 'values', values: [from] } : { kind: 'range', from, to };
  }
  if (NUMERIC_VRS.has(vr)) {
    const n = Number(value);
    if (!Number.isFinite(n)) throw invalid(parameter, `"${raw}" is not a number`);
    return { kind: 'number', value: n };
  }
  if (vr === 'UI') {
    const values = value
      .split(/[\\,]/)
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.some((v) => !/^[0-9.]{1,64}$/.test(v)))
      throw invalid(parameter, `"${raw}" is not a UID or UID list`);
    return { kind: 'values', values };
  }
  if (!NO_WILDCARD_VRS.has(vr) && /[*?]/.test(value)) return { kind: 'wildcard', pattern: value };
  // A backslash separates several values, any of which may match (e.g. ModalitiesInStudy=CT\MR).
  return { kind: 'values', values: value.split('\\').filter((v) => v !== '') };
}

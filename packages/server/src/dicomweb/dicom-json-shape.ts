import { isStringVr, isVr, parseHexTag, type DicomJson, type Vr } from '@lightbox/dicom';
import { AppError, ErrorCode } from '../shared/app-error.js';

const BINARY_NUMBER_VRS: ReadonlySet<string> = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD']);
const BULK_ONLY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
// Linear-time patterns (no two quantifiers can match the same text): a client's value must never make a
// check backtrack. Values are trimmed and their length bounded before they are tested.
const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** PS3.5 Table 6.2-1: the longest DS, IS and (as text) SV/UV values. */
const LONGEST_TEXT: Readonly<Record<string, number>> = { DS: 16, IS: 12, SV: 21, UV: 21 };
/** Ranges of the binary integer VRs. */
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  US: [0, 0xffff],
  SS: [-0x8000, 0x7fff],
  UL: [0, 0xffffffff],
  SL: [-0x80000000, 0x7fffffff],
};
/** An upper-case tag of 8 hex digits, as PS3.18 F.2 writes them (a lower-case key would escape checks). */
const TAG_KEY = /^[0-9A-F]{8}$/;
const PN_GROUPS: ReadonlySet<string> = new Set(['Alphabetic', 'Ideographic', 'Phonetic']);

function invalid(path: string, problem: string): AppError {
  // The detail names the attribute (by tag), never its value: it is shown to the client in a Warning.
  return new AppError(ErrorCode.CannotUnderstand, `invalid DICOM JSON metadata: ${path} ${problem}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkValue(value: unknown, vr: Vr, path: string): void {
  if (value === null) return; // an empty value within a multi-valued attribute (PS3.18 F.2.5)
  if (BINARY_NUMBER_VRS.has(vr)) {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw invalid(path, `holds a non-number (${vr})`);
    const range = INTEGER_RANGES[vr];
    if (range !== undefined && (!Number.isInteger(value) || value < range[0] || value > range[1]))
      throw invalid(path, `holds a value out of the range of ${vr}`);
  } else if (vr === 'IS' || vr === 'DS') {
    const text = typeof value === 'string' ? value.trim() : undefined;
    const ok =
      (typeof value === 'number' &&
        Number.isFinite(value) &&
        (vr === 'DS' || (Number.isInteger(value) && Math.abs(value) <= 0x7fffffff))) ||
      (text !== undefined &&
        (text === '' ||
          (text.length <= LONGEST_TEXT[vr]! && (vr === 'DS' ? NUMERIC_TEXT : INTEGER_TEXT).test(text))));
    if (!ok) throw invalid(path, `holds a value that is not a number (${vr})`);
  } else if (vr === 'SV' || vr === 'UV') {
    const text = typeof value === 'string' ? value.trim() : undefined;
    const ok =
      (typeof value === 'number' && Number.isSafeInteger(value) && (vr === 'SV' || value >= 0)) ||
      (text !== undefined && text.length <= LONGEST_TEXT[vr]! && INTEGER_TEXT.test(text));
    if (!ok) throw invalid(path, `holds a value that is not an integer (${vr})`);
  } else if (vr === 'AT') {
    if (typeof value !== 'string' || parseHexTag(value) === undefined)
      throw invalid(path, 'holds a non-tag (AT)');
  } else if (vr === 'PN') {
    if (typeof value === 'string') return;
    if (!isObject(value)) throw invalid(path, 'holds a person name that is neither an object nor a string');
    for (const [group, text] of Object.entries(value)) {
      if (!PN_GROUPS.has(group) || typeof text !== 'string')
        throw invalid(path, `has a bad name group "${group}"`);
    }
  } else if (vr === 'SQ') {
    if (!isObject(value)) throw invalid(path, 'holds a sequence item that is not an object');
    checkDicomJsonShape(value, `${path}/`);
  } else if (isStringVr(vr)) {
    if (typeof value !== 'string') throw invalid(path, `holds a non-string (${vr})`);
  }
}

/**
 * Checks that a value is a DICOM JSON object as PS3.18 Annex F defines it, before it is turned into a
 * data set: tags of 8 hex digits, a known vr, at most one of Value, InlineBinary and BulkDataURI, Value
 * an array of values of the types the VR takes (F.2.3–F.2.7), sequence items objects. Throws a C000
 * {@link AppError} that names the attribute at fault (`path` prefixes the tags of nested items).
 */
export function checkDicomJsonShape(value: unknown, path = ''): asserts value is DicomJson {
  if (!isObject(value)) throw invalid(path === '' ? 'the instance' : path, 'is not a JSON object');
  for (const [key, attribute] of Object.entries(value)) {
    const at = `${path}${key}`;
    if (!TAG_KEY.test(key))
      throw invalid(at.slice(0, path.length + 8), 'is not a tag of 8 hex digits (in upper case)');
    if (!isObject(attribute)) throw invalid(at, 'is not an object');
    const vr = attribute.vr;
    if (typeof vr !== 'string' || !isVr(vr)) throw invalid(at, 'has no valid vr');
    const { Value: values, InlineBinary: inline, BulkDataURI: uri } = attribute;
    if ([values, inline, uri].filter((v) => v !== undefined).length > 1)
      throw invalid(at, 'has more than one of Value, InlineBinary and BulkDataURI');
    if (inline !== undefined && (typeof inline !== 'string' || !BASE64.test(inline.replace(/\s+/g, ''))))
      throw invalid(at, 'has an InlineBinary that is not base64');
    if (uri !== undefined && (typeof uri !== 'string' || uri.trim() === ''))
      throw invalid(at, 'has a BulkDataURI that is not a URI');
    if (values === undefined) continue;
    if (!Array.isArray(values)) throw invalid(at, 'has a Value that is not an array');
    if (BULK_ONLY_VRS.has(vr)) throw invalid(at, `has a Value; ${vr} takes InlineBinary or BulkDataURI`);
    values.forEach((v: unknown, i) => checkValue(v, vr, vr === 'SQ' ? `${at}[${i}]` : at));
  }
}

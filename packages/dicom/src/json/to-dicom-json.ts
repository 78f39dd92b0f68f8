import type { DataElement, DataSet } from '../data-set.js';
import { tagToHex } from '../tag.js';
import { BINARY_VALUE_SIZE, type Vr } from '../vr.js';
import { elementNumbers, elementStrings, elementTags } from '../values/read-values.js';
import type { DicomJson, DicomJsonAttribute, DicomJsonValue, PersonNameJson } from './dicom-json.js';
import { toBase64 } from './dicom-json.js';

/** Where an element sits: tags and item indexes from the top-level data set, e.g. [seqTag, 0, tag]. */
export type ElementPath = readonly number[];

/** Options of {@link toDicomJson}. */
export interface ToDicomJsonOptions {
  /**
   * URI for a binary value (or any value left in the source): returning a string emits BulkDataURI,
   * returning undefined inlines the bytes when they are in memory (and omits the value otherwise).
   */
  bulkDataUri?: (path: ElementPath, element: DataElement) => string | undefined;
  /** Leave out File Meta (0002) and group length elements. Default true. */
  skipGroupLengths?: boolean;
}

const DATA_SET_TRAILING_PADDING = 0xfffcfffc;
const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const NUMBER_VRS: ReadonlySet<string> = new Set(['FL', 'FD', 'SL', 'SS', 'UL', 'US', 'SV', 'UV']);

/**
 * Converts a data set to the DICOM JSON model (PS3.18 §F.2): text decoded with its Specific Character
 * Set, person names split into component groups, numbers as JSON numbers, binary values inline (base64)
 * or as BulkDataURI.
 */
export function toDicomJson(dataSet: DataSet, options: ToDicomJsonOptions = {}): DicomJson {
  return convert(dataSet, [], options);
}

function convert(dataSet: DataSet, path: number[], options: ToDicomJsonOptions): DicomJson {
  const out: DicomJson = {};
  for (const element of dataSet.sortedElements()) {
    if ((element.tag & 0xffff) === 0 && options.skipGroupLengths !== false) continue;
    // Data Set Trailing Padding holds no attribute (PS3.10 §7.2): nothing for a client to read.
    if (element.tag === DATA_SET_TRAILING_PADDING) continue;
    out[tagToHex(element.tag)] = attribute(element, dataSet, [...path, element.tag], options);
  }
  return out;
}

function attribute(
  element: DataElement,
  dataSet: DataSet,
  path: number[],
  options: ToDicomJsonOptions,
): DicomJsonAttribute {
  const vr = element.vr;
  if (element.items !== undefined) {
    if (element.items.length === 0) return { vr: 'SQ' };
    return { vr: 'SQ', Value: element.items.map((item, i) => convert(item, [...path, i], options)) };
  }
  if (BINARY_VRS.has(vr) || element.encapsulated !== undefined || element.bytes === undefined) {
    const uri = options.bulkDataUri?.(path, element);
    if (uri !== undefined) return { vr, BulkDataURI: uri };
    if (element.bytes === undefined || element.bytes.length === 0) return { vr };
    return { vr, InlineBinary: toBase64(littleEndianBytes(element.bytes, vr, dataSet.littleEndian)) };
  }
  if (element.bytes.length === 0) return { vr };
  let values: DicomJsonValue[];
  if (vr === 'PN') {
    values = elementStrings(element, dataSet).map(personName);
  } else if (vr === 'AT') {
    values = elementTags(element, dataSet).map(tagToHex);
  } else if (vr === 'SV' || vr === 'UV') {
    values = bigIntegers(element.bytes, vr === 'SV', dataSet.littleEndian);
  } else if (NUMBER_VRS.has(vr)) {
    values = elementNumbers(element, dataSet);
  } else if (vr === 'IS' || vr === 'DS') {
    values = elementStrings(element, dataSet).map(numberString);
  } else {
    values = elementStrings(element, dataSet).map((s) => (s === '' ? null : s));
  }
  if (values.length === 0 || values.every((v) => v === null)) return { vr };
  return { vr, Value: values };
}

// PS3.18 §F.2.7: InlineBinary holds the value in little endian (the byte order of DICOMweb), so OW, OF,
// OD, OL and OV values of a big-endian data set are swapped; OB and UN are bytes and stay as they are.
function littleEndianBytes(bytes: Uint8Array, vr: Vr, littleEndian: boolean): Uint8Array {
  const unit = littleEndian || vr === 'UN' ? 1 : (BINARY_VALUE_SIZE[vr] ?? 1);
  if (unit === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    for (let j = 0; j < unit; j++) out[i + j] = bytes[i + unit - 1 - j]!;
  }
  return out;
}

// PS3.18 §F.2.3: SV and UV values beyond ±(2^53 - 1) are JSON strings, so that no digit is lost.
function bigIntegers(bytes: Uint8Array, signed: boolean, littleEndian: boolean): (number | string)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: (number | string)[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    const value = signed ? view.getBigInt64(i, littleEndian) : view.getBigUint64(i, littleEndian);
    const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER);
    out.push(safe ? Number(value) : value.toString());
  }
  return out;
}

// PS3.18 §F.2.3: IS and DS values are JSON numbers; a value that is not a number is kept as text
// rather than dropped, so nothing received is lost.
function numberString(s: string): number | string | null {
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

function personName(s: string): PersonNameJson | null {
  if (s === '') return null;
  const [alphabetic, ideographic, phonetic] = s.split('=');
  const name: PersonNameJson = {};
  if (alphabetic) name.Alphabetic = alphabetic;
  if (ideographic) name.Ideographic = ideographic;
  if (phonetic) name.Phonetic = phonetic;
  return name;
}

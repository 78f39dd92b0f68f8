import { encodeText } from '../charset/index.js';
import { DataSet, type DataElement } from '../data-set.js';
import { parseHexTag, UNDEFINED_LENGTH } from '../tag.js';
import { isVr, type Vr } from '../vr.js';
import type { DicomJson, DicomJsonAttribute, DicomJsonValue, PersonNameJson } from './dicom-json.js';
import { fromBase64 } from './dicom-json.js';
import { decimalString } from '../values/decimal-string.js';

/** Options of {@link fromDicomJson}. */
export interface FromDicomJsonOptions {
  /** Fetches the bytes behind a BulkDataURI; without it, such attributes are an error. */
  resolveBulkData?: (uri: string, tag: number) => Uint8Array;
}

/** Thrown for a DICOM JSON object that does not follow PS3.18 §F.2. */
export class DicomJsonError extends Error {
  override readonly name = 'DicomJsonError';
}

const SPECIFIC_CHARACTER_SET = 0x00080005;
const UTF8 = ['ISO_IR 192'];

const NUMBER_WRITERS: Partial<
  Record<Vr, [size: number, write: (v: DataView, o: number, n: number) => void]>
> = {
  US: [2, (v, o, n) => v.setUint16(o, n, true)],
  SS: [2, (v, o, n) => v.setInt16(o, n, true)],
  UL: [4, (v, o, n) => v.setUint32(o, n, true)],
  SL: [4, (v, o, n) => v.setInt32(o, n, true)],
  FL: [4, (v, o, n) => v.setFloat32(o, n, true)],
  FD: [8, (v, o, n) => v.setFloat64(o, n, true)],
};

/**
 * Builds a little-endian data set from the DICOM JSON model (PS3.18 §F.2). Text is encoded as UTF-8
 * and Specific Character Set is set to ISO_IR 192 whenever a value is not plain ASCII.
 */
export function fromDicomJson(
  json: DicomJson,
  options: FromDicomJsonOptions = {},
  parent?: DataSet,
): DataSet {
  const dataSet = new DataSet(true, parent);
  let needsUtf8 = false;
  for (const [key, attribute] of Object.entries(json)) {
    const tag = parseHexTag(key);
    if (tag === undefined) throw new DicomJsonError(`"${key}" is not a tag of 8 hex digits`);
    if (tag === SPECIFIC_CHARACTER_SET) continue;
    const element = toElement(tag, attribute, options, dataSet);
    if (element.bytes !== undefined && element.vr !== 'UI' && hasNonAscii(attribute)) needsUtf8 = true;
    dataSet.set(element);
  }
  if (needsUtf8) {
    dataSet.set(textElement(SPECIFIC_CHARACTER_SET, 'CS', ['ISO_IR 192']));
  } else if (json['00080005'] !== undefined) {
    dataSet.set(toElement(SPECIFIC_CHARACTER_SET, json['00080005'], options, dataSet));
  }
  return dataSet;
}

function hasNonAscii(attribute: DicomJsonAttribute): boolean {
  return /[^\p{ASCII}]/u.test(JSON.stringify(attribute.Value ?? []));
}

function textElement(tag: number, vr: Vr, values: string[]): DataElement {
  const bytes = encodeText(values.join('\\'), UTF8, vr);
  return { tag, vr, length: bytes.length, offset: -1, bytes };
}

function toElement(
  tag: number,
  attribute: DicomJsonAttribute,
  options: FromDicomJsonOptions,
  dataSet: DataSet,
): DataElement {
  const vr = attribute.vr;
  if (!isVr(vr)) throw new DicomJsonError(`attribute ${tag.toString(16)} has an invalid vr "${String(vr)}"`);
  if (attribute.BulkDataURI !== undefined) {
    if (options.resolveBulkData === undefined)
      throw new DicomJsonError(`BulkDataURI of ${tag.toString(16)} cannot be resolved`);
    const bytes = options.resolveBulkData(attribute.BulkDataURI, tag);
    return { tag, vr, length: bytes.length, offset: -1, bytes };
  }
  if (attribute.InlineBinary !== undefined) {
    const bytes = fromBase64(attribute.InlineBinary);
    return { tag, vr, length: bytes.length, offset: -1, bytes };
  }
  const values = attribute.Value ?? [];
  if (vr === 'SQ') {
    const items = values.map((item) => {
      if (item === null || typeof item !== 'object')
        throw new DicomJsonError(`sequence ${tag.toString(16)} has a non-object item`);
      return fromDicomJson(item as DicomJson, options, dataSet);
    });
    return { tag, vr, length: UNDEFINED_LENGTH, offset: -1, items };
  }
  if (vr === 'SV' || vr === 'UV') {
    // PS3.18 §F.2.3: large values come as strings; BigInt of the text keeps every digit.
    const bytes = new Uint8Array(8 * values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => {
      const n = BigInt(typeof v === 'string' ? v.trim() : Number(v));
      if (vr === 'SV') view.setBigInt64(i * 8, n, true);
      else view.setBigUint64(i * 8, n, true);
    });
    return { tag, vr, length: bytes.length, offset: -1, bytes };
  }
  const numberWriter = NUMBER_WRITERS[vr];
  if (numberWriter !== undefined) {
    const [size, write] = numberWriter;
    const bytes = new Uint8Array(size * values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => write(view, i * size, Number(v)));
    return { tag, vr, length: bytes.length, offset: -1, bytes };
  }
  if (vr === 'AT') {
    const bytes = new Uint8Array(4 * values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => {
      const t = typeof v === 'string' ? parseHexTag(v) : undefined;
      if (t === undefined) throw new DicomJsonError(`AT value of ${tag.toString(16)} is not a tag`);
      view.setUint16(i * 4, t >>> 16, true);
      view.setUint16(i * 4 + 2, t & 0xffff, true);
    });
    return { tag, vr, length: bytes.length, offset: -1, bytes };
  }
  return textElement(
    tag,
    vr,
    values.map((v) => textOf(v, vr, tag)),
  );
}

function textOf(value: DicomJsonValue, vr: Vr, tag: number): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return vr === 'DS' ? decimalString(value) : String(value);
  if (vr === 'PN') {
    const name = value as PersonNameJson;
    return [name.Alphabetic ?? '', name.Ideographic ?? '', name.Phonetic ?? ''].join('=').replace(/=+$/, '');
  }
  throw new DicomJsonError(`value of ${tag.toString(16)} has the wrong type for ${vr}`);
}

import { decodeText } from '../charset/index.js';
import type { DataElement, DataSet } from '../data-set.js';
import { isMultiValuedStringVr, isStringVr, usesSpecificCharacterSet, type Vr } from '../vr.js';

const SPECIFIC_CHARACTER_SET = 0x00080005;
const NO_CHARSET: readonly string[] = [];

/** The Specific Character Set in effect for a data set: its own, else its parent's (PS3.5 §6.1.2.3). */
export function characterSetOf(dataSet: DataSet): readonly string[] {
  for (let ds: DataSet | undefined = dataSet; ds !== undefined; ds = ds.parent) {
    const element = ds.get(SPECIFIC_CHARACTER_SET);
    if (element?.bytes !== undefined) return splitAscii(element.bytes).map((s) => s.trim());
  }
  return NO_CHARSET;
}

function latin1(bytes: Uint8Array): string {
  // String.fromCharCode on chunks is far faster than TextDecoder for short ASCII values.
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

function splitAscii(bytes: Uint8Array): string[] {
  return latin1(bytes).split('\\');
}

// PS3.5 §6.2: trailing spaces (and a trailing NUL for UI) are padding; leading spaces are insignificant for
// most text VRs but part of the value for LT, ST, UT and UR.
function trimPadding(value: string, vr: Vr): string {
  if (vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UR') return value.replace(/[\0 ]+$/, '');
  return value.replace(/^[ ]+|[\0 ]+$/g, '');
}

/** Decodes a text element to its values, with character set, delimiters and padding handled. */
export function elementStrings(element: DataElement, dataSet: DataSet): string[] {
  const bytes = element.bytes;
  if (bytes === undefined || bytes.length === 0) return [];
  const vr = element.vr;
  const text = usesSpecificCharacterSet(vr) ? decodeText(bytes, characterSetOf(dataSet), vr) : latin1(bytes);
  const values = isMultiValuedStringVr(vr) ? text.split('\\') : [text];
  return values.map((v) => trimPadding(v, vr));
}

/** Decodes the numeric values of a binary (US, SS, UL, SL, FL, FD, SV, UV, OW…) or IS/DS element. */
export function elementNumbers(element: DataElement, dataSet: DataSet): number[] {
  const bytes = element.bytes;
  if (bytes === undefined || bytes.length === 0) return [];
  const vr = element.vr;
  if (vr === 'IS' || vr === 'DS') {
    return elementStrings(element, dataSet)
      .filter((s) => s !== '')
      .map(Number);
  }
  const le = dataSet.littleEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const read = numberReader(vr);
  if (read === undefined) return out;
  for (let i = 0; i + read.size <= bytes.length; i += read.size) out.push(read.get(view, i, le));
  return out;
}

/** Decodes an AT element to tags. */
export function elementTags(element: DataElement, dataSet: DataSet): number[] {
  const bytes = element.bytes;
  if (bytes === undefined) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dataSet.littleEndian;
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    out.push(view.getUint16(i, le) * 0x10000 + view.getUint16(i + 2, le));
  }
  return out;
}

interface NumberReader {
  size: number;
  get(view: DataView, offset: number, le: boolean): number;
}

const readers: Partial<Record<Vr, NumberReader>> = {
  US: { size: 2, get: (v, o, le) => v.getUint16(o, le) },
  OW: { size: 2, get: (v, o, le) => v.getUint16(o, le) },
  SS: { size: 2, get: (v, o, le) => v.getInt16(o, le) },
  UL: { size: 4, get: (v, o, le) => v.getUint32(o, le) },
  OL: { size: 4, get: (v, o, le) => v.getUint32(o, le) },
  SL: { size: 4, get: (v, o, le) => v.getInt32(o, le) },
  FL: { size: 4, get: (v, o, le) => v.getFloat32(o, le) },
  OF: { size: 4, get: (v, o, le) => v.getFloat32(o, le) },
  FD: { size: 8, get: (v, o, le) => v.getFloat64(o, le) },
  OD: { size: 8, get: (v, o, le) => v.getFloat64(o, le) },
  SV: { size: 8, get: (v, o, le) => Number(v.getBigInt64(o, le)) },
  UV: { size: 8, get: (v, o, le) => Number(v.getBigUint64(o, le)) },
  OV: { size: 8, get: (v, o, le) => Number(v.getBigUint64(o, le)) },
  OB: { size: 1, get: (v, o) => v.getUint8(o) },
  UN: { size: 1, get: (v, o) => v.getUint8(o) },
};

function numberReader(vr: Vr): NumberReader | undefined {
  return readers[vr];
}

/** The first value of a text element, or undefined when absent or empty. */
export function getString(dataSet: DataSet, tag: number): string | undefined {
  const element = dataSet.get(tag);
  if (element === undefined) return undefined;
  const first = isStringVr(element.vr) ? elementStrings(element, dataSet)[0] : undefined;
  return first === '' ? undefined : first;
}

/** All values of a text element (empty array when absent). */
export function getStrings(dataSet: DataSet, tag: number): string[] {
  const element = dataSet.get(tag);
  return element === undefined ? [] : elementStrings(element, dataSet);
}

/** The first numeric value of an element (binary or IS/DS), or undefined. */
export function getNumber(dataSet: DataSet, tag: number): number | undefined {
  const element = dataSet.get(tag);
  if (element === undefined) return undefined;
  const value = elementNumbers(element, dataSet)[0];
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/** All numeric values of an element. */
export function getNumbers(dataSet: DataSet, tag: number): number[] {
  const element = dataSet.get(tag);
  return element === undefined ? [] : elementNumbers(element, dataSet);
}

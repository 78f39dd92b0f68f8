/**
 * Builders of in-memory data elements for tests. Values are little endian (the byte order of a
 * `new DataSet()`), text is encoded with the given Specific Character Set and left unpadded (writers pad).
 */
import { encodeText } from '../charset/index.js';
import { DataSet, type DataElement } from '../data-set.js';
import { UNDEFINED_LENGTH } from '../tag.js';
import type { Vr } from '../vr.js';

/** A text element; several values are joined with `\` (PS3.5 §6.4). */
export function textElement(
  tag: number,
  vr: Vr,
  value: string | readonly string[],
  specificCharacterSet: readonly string[] = [],
): DataElement {
  const text = typeof value === 'string' ? value : value.join('\\');
  return bytesElement(tag, vr, encodeText(text, specificCharacterSet, vr));
}

/** An element holding exactly these value bytes (little endian for binary VRs). */
export function bytesElement(tag: number, vr: Vr, bytes: Uint8Array): DataElement {
  return { tag, vr, length: bytes.length, offset: -1, bytes };
}

/** VRs whose values {@link numberElement} can write, with their size in bytes. */
export const NUMBER_SIZES = {
  US: 2,
  SS: 2,
  OW: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  OF: 4,
  OL: 4,
  FD: 8,
  OD: 8,
  SV: 8,
  UV: 8,
  OV: 8,
} as const;

/** A VR of binary numbers. */
export type NumberVr = keyof typeof NUMBER_SIZES;

/** A binary numeric element (little endian). */
export function numberElement(tag: number, vr: NumberVr, values: readonly (number | bigint)[]): DataElement {
  const size = NUMBER_SIZES[vr];
  const bytes = new Uint8Array(size * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    const at = i * size;
    const n = Number(value);
    switch (vr) {
      case 'US':
      case 'OW':
        view.setUint16(at, n, true);
        break;
      case 'SS':
        view.setInt16(at, n, true);
        break;
      case 'UL':
      case 'OL':
        view.setUint32(at, n, true);
        break;
      case 'SL':
        view.setInt32(at, n, true);
        break;
      case 'FL':
      case 'OF':
        view.setFloat32(at, n, true);
        break;
      case 'FD':
      case 'OD':
        view.setFloat64(at, n, true);
        break;
      case 'SV':
        view.setBigInt64(at, BigInt(value), true);
        break;
      case 'UV':
      case 'OV':
        view.setBigUint64(at, BigInt(value), true);
        break;
    }
  });
  return bytesElement(tag, vr, bytes);
}

/** An AT element: each value a tag, written as two little-endian 16-bit halves (PS3.5 §6.2). */
export function tagElement(tag: number, tags: readonly number[]): DataElement {
  const bytes = new Uint8Array(4 * tags.length);
  const view = new DataView(bytes.buffer);
  tags.forEach((t, i) => {
    view.setUint16(4 * i, t >>> 16, true);
    view.setUint16(4 * i + 2, t & 0xffff, true);
  });
  return bytesElement(tag, 'AT', bytes);
}

/** A little-endian data set holding these elements. */
export function dataSetOf(elements: Iterable<DataElement>, parent?: DataSet): DataSet {
  const dataSet = new DataSet(true, parent);
  for (const element of elements) dataSet.set(element);
  return dataSet;
}

/**
 * A sequence element. `undefinedLength` (default false) makes the sequence and its items use undefined
 * lengths with delimiters when encoded (PS3.5 §7.5); items are given as element lists or data sets.
 */
export function sequenceElement(
  tag: number,
  items: readonly (DataSet | readonly DataElement[])[],
  options: { undefinedLength?: boolean } = {},
): DataElement {
  return {
    tag,
    vr: 'SQ',
    length: options.undefinedLength ? UNDEFINED_LENGTH : 0,
    offset: -1,
    items: items.map((item) => (item instanceof DataSet ? item : dataSetOf(item))),
  };
}

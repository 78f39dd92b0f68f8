import type { DataElement, DataSet } from '../data-set.js';
import { ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from '../tag.js';
import { BINARY_VALUE_SIZE, hasLongLength, paddingByte, type Vr } from '../vr.js';

/** A value left in the source stream: the caller copies `length` bytes from `offset`, swapping if asked. */
export interface BulkReference {
  /** Position of the value in the source the data set was read from. */
  offset: number;
  /** Number of bytes to copy. */
  length: number;
  /** Swap the byte order of each unit of this many bytes while copying (1: copy as is). */
  swapUnit: 1 | 2 | 4 | 8;
}

/** Output of the encoder: bytes, or a reference to bytes still in the source. */
export type EncodedChunk = Uint8Array | BulkReference;

/** Target encoding of a data set (PS3.5 §7.1, §7.3). */
export interface Encoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

/** True when the chunk is a reference to source bytes rather than bytes. */
export function isBulkReference(chunk: EncodedChunk): chunk is BulkReference {
  return !(chunk instanceof Uint8Array);
}

function header(tag: number, vr: Vr, length: number, enc: Encoding): Uint8Array {
  const long = !enc.explicitVr || hasLongLength(vr);
  const out = new Uint8Array(enc.explicitVr ? (long ? 12 : 8) : 8);
  const view = new DataView(out.buffer);
  const le = enc.littleEndian;
  view.setUint16(0, tag >>> 16, le);
  view.setUint16(2, tag & 0xffff, le);
  if (!enc.explicitVr) {
    view.setUint32(4, length, le);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) view.setUint32(8, length, le);
    else view.setUint16(6, length, le);
  }
  return out;
}

function itemHeader(tag: number, length: number, le: boolean): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, le);
  view.setUint16(2, tag & 0xffff, le);
  view.setUint32(4, length, le);
  return out;
}

function swapped(bytes: Uint8Array, unit: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    for (let j = 0; j < unit; j++) out[i + j] = bytes[i + unit - 1 - j]!;
  }
  return out;
}

function isGroupLength(tag: number): boolean {
  // Group lengths other than the command and meta groups are retired (PS3.5 §7.2) and would be wrong
  // after re-encoding, so they are dropped.
  return (tag & 0xffff) === 0 && tag >>> 16 > 0x0002;
}

/** The VR to write: a short-length VR whose value no longer fits 16 bits becomes UN (PS3.5 §6.2.2). */
function writtenVr(element: DataElement, valueLength: number, enc: Encoding): Vr {
  if (enc.explicitVr && !hasLongLength(element.vr) && valueLength > 0xffff) return 'UN';
  return element.vr;
}

function valueLengthOf(element: DataElement): number {
  if (element.bytes !== undefined) return element.bytes.length + (element.bytes.length % 2);
  return element.length + (element.length % 2);
}

/** Encoded size in bytes of a data set's elements under the given encoding. */
export function encodedLength(dataSet: DataSet, enc: Encoding): number {
  let total = 0;
  for (const element of dataSet.elements.values()) {
    if (isGroupLength(element.tag)) continue;
    total += encodedElementLength(element, enc);
  }
  return total;
}

function encodedElementLength(element: DataElement, enc: Encoding): number {
  if (element.encapsulated !== undefined) {
    let size = (enc.explicitVr ? 12 : 8) + 8 + element.encapsulated.basicOffsetTable.length + 8;
    for (const f of element.encapsulated.fragments) size += 8 + f.length + (f.length % 2);
    return size;
  }
  if (element.items !== undefined) {
    const head = enc.explicitVr ? 12 : 8;
    return head + sequenceBodyLength(element, enc);
  }
  const valueLength = valueLengthOf(element);
  const vr = writtenVr(element, valueLength, enc);
  const head = enc.explicitVr ? (hasLongLength(vr) ? 12 : 8) : 8;
  return head + valueLength;
}

function sequenceBodyLength(element: DataElement, enc: Encoding): number {
  const undefinedLength = element.length === UNDEFINED_LENGTH;
  let size = 0;
  for (const item of element.items ?? []) size += 8 + encodedLength(item, enc) + (undefinedLength ? 8 : 0);
  return size + (undefinedLength ? 8 : 0);
}

/**
 * Encodes the elements of a data set (PS3.5 §7) in ascending tag order. Values held in memory are
 * emitted as bytes (byte-swapped when the target byte order differs from the source's); values left in
 * the source come out as {@link BulkReference}s for the caller to copy. Sequences keep their defined or
 * undefined length.
 */
export function* encodeDataSet(dataSet: DataSet, enc: Encoding): Generator<EncodedChunk> {
  const swap = dataSet.littleEndian !== enc.littleEndian;
  for (const element of dataSet.sortedElements()) {
    if (isGroupLength(element.tag)) continue;
    yield* encodeElement(element, enc, swap);
  }
}

function* encodeElement(element: DataElement, enc: Encoding, swap: boolean): Generator<EncodedChunk> {
  const le = enc.littleEndian;
  if (element.encapsulated !== undefined) {
    // PS3.5 §A.4: always undefined length, an offset table item, fragment items, a sequence delimiter.
    yield header(element.tag, element.vr === 'UN' ? 'UN' : 'OB', UNDEFINED_LENGTH, enc);
    const table = element.encapsulated.basicOffsetTable;
    yield itemHeader(ITEM, table.length, le);
    if (table.length > 0) yield swap ? swapped(table, 4) : table;
    for (const fragment of element.encapsulated.fragments) {
      const padded = fragment.length + (fragment.length % 2);
      yield itemHeader(ITEM, padded, le);
      if (fragment.bytes !== undefined) yield fragment.bytes;
      else yield { offset: fragment.offset, length: fragment.length, swapUnit: 1 };
      if (fragment.length % 2 === 1) yield new Uint8Array(1);
    }
    yield itemHeader(SEQUENCE_DELIMITATION, 0, le);
    return;
  }
  if (element.items !== undefined) {
    const undefinedLength = element.length === UNDEFINED_LENGTH;
    yield header(
      element.tag,
      'SQ',
      undefinedLength ? UNDEFINED_LENGTH : sequenceBodyLength(element, enc),
      enc,
    );
    for (const item of element.items) {
      yield itemHeader(ITEM, undefinedLength ? UNDEFINED_LENGTH : encodedLength(item, enc), le);
      yield* encodeDataSet(item, enc);
      if (undefinedLength) yield itemHeader(ITEM_DELIMITATION, 0, le);
    }
    if (undefinedLength) yield itemHeader(SEQUENCE_DELIMITATION, 0, le);
    return;
  }
  const valueLength = valueLengthOf(element);
  const vr = writtenVr(element, valueLength, enc);
  yield header(element.tag, vr, valueLength, enc);
  const unit = swap ? (BINARY_VALUE_SIZE[element.vr] ?? 1) : 1;
  if (element.bytes !== undefined) {
    const bytes = unit > 1 ? swapped(element.bytes, unit) : element.bytes;
    if (bytes.length > 0) yield bytes;
    if (bytes.length % 2 === 1) yield Uint8Array.of(paddingByte(element.vr));
  } else if (element.offset >= 0) {
    if (element.length > 0)
      yield { offset: element.offset, length: element.length, swapUnit: unit as 1 | 2 | 4 | 8 };
    if (element.length % 2 === 1) yield Uint8Array.of(paddingByte(element.vr));
  } else {
    throw new Error(`element ${element.tag.toString(16)} has neither a value nor a source`);
  }
}

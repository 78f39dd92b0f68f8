/**
 * A small, deliberately separate DICOM encoder used to make test inputs and to check the library's writer
 * against: it shares no code with `writer/`. PS3.5 §7.1 (element headers), §7.3 (byte order), §7.5
 * (sequences), §A.4 (encapsulation), PS3.10 §7.1 (Part 10 header).
 */
import type { DataElement, DataSet } from '../data-set.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import type { Vr } from '../vr.js';

/** How a data set is encoded. */
export interface TestEncoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

/** Explicit VR Little Endian, the encoding of File Meta Information. */
export const EXPLICIT_LITTLE: TestEncoding = { explicitVr: true, littleEndian: true };

const LONG_VRS = new Set<string>([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);
const TEXT_VRS = new Set<string>([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UR',
  'UT',
]);
const SWAP_UNIT: Partial<Record<Vr, number>> = {
  AT: 2, US: 2, SS: 2, OW: 2, UL: 4, SL: 4, FL: 4, OF: 4, OL: 4, FD: 8, OD: 8, SV: 8, UV: 8, OV: 8,
}; // prettier-ignore

/** Growable byte buffer. */
export class ByteWriter {
  private buffer = new Uint8Array(1024);
  /** Bytes written so far. */
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  /** Appends bytes. */
  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Appends an unsigned 16-bit integer. */
  u16(value: number, littleEndian: boolean): this {
    this.reserve(2);
    new DataView(this.buffer.buffer).setUint16(this.length, value, littleEndian);
    this.length += 2;
    return this;
  }

  /** Appends an unsigned 32-bit integer. */
  u32(value: number, littleEndian: boolean): this {
    this.reserve(4);
    new DataView(this.buffer.buffer).setUint32(this.length, value >>> 0, littleEndian);
    this.length += 4;
    return this;
  }

  /** Appends a tag as two 16-bit halves. */
  tag(tag: number, littleEndian: boolean): this {
    return this.u16(tag >>> 16, littleEndian).u16(tag & 0xffff, littleEndian);
  }

  /** Appends ASCII text. */
  ascii(text: string): this {
    return this.bytes(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  }

  /** A copy of the bytes written. */
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Reverses the byte order of each `unit`-byte value (a copy). */
export function swapBytes(bytes: Uint8Array, unit: number): Uint8Array {
  const out = bytes.slice();
  if (unit <= 1) return out;
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    for (let j = 0; j < unit; j++) out[i + j] = bytes[i + unit - 1 - j]!;
  }
  return out;
}

function padded(bytes: Uint8Array, vr: Vr): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = TEXT_VRS.has(vr) ? 0x20 : 0x00;
  return out;
}

/** Writes an element header (tag, VR, length) in the given encoding. */
export function writeHeader(out: ByteWriter, tag: number, vr: Vr, length: number, enc: TestEncoding): void {
  out.tag(tag, enc.littleEndian);
  if (!enc.explicitVr) {
    out.u32(length, enc.littleEndian);
  } else if (LONG_VRS.has(vr)) {
    out.ascii(vr).u16(0, enc.littleEndian).u32(length, enc.littleEndian);
  } else {
    if (length > 0xffff) throw new Error(`value of ${tag.toString(16)} is too long for ${vr}`);
    out.ascii(vr).u16(length, enc.littleEndian);
  }
}

function encodeItems(element: DataElement, enc: TestEncoding): Uint8Array {
  const undefinedLength = element.length === 0xffffffff;
  const out = new ByteWriter();
  for (const item of element.items ?? []) {
    const body = encodeTestDataSet(item, enc);
    out.tag(0xfffee000, enc.littleEndian).u32(undefinedLength ? 0xffffffff : body.length, enc.littleEndian);
    out.bytes(body);
    if (undefinedLength) out.tag(0xfffee00d, enc.littleEndian).u32(0, enc.littleEndian);
  }
  if (undefinedLength) out.tag(0xfffee0dd, enc.littleEndian).u32(0, enc.littleEndian);
  return out.result();
}

/**
 * Encodes elements (in ascending tag order) in the given encoding. Values are taken as held in the data
 * set (`sourceLittleEndian`, default the data set's own byte order) and swapped per VR when the target
 * byte order differs. Sequences with `length === 0xFFFFFFFF` get undefined lengths; encapsulated pixel data
 * is written with its offset table and fragments (each fragment must hold its bytes).
 */
export function encodeTestDataSet(
  elements: DataSet | Iterable<DataElement>,
  enc: TestEncoding,
  sourceLittleEndian?: boolean,
): Uint8Array {
  const list = [...('elements' in elements ? elements.elements.values() : elements)].sort(
    (a, b) => a.tag - b.tag,
  );
  const fromLittle = sourceLittleEndian ?? ('littleEndian' in elements ? elements.littleEndian : true);
  const out = new ByteWriter();
  for (const element of list) {
    if (element.items !== undefined) {
      const body = encodeItems(element, enc);
      writeHeader(out, element.tag, 'SQ', element.length === 0xffffffff ? 0xffffffff : body.length, enc);
      out.bytes(body);
    } else if (element.encapsulated !== undefined) {
      writeHeader(out, element.tag, 'OB', 0xffffffff, enc);
      const table = element.encapsulated.basicOffsetTable;
      out.tag(0xfffee000, enc.littleEndian).u32(table.length, enc.littleEndian);
      out.bytes(fromLittle === enc.littleEndian ? table : swapBytes(table, 4));
      for (const fragment of element.encapsulated.fragments) {
        if (fragment.bytes === undefined) throw new Error('fragment bytes are not in memory');
        const bytes = padded(fragment.bytes, 'OB');
        out.tag(0xfffee000, enc.littleEndian).u32(bytes.length, enc.littleEndian).bytes(bytes);
      }
      out.tag(0xfffee0dd, enc.littleEndian).u32(0, enc.littleEndian);
    } else {
      if (element.bytes === undefined)
        throw new Error(`value of ${element.tag.toString(16)} is not in memory`);
      const unit = fromLittle === enc.littleEndian ? 1 : (SWAP_UNIT[element.vr] ?? 1);
      const bytes = padded(swapBytes(element.bytes, unit), element.vr);
      writeHeader(out, element.tag, element.vr, bytes.length, enc);
      out.bytes(bytes);
    }
  }
  return out.result();
}

/**
 * File Meta Information (PS3.10 §7.1) with its group length, encoded in Explicit VR Little Endian.
 * `extra` elements (group 0002) are added or replace the defaults.
 */
export function encodeTestFileMeta(
  sopClassUid: string,
  sopInstanceUid: string,
  transferSyntaxUid: string,
  extra: Iterable<DataElement> = [],
): Uint8Array {
  const ascii = (tag: number, vr: Vr, text: string): DataElement => {
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    return { tag, vr, length: bytes.length, offset: -1, bytes };
  };
  const elements = new Map<number, DataElement>();
  for (const element of [
    { tag: 0x00020001, vr: 'OB' as const, length: 2, offset: -1, bytes: Uint8Array.of(0, 1) },
    ascii(0x00020002, 'UI', sopClassUid),
    ascii(0x00020003, 'UI', sopInstanceUid),
    ascii(0x00020010, 'UI', transferSyntaxUid),
    ascii(0x00020012, 'UI', TEST_IMPLEMENTATION_CLASS_UID),
    ascii(0x00020013, 'SH', 'LIGHTBOX_TEST'),
    ...extra,
  ]) {
    elements.set(element.tag, element);
  }
  elements.delete(0x00020000);
  const body = encodeTestDataSet(elements.values(), EXPLICIT_LITTLE);
  const out = new ByteWriter();
  writeHeader(out, 0x00020000, 'UL', 4, EXPLICIT_LITTLE);
  out.u32(body.length, true).bytes(body);
  return out.result();
}

/** Implementation Class UID written by the test encoder (a fixed UUID-derived UID). */
export const TEST_IMPLEMENTATION_CLASS_UID = '2.25.302690406393232133347135349373211716413';

/** The 128-byte preamble and "DICM" (PS3.10 §7.1). */
export function part10Preamble(): Uint8Array {
  const out = new Uint8Array(132);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  return out;
}

/** The transfer syntaxes a whole test file is written in, each with the encoding of its data set. */
const PART10_ENCODINGS = {
  [TransferSyntaxUid.ExplicitVRLittleEndian]: EXPLICIT_LITTLE,
  [TransferSyntaxUid.ExplicitVRBigEndian]: { explicitVr: true, littleEndian: false },
} as const satisfies Record<string, TestEncoding>;

/**
 * A Part 10 file of the test encoder: preamble, File Meta Information and the elements (values held
 * little endian, as the element builders make them) in the transfer syntax's encoding.
 */
export function encodeTestPart10(
  elements: Iterable<DataElement>,
  transferSyntaxUid: keyof typeof PART10_ENCODINGS,
  sopClassUid = '1.2.3',
): Uint8Array {
  return concatBytes([
    part10Preamble(),
    encodeTestFileMeta(sopClassUid, '1.2.3.4', transferSyntaxUid),
    encodeTestDataSet(elements, PART10_ENCODINGS[transferSyntaxUid], true),
  ]);
}

/**
 * Raw DEFLATE (RFC 1951) made of stored (uncompressed) blocks: valid input for any inflater, no
 * compressor needed. `final` marks the last block; pass false for a chunk of a longer stream and end the
 * stream with `deflateStored(new Uint8Array(0), true)`.
 */
export function deflateStored(data: Uint8Array, final = true): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 0xffff));
  const out = new Uint8Array(data.length + 5 * blocks);
  let at = 0;
  for (let b = 0; b < blocks; b++) {
    const start = b * 0xffff;
    const length = Math.min(0xffff, data.length - start);
    out[at++] = final && b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00 (RFC 1951 §3.2.4)
    out[at++] = length & 0xff;
    out[at++] = length >>> 8;
    out[at++] = ~length & 0xff;
    out[at++] = (~length >>> 8) & 0xff;
    out.set(data.subarray(start, start + length), at);
    at += length;
  }
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

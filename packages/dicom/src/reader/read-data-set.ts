import { DataSet, type DataElement, type Fragment } from '../data-set.js';
import { lookupTag } from '../dictionary/index.js';
import { DicomParseError, ParseFailure } from '../parse-error.js';
import {
  ITEM,
  ITEM_DELIMITATION,
  SEQUENCE_DELIMITATION,
  UNDEFINED_LENGTH,
  isPrivateTag,
  tagToString,
} from '../tag.js';
import { hasLongLength, isVr, type Vr } from '../vr.js';
import type { ByteSource } from './byte-source.js';

/** Options that decide what is read into memory and where reading stops. */
export interface ReadOptions {
  /** Values longer than this many bytes stay in the source (offset and length recorded). Default 64 KiB. */
  bulkDataThreshold?: number;
  /** Read pixel data (and its fragments) into memory instead of leaving it in the source. Default false. */
  readPixelData?: boolean;
  /** Stop before the first top-level element whose tag is ≥ this (header-only parsing). */
  stopAtTag?: number;
}

/** Reader options used inside the package: the meta group reader also stops below group 0002. */
export interface DataSetReaderOptions extends ReadOptions {
  /** Stop before the first top-level element whose tag is < this. */
  stopBelowTag?: number;
}

/** The encoding of a data set: PS3.5 §7.1 (explicit/implicit VR) and §7.3 (byte order). */
export interface DataSetEncoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

const PIXEL_DATA = 0x7fe00010;
const FLOAT_PIXEL_DATA = 0x7fe00008;
const DOUBLE_FLOAT_PIXEL_DATA = 0x7fe00009;
const PIXEL_REPRESENTATION = 0x00280103;
const MAX_DEPTH = 64;
// The Extended Offset Table and its lengths (PS3.5 §A.4) are always read: frames are located with them.
const OFFSET_TABLES: ReadonlySet<number> = new Set([0x7fe00001, 0x7fe00002]);
const DEFAULT_BULK_THRESHOLD = 64 * 1024;

// Elements whose dictionary VR is "US or SS" take SS when Pixel Representation is 1 (PS3.5 §A.1 note).
const IMPLICIT_TAGS_OW: ReadonlySet<number> = new Set([
  PIXEL_DATA,
  0x00283006,
  0x00281201,
  0x00281202,
  0x00281203,
]);

function isPixelDataTag(tag: number): boolean {
  return tag === PIXEL_DATA || tag === FLOAT_PIXEL_DATA || tag === DOUBLE_FLOAT_PIXEL_DATA;
}

/** VR of an element read in implicit VR, from the dictionary and the data set read so far. */
export function implicitVr(tag: number, dataSet: DataSet): Vr {
  if ((tag & 0xffff) === 0) return 'UL'; // group length (PS3.5 §7.2)
  if (isPrivateTag(tag)) {
    const element = tag & 0xffff;
    return element >= 0x0010 && element <= 0x00ff ? 'LO' : 'UN'; // private creator (PS3.5 §7.8.1)
  }
  const entry = lookupTag(tag);
  if (entry === undefined || entry.vrs.length === 0) return 'UN';
  if (entry.vrs.length === 1) return entry.vrs[0]!;
  // Ambiguous dictionary VRs (PS3.5 Annex A.1 and §6.2.2): OW for implicit pixel data and LUT data.
  if (IMPLICIT_TAGS_OW.has(tag) || entry.vrs.includes('OW')) return 'OW';
  if (entry.vrs.includes('SS')) {
    const pr = findPixelRepresentation(dataSet);
    return pr === 1 ? 'SS' : 'US';
  }
  return entry.vrs[0]!;
}

function findPixelRepresentation(dataSet: DataSet): number | undefined {
  for (let ds: DataSet | undefined = dataSet; ds !== undefined; ds = ds.parent) {
    const bytes = ds.get(PIXEL_REPRESENTATION)?.bytes;
    if (bytes !== undefined && bytes.length >= 2) {
      return ds.littleEndian ? bytes[0]! | (bytes[1]! << 8) : (bytes[0]! << 8) | bytes[1]!;
    }
  }
  return undefined;
}

/**
 * Reads the elements of a data set (PS3.5 §7) from a {@link ByteSource}. One reader handles one
 * encoding; nested sequences are read recursively with a depth limit, so hostile input cannot exhaust
 * the stack.
 */
export class DataSetReader {
  private readonly bulkThreshold: number;
  private readonly readPixelData: boolean;
  private readonly stopAtTag: number;
  private readonly stopBelowTag: number;
  /** Tag of the top-level element reading stopped at, when `stopAtTag` was reached. */
  stoppedAt: number | undefined;

  constructor(
    private readonly source: ByteSource,
    private readonly encoding: DataSetEncoding,
    options: DataSetReaderOptions = {},
  ) {
    this.bulkThreshold = options.bulkDataThreshold ?? DEFAULT_BULK_THRESHOLD;
    this.readPixelData = options.readPixelData ?? false;
    this.stopAtTag = options.stopAtTag ?? 0x100000000;
    this.stopBelowTag = options.stopBelowTag ?? 0;
  }

  /** Reads a whole top-level data set up to the end of the stream (or `stopAtTag`). */
  async readTopLevel(into?: DataSet): Promise<DataSet> {
    const dataSet = into ?? new DataSet(this.encoding.littleEndian);
    await this.readElements(dataSet, undefined, 0, this.encoding);
    return dataSet;
  }

  /**
   * Reads elements into `dataSet` until `end` (an absolute position), an item delimiter (when
   * `end` is undefined and depth > 0) or the end of the stream (depth 0).
   */
  private async readElements(
    dataSet: DataSet,
    end: number | undefined,
    depth: number,
    encoding: DataSetEncoding,
  ): Promise<void> {
    const src = this.source;
    const le = encoding.littleEndian;
    for (;;) {
      if (end !== undefined && src.position >= end) {
        if (src.position > end) this.fail(ParseFailure.Malformed, 'element overruns its item');
        return;
      }
      if (src.available < 8 && !(await src.fill(8))) {
        if (depth === 0 && (await src.atEnd())) return;
        if (depth === 0 && src.available < 8)
          this.fail(ParseFailure.Truncated, 'stream ended inside an element header');
        this.fail(ParseFailure.Truncated, 'stream ended inside an item');
      }
      const tag = src.peekUint16(0, le) * 0x10000 + src.peekUint16(2, le);
      if (tag === ITEM_DELIMITATION) {
        if (depth === 0) this.fail(ParseFailure.Malformed, 'item delimiter outside an item');
        await src.skip(8);
        return;
      }
      if (depth === 0 && (tag >= this.stopAtTag || tag < this.stopBelowTag)) {
        this.stoppedAt = tag;
        return;
      }
      src.readTag(le);
      const element = await this.readElementHeader(tag, dataSet, encoding);
      if (end !== undefined && element.length !== UNDEFINED_LENGTH && src.position + element.length > end) {
        this.fail(ParseFailure.Malformed, `value of ${tagToString(tag)} overruns its item`);
      }
      await this.readValue(element, dataSet, depth, encoding);
      dataSet.elements.set(tag, element);
    }
  }

  /** Reads VR and length after the tag; leaves the source at the first value byte. */
  private async readElementHeader(
    tag: number,
    dataSet: DataSet,
    encoding: DataSetEncoding,
  ): Promise<DataElement> {
    const src = this.source;
    const le = encoding.littleEndian;
    let vr: Vr;
    let length: number;
    if (encoding.explicitVr) {
      const a = src.peekByte(0);
      const b = src.peekByte(1);
      const code = String.fromCharCode(a, b);
      if (isVr(code)) {
        vr = code;
        if (hasLongLength(vr)) {
          if (src.available < 8) await src.require(8);
          src.readUint16(le); // reserved
          src.readUint16(le);
          length = src.readUint32(le);
        } else {
          src.readUint16(le);
          length = src.readUint16(le);
        }
      } else if (a === 0x20 && b === 0x20) {
        // Two spaces: seen in the wild for UN written by old toolkits; treat as UN with a 16-bit length field.
        vr = 'UN';
        src.readUint16(le);
        length = src.readUint16(le);
      } else {
        this.fail(
          ParseFailure.Malformed,
          `invalid VR bytes 0x${a.toString(16)} 0x${b.toString(16)} in ${tagToString(tag)}`,
        );
      }
      // PS3.5 §6.2.2: a public element relayed as UN by a node that did not know it is read with its
      // dictionary VR (the value bytes are those of implicit VR little endian), so that its value can be
      // indexed and matched. Private elements and sequences stay UN.
      if (vr === 'UN' && le && length !== UNDEFINED_LENGTH && !isPrivateTag(tag)) {
        const known = implicitVr(tag, dataSet);
        if (known !== 'UN' && known !== 'SQ') vr = known;
      }
    } else {
      vr = implicitVr(tag, dataSet);
      length = src.readUint32(le);
    }
    return { tag, vr, length, offset: src.position };
  }

  private async readValue(
    element: DataElement,
    dataSet: DataSet,
    depth: number,
    encoding: DataSetEncoding,
  ): Promise<void> {
    const src = this.source;
    const { tag, length } = element;
    if (isPixelDataTag(tag) && length === UNDEFINED_LENGTH) {
      element.encapsulated = await this.readEncapsulated(encoding);
      if (element.vr !== 'OB' && element.vr !== 'UN') element.vr = 'OB';
      return;
    }
    if (element.vr === 'SQ' || length === UNDEFINED_LENGTH) {
      // PS3.5 §6.2.2: UN (or an unknown implicit element) with undefined length is a sequence whose items
      // are encoded in implicit VR little endian.
      const itemEncoding = element.vr === 'SQ' ? encoding : { explicitVr: false, littleEndian: true };
      if (element.vr !== 'SQ') element.vr = 'SQ';
      element.items = await this.readSequence(length, dataSet, depth + 1, itemEncoding);
      return;
    }
    // Odd lengths violate PS3.5 §7.1.1 but occur in real files: the bytes are kept exactly as they are.
    const bulk = isPixelDataTag(tag)
      ? !this.readPixelData
      : length > this.bulkThreshold && !OFFSET_TABLES.has(tag);
    if (bulk) {
      await src.skip(length);
    } else {
      element.bytes = length === 0 ? new Uint8Array(0) : await src.readBytes(length);
    }
  }

  private async readSequence(
    length: number,
    parent: DataSet,
    depth: number,
    encoding: DataSetEncoding,
  ): Promise<DataSet[]> {
    if (depth > MAX_DEPTH) this.fail(ParseFailure.Malformed, 'sequences nested too deeply');
    const src = this.source;
    const le = encoding.littleEndian;
    const end = length === UNDEFINED_LENGTH ? undefined : src.position + length;
    const items: DataSet[] = [];
    for (;;) {
      if (end !== undefined && src.position >= end) {
        if (src.position > end) this.fail(ParseFailure.Malformed, 'item overruns its sequence');
        return items;
      }
      await src.require(8);
      const tag = src.readTag(le);
      const itemLength = src.readUint32(le);
      if (tag === SEQUENCE_DELIMITATION) {
        if (end !== undefined)
          this.fail(ParseFailure.Malformed, 'sequence delimiter in a defined-length sequence');
        return items;
      }
      if (tag !== ITEM) this.fail(ParseFailure.Malformed, `expected an item, found ${tagToString(tag)}`);
      const item = new DataSet(le, parent);
      const itemEnd = itemLength === UNDEFINED_LENGTH ? undefined : src.position + itemLength;
      if (end !== undefined && itemEnd !== undefined && itemEnd > end) {
        this.fail(ParseFailure.Malformed, 'item overruns its sequence');
      }
      if (itemEnd !== undefined && itemLength === 0) {
        items.push(item);
        continue;
      }
      await this.readElements(item, itemEnd, depth, encoding);
      items.push(item);
    }
  }

  // PS3.5 §A.4: a Basic Offset Table item, then one item per fragment, then a sequence delimiter.
  private async readEncapsulated(
    encoding: DataSetEncoding,
  ): Promise<{ basicOffsetTable: Uint8Array; fragments: Fragment[] }> {
    const src = this.source;
    const le = encoding.littleEndian;
    await src.require(8);
    const first = src.readTag(le);
    const tableLength = src.readUint32(le);
    if (first !== ITEM || tableLength === UNDEFINED_LENGTH) {
      this.fail(ParseFailure.Malformed, 'encapsulated pixel data does not start with an offset table item');
    }
    const basicOffsetTable = await src.readBytes(tableLength);
    const fragments: Fragment[] = [];
    for (;;) {
      await src.require(8);
      const tag = src.readTag(le);
      const fragmentLength = src.readUint32(le);
      if (tag === SEQUENCE_DELIMITATION) return { basicOffsetTable, fragments };
      if (tag !== ITEM || fragmentLength === UNDEFINED_LENGTH) {
        this.fail(ParseFailure.Malformed, `expected a fragment item, found ${tagToString(tag)}`);
      }
      const fragment: Fragment = { offset: src.position, length: fragmentLength };
      if (this.readPixelData) fragment.bytes = await src.readBytes(fragmentLength);
      else await src.skip(fragmentLength);
      fragments.push(fragment);
    }
  }

  private fail(reason: (typeof ParseFailure)[keyof typeof ParseFailure], message: string): never {
    throw new DicomParseError(reason, message, this.source.position);
  }
}

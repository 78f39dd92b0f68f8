import type { Vr } from './vr.js';

/** One fragment of encapsulated pixel data (PS3.5 §A.4): where its bytes lie in the source stream. */
export interface Fragment {
  /** Position of the fragment's first byte in the (inflated) source stream. */
  offset: number;
  /** Length of the fragment in bytes. */
  length: number;
  /** The fragment's bytes, when they were read into memory. */
  bytes?: Uint8Array;
}

/** Encapsulated pixel data: the Basic Offset Table item and the fragments that follow it (PS3.5 §A.4). */
export interface EncapsulatedPixelData {
  /** Raw bytes of the Basic Offset Table (first item); empty when the table is empty. */
  basicOffsetTable: Uint8Array;
  /** Every fragment after the offset table, in stream order. */
  fragments: Fragment[];
}

/**
 * One data element as read from a stream or built in memory.
 *
 * Values are kept as raw bytes in the byte order of the data set they came from, so an object can be
 * written again bit for bit; decoding to strings and numbers happens on demand (see `values/`).
 */
export interface DataElement {
  /** The tag, `(group << 16 | element) >>> 0`. */
  tag: number;
  /** The VR: explicit from the stream, or from the dictionary for implicit VR. */
  vr: Vr;
  /** Value length as encoded in the source, or 0xFFFFFFFF for undefined length; bytes.length in memory. */
  length: number;
  /** Position of the first value byte in the (inflated) source stream; -1 for elements built in memory. */
  offset: number;
  /** The value bytes, when held in memory. Absent for bulk data left in the source. */
  bytes?: Uint8Array;
  /** The items, when the element is a sequence. */
  items?: DataSet[];
  /** The fragments, when the element is encapsulated pixel data. */
  encapsulated?: EncapsulatedPixelData;
}

/**
 * A DICOM data set: elements keyed by tag. Nested data sets (sequence items) know their parent so that
 * Specific Character Set inheritance (PS3.5 §6.1.2.3) and byte order can be resolved.
 */
export class DataSet {
  /** Elements by tag, in ascending tag order when read from a stream. */
  readonly elements = new Map<number, DataElement>();

  /**
   * @param littleEndian - byte order of the raw values held in this data set
   * @param parent - the data set whose sequence holds this one as an item
   */
  constructor(
    readonly littleEndian = true,
    readonly parent?: DataSet,
  ) {}

  /** The element with this tag, if present. */
  get(tag: number): DataElement | undefined {
    return this.elements.get(tag);
  }

  /** True when the element is present (even with an empty value). */
  has(tag: number): boolean {
    return this.elements.has(tag);
  }

  /** Adds or replaces an element. */
  set(element: DataElement): void {
    this.elements.set(element.tag, element);
  }

  /** Removes an element; returns true if it was present. */
  delete(tag: number): boolean {
    return this.elements.delete(tag);
  }

  /** Elements in ascending tag order (the order PS3.5 §7.1 requires on write). */
  sortedElements(): DataElement[] {
    const list = [...this.elements.values()];
    for (let i = 1; i < list.length; i++) {
      if (list[i - 1]!.tag > list[i]!.tag) return list.sort((a, b) => a.tag - b.tag);
    }
    return list;
  }
}

/** A plain, comparable picture of a data set (no class instances, no parent links), for `toEqual`. */
import type { DataSet } from '../data-set.js';
import { tagToHex } from '../tag.js';

/** One element of a {@link dataSetSnapshot}. */
export interface ElementSnapshot {
  tag: string;
  vr: string;
  length: number;
  offset: number;
  /** Value bytes as hex, when in memory. */
  bytes?: string;
  items?: DataSetSnapshot[];
  basicOffsetTable?: string;
  fragments?: { offset: number; length: number; bytes?: string }[];
}

/** A data set as a list of element snapshots in tag order, with its byte order. */
export interface DataSetSnapshot {
  littleEndian: boolean;
  elements: ElementSnapshot[];
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Everything the reader recorded about a data set: tags, VRs, lengths, offsets, bytes, items, fragments. */
export function dataSetSnapshot(dataSet: DataSet): DataSetSnapshot {
  return {
    littleEndian: dataSet.littleEndian,
    elements: dataSet.sortedElements().map((e) => {
      const out: ElementSnapshot = { tag: tagToHex(e.tag), vr: e.vr, length: e.length, offset: e.offset };
      if (e.bytes !== undefined) out.bytes = hex(e.bytes);
      if (e.items !== undefined) out.items = e.items.map(dataSetSnapshot);
      if (e.encapsulated !== undefined) {
        out.basicOffsetTable = hex(e.encapsulated.basicOffsetTable);
        out.fragments = e.encapsulated.fragments.map((f) => ({
          offset: f.offset,
          length: f.length,
          ...(f.bytes === undefined ? {} : { bytes: hex(f.bytes) }),
        }));
      }
      return out;
    }),
  };
}

/**
 * Character → bytes tables for the encoder, built once per set by running the platform decoder over every
 * code position, so that encoding is the exact inverse of our decoding.
 */
import { cachedTextDecoder } from './cached-text-decoder.js';
import { GraphicSets, type GraphicSet } from './graphic-sets.js';

const tables = new Map<GraphicSet, ReadonlyMap<number, number>>();

// JIS X 0208 cells whose Unicode mapping differs between platforms (WHATWG/ICU EUC-JP vs. JIS/Python
// ISO-2022-JP); text typed on either side encodes to the same cell.
const JIS_X_0208_ALIASES: readonly (readonly [number, number])[] = [
  [0x301c, 0xff5e], // WAVE DASH ← FULLWIDTH TILDE (1-33)
  [0x2016, 0x2225], // DOUBLE VERTICAL LINE ← PARALLEL TO (1-34)
  [0x2212, 0xff0d], // MINUS SIGN ← FULLWIDTH HYPHEN-MINUS (1-61)
  [0x00a2, 0xffe0], // CENT SIGN (1-81)
  [0x00a3, 0xffe1], // POUND SIGN (1-82)
  [0x00ac, 0xffe2], // NOT SIGN (2-44)
];

/**
 * The code point → position table of a set: for a single-byte set the 7-bit position (0x20–0x7F, written
 * as is in G0 or with the high bit in G1); for a 94×94 set `row << 8 | cell` as 7-bit bytes 0x21–0x7E.
 * Positions the set leaves empty are absent.
 */
export function encodeTable(set: GraphicSet): ReadonlyMap<number, number> {
  let table = tables.get(set);
  if (table === undefined) {
    table = set.kind === 'single' ? singleByte(set.table()) : doubleByte(set);
    tables.set(set, table);
  }
  return table;
}

function singleByte(decodeTable: Uint16Array): Map<number, number> {
  const map = new Map<number, number>();
  for (let p = 0x20; p < 0x80; p++) {
    const cp = decodeTable[p] as number;
    // ASCII itself is never looked up here: the encoder writes it through G0.
    if (cp >= 0x80 && cp !== 0xfffd && !map.has(cp)) map.set(cp, p);
  }
  return map;
}

function doubleByte(set: Extract<GraphicSet, { kind: 'double' }>): Map<number, number> {
  const map = new Map<number, number>();
  const decoder = cachedTextDecoder(set.label);
  if (decoder === null) return map;
  // One decode call over every cell, each followed by LF, so that an undefined cell (U+FFFD, or two
  // characters) cannot shift the cells after it.
  const rows: number[] = [];
  for (let row = 1; row <= 94; row++) if (set.rows(row)) rows.push(row);
  const bytes = new Uint8Array(rows.length * 94 * (set.prefix === undefined ? 3 : 4));
  let k = 0;
  for (const row of rows) {
    for (let cell = 1; cell <= 94; cell++) {
      if (set.prefix !== undefined) bytes[k++] = set.prefix;
      bytes[k++] = 0xa0 + row;
      bytes[k++] = 0xa0 + cell;
      bytes[k++] = 0x0a;
    }
  }
  const decoded = decoder.decode(bytes).split('\n');
  let index = 0;
  for (const row of rows) {
    for (let cell = 1; cell <= 94; cell++) {
      const s = decoded[index++] ?? '';
      const cp = s.codePointAt(0);
      if (cp === undefined || cp === 0xfffd || s.length !== (cp > 0xffff ? 2 : 1)) continue;
      if (cp >= 0xe000 && cp <= 0xf8ff) continue; // user-defined rows the decoders map to private use
      if (!map.has(cp)) map.set(cp, ((0x20 + row) << 8) | (0x20 + cell));
    }
  }
  if (set === GraphicSets.jisX0208) {
    for (const [alias, cp] of JIS_X_0208_ALIASES) {
      const position = map.get(cp);
      if (position !== undefined && !map.has(alias)) map.set(alias, position);
    }
  }
  return map;
}

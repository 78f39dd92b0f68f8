/**
 * ISO/IEC 2022 designation escape sequences: PS3.3 Tables C.12-3 and C.12-4, PS3.5 Tables H.1-1, H.1-2,
 * I.1-1 and K.1-1.
 */
import { GraphicSets, type GraphicSet, type GraphicSetSlot } from './graphic-sets.js';

/** A graphic set designated into G0 or G1. */
export interface Designation {
  readonly slot: GraphicSetSlot;
  readonly set: GraphicSet;
}

/** A recognised escape sequence: what it designates and how many bytes it spans, ESC included. */
export interface EscapeSequence {
  readonly designation: Designation;
  readonly length: number;
}

const ESC = 0x1b;
const S = GraphicSets;

// The bytes after ESC, and what they designate. The first entry for each set and slot is the form we write.
const entries: readonly (readonly [string, GraphicSetSlot, GraphicSet])[] = [
  // PS3.3 Table C.12-3 (single-byte sets with code extensions).
  ['(B', 0, S.ascii],
  ['(J', 0, S.romaji],
  [')I', 1, S.katakana],
  ['-A', 1, S.latin1],
  ['-B', 1, S.latin2],
  ['-C', 1, S.latin3],
  ['-D', 1, S.latin4],
  ['-L', 1, S.cyrillic],
  ['-G', 1, S.arabic],
  ['-F', 1, S.greek],
  ['-H', 1, S.hebrew],
  ['-M', 1, S.latin5],
  ['-b', 1, S.latin9],
  ['-T', 1, S.thai],
  // PS3.3 Table C.12-4 (multi-byte sets with code extensions).
  ['$B', 0, S.jisX0208],
  ['$(D', 0, S.jisX0212],
  ['$)C', 1, S.ksX1001],
  ['$)A', 1, S.gb2312],
  // PS3.5 Tables H.1-1, H.1-2, I.1-1, K.1-1 list the other slot too; ISO 2022 allows the long form of the
  // G0 designation for final bytes 04/00–04/02, and JIS C 6226-1978 (ESC $ @) is read as JIS X 0208.
  ['(I', 0, S.katakana],
  [')J', 1, S.romaji],
  ['$(B', 0, S.jisX0208],
  ['$@', 0, S.jisX0208],
  ['$(@', 0, S.jisX0208],
  ['$)B', 1, S.jisX0208],
  ['$)D', 1, S.jisX0212],
  ['$(C', 0, S.ksX1001],
  ['$A', 0, S.gb2312],
  ['$(A', 0, S.gb2312],
];

const bySequence = new Map<string, Designation>();
const written = new Map<GraphicSet, [Uint8Array | undefined, Uint8Array | undefined]>();
for (const [key, slot, set] of entries) {
  bySequence.set(key, { slot, set });
  const forms = written.get(set) ?? [undefined, undefined];
  forms[slot] ??= Uint8Array.from([ESC, ...Array.from(key, (c) => c.charCodeAt(0))]);
  written.set(set, forms);
}

/**
 * Reads the escape sequence starting at `bytes[i]` (an ESC): ISO 2022 §13, ESC, up to three intermediate
 * bytes 02/00–02/15, one final byte 03/00–07/14. Undefined when it is malformed or not one DICOM knows.
 */
export function parseEscapeSequence(bytes: Uint8Array, i: number): EscapeSequence | undefined {
  let key = '';
  for (let j = i + 1; j < bytes.length && j <= i + 4; j++) {
    const b = bytes[j] as number;
    key += String.fromCharCode(b);
    if (b >= 0x30 && b <= 0x7e) {
      const designation = bySequence.get(key);
      return designation === undefined ? undefined : { designation, length: j - i + 1 };
    }
    if (b < 0x20 || b > 0x2f) return undefined;
  }
  return undefined;
}

/** The escape sequence we write to designate `set` into `slot`. */
export function designationEscape(set: GraphicSet, slot: GraphicSetSlot): Uint8Array {
  const sequence = written.get(set)?.[slot];
  if (sequence === undefined) throw new Error(`${set.name} cannot be designated to G${slot}`);
  return sequence;
}

/**
 * Decoding text encoded with ISO/IEC 2022 code extensions: PS3.5 §6.1.2.4 and §6.1.2.5.
 */
import { isMultiValuedStringVr, type Vr } from '../vr.js';
import { cachedTextDecoder } from './cached-text-decoder.js';
import { decodeSingleByte } from './code-units-to-string.js';
import { parseEscapeSequence } from './escape-sequences.js';
import { GraphicSets, type DoubleByteSet, type GraphicSet, type SingleByteSet } from './graphic-sets.js';
import type { Iso2022CharacterSet } from './resolve-character-set.js';

const ESC = 0x1b;
const REPLACEMENT = 0xfffd;
const g0Fallback = GraphicSets.ascii;

/**
 * Decodes one element value under a code structure of PS3.5 §6.1.2.5.4 a–c. Never throws: unknown escape
 * sequences stay in the text as U+001B and what follows; bytes a set does not define become U+FFFD.
 */
export function decodeIso2022(bytes: Uint8Array, cs: Iso2022CharacterSet, vr: Vr): string {
  const n = bytes.length;
  // Without escape sequences the state never leaves its initial designation, so resets change nothing.
  if (!cs.escapes || bytes.indexOf(ESC) < 0) return decodeRun(bytes, 0, n, cs.initialG0, cs.initialG1);

  const valueDelimiter = isMultiValuedStringVr(vr);
  const personName = vr === 'PN';
  let g0 = cs.initialG0;
  let g1 = cs.initialG1;
  let out = '';
  let start = 0; // first byte not yet decoded, all in the current g0/g1 state
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b === ESC) {
      // PS3.5 §6.1.2.5.1: escape sequences designate G0 and G1 (ISO 2022 IR n terms, Tables C.12-3/C.12-4).
      const sequence = parseEscapeSequence(bytes, i);
      if (sequence === undefined) {
        i++; // not one we know: the ESC is decoded as a control character, the rest as text
        continue;
      }
      out += decodeRun(bytes, start, i, g0, g1);
      if (sequence.designation.slot === 0) g0 = sequence.designation.set;
      else g1 = sequence.designation.set;
      i += sequence.length;
      start = i;
      continue;
    }
    if (g0 !== cs.initialG0 || g1 !== cs.initialG1) {
      // PS3.5 §6.1.2.5.3: value 1's designation is active again at each control character other than ESC
      // (CR, LF, TAB, FF…; no double-byte G0 character contains one), and, while G0 holds ASCII or romaji,
      // at each value delimiter "\" and at the "^" and "=" of PN. In a double-byte G0 state those bytes
      // are halves of characters (a JIS X 0208 run is full of 0x3D and 0x5E) and change nothing.
      const reset =
        b < 0x20 ||
        (isAsciiLike(g0) && ((valueDelimiter && b === 0x5c) || (personName && (b === 0x5e || b === 0x3d))));
      if (reset) {
        out += decodeRun(bytes, start, i, g0, g1);
        g0 = cs.initialG0;
        g1 = cs.initialG1;
        start = i; // the delimiter itself is decoded in the initial state
        i++;
        continue;
      }
    }
    if (b >= 0x81 && b <= 0xfe && i + 1 < n && g1 !== undefined && decodesWhole(g0, g1)) {
      // A lead byte and its trail byte are one character: never look at the trail byte as a delimiter.
      // (Strict KS X 1001 and GB 2312 trail bytes are ≥ 0xA1 anyway; this keeps GBK text in G1 intact.)
      const trail = bytes[i + 1] as number;
      if (trail >= 0x40 && trail !== 0x7f) {
        i += 2;
        continue;
      }
    }
    i++;
  }
  return out + decodeRun(bytes, start, n, g0, g1);
}

function isAsciiLike(set: GraphicSet): boolean {
  return set === GraphicSets.ascii || set === GraphicSets.romaji;
}

// ASCII in GL and a double-byte set without prefix in GR is exactly an EUC code (EUC-KR, GB 2312): hand the
// whole run to that decoder, which also reads the GBK codes real "ISO 2022 IR 58" files contain (and, with
// the WHATWG euc-kr of browsers, CP949 Hangul; Node's ICU euc-kr is strict EUC-KR).
function decodesWhole(g0: GraphicSet, g1: GraphicSet): g1 is DoubleByteSet {
  return g1.kind === 'double' && g1.prefix === undefined && isAsciiLike(g0);
}

/** Decodes bytes[start..end) with fixed G0 and G1 designations. */
function decodeRun(
  bytes: Uint8Array,
  start: number,
  end: number,
  g0: GraphicSet,
  g1: GraphicSet | undefined,
): string {
  if (start >= end) return '';
  if (g0.kind === 'single' && (g1 === undefined || g1.kind === 'single')) {
    // An ISO 8859-style code: long runs go through the platform's code page of the same set (with no G1,
    // the high bytes read as Latin-1, which is windows-1252 outside 0x80–0x9F).
    const label = isAsciiLike(g0) ? (g1 === undefined ? 'windows-1252' : g1.label) : undefined;
    return decodeSingleByte(bytes, start, end, combinedTable(g0, g1), label);
  }
  if (g1 !== undefined && decodesWhole(g0, g1)) {
    const decoder = cachedTextDecoder(g1.label);
    if (decoder !== null) return decoder.decode(bytes.subarray(start, end));
  }
  // PS3.5 K.2 note 2: a byte with the high bit clear belongs to G0 (GL), with it set to G1 (GR).
  let out = '';
  for (let i = start; i < end;) {
    const high = (bytes[i] as number) >= 0x80;
    let j = i + 1;
    while (j < end && (bytes[j] as number) >= 0x80 === high) j++;
    const set = high ? g1 : g0;
    if (set !== undefined && set.kind === 'double') {
      out += decodeDoubleByte(bytes, i, j, set, !high);
    } else {
      const table = high ? combinedTable(GraphicSets.ascii, set) : combinedTable(set ?? g0Fallback);
      out += decodeSingleByte(bytes, i, j, table, undefined);
    }
    i = j;
  }
  return out;
}

const tables = new Map<SingleByteSet, Map<SingleByteSet | undefined, Uint16Array>>();

/**
 * The 256-entry byte → code unit table of an 8-bit code with `g0` in GL and `g1` in GR (PS3.5 §6.1.2.5.4 b).
 * 0x80–0x9F are the C1 controls; with no G1, GR reads as Latin-1 (real files put Latin-1 in undeclared text).
 */
function combinedTable(g0: SingleByteSet, g1?: SingleByteSet): Uint16Array {
  let byG1 = tables.get(g0);
  if (byG1 === undefined) tables.set(g0, (byG1 = new Map()));
  let table = byG1.get(g1);
  if (table === undefined) {
    table = new Uint16Array(256);
    table.set(g0.table());
    for (let b = 0x80; b < 0x100; b++) table[b] = b;
    if (g1 !== undefined) {
      const upper = g1.table();
      for (let b = 0xa0; b < 0x100; b++) {
        const empty = g1.size === 94 && (b === 0xa0 || b === 0xff);
        table[b] = empty ? REPLACEMENT : (upper[b & 0x7f] as number);
      }
    }
    byG1.set(g1, table);
  }
  return table;
}

/**
 * Decodes a GL run (G0, bytes 0x21–0x7E) or GR run (G1, 0xA1–0xFE) of a 94×94 set: each pair becomes the
 * EUC form (high bits set, 0x8F first for JIS X 0212) of the platform decoder. Bytes outside the 94 graphic
 * positions keep their meaning: SPACE, C0 and C1 controls; a byte left without a partner is U+FFFD.
 */
function decodeDoubleByte(
  bytes: Uint8Array,
  start: number,
  end: number,
  set: DoubleByteSet,
  gl: boolean,
): string {
  const low = gl ? 0x21 : 0xa1;
  const high = gl ? 0x7e : 0xfe;
  const decoder = cachedTextDecoder(set.label);
  let out = '';
  let euc: number[] = [];
  const flush = (): void => {
    if (euc.length === 0) return;
    const pairs = euc.length / (set.prefix === undefined ? 2 : 3);
    out += decoder === null ? '\ufffd'.repeat(pairs) : decoder.decode(Uint8Array.from(euc));
    euc = [];
  };
  for (let i = start; i < end;) {
    const b = bytes[i] as number;
    if (b >= low && b <= high) {
      const trail = i + 1 < end ? (bytes[i + 1] as number) : -1;
      if (trail >= low && trail <= high) {
        if (set.prefix !== undefined) euc.push(set.prefix);
        euc.push(b | 0x80, trail | 0x80);
        i += 2;
        continue;
      }
    }
    flush();
    const graphic = b >= low && b <= high;
    out += String.fromCharCode(graphic || b === 0xa0 || b === 0xff ? REPLACEMENT : b);
    i++;
  }
  flush();
  return out;
}

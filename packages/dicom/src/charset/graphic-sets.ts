/**
 * The graphic character sets (code elements) that DICOM designates into G0 and G1: PS3.3 C.12.1.1.2
 * Tables C.12-2 to C.12-4, PS3.5 §6.1.2.5 and Annexes H, I, K.
 *
 * Each base encoding comes from the platform `TextDecoder` (full ICU in Node, the WHATWG encodings in
 * browsers); the ISO 2022 switching between them is ours.
 */
import { cachedTextDecoder } from './cached-text-decoder.js';

const REPLACEMENT = 0xfffd;

/**
 * A single-byte set of 94 or 96 characters. `table[b & 0x7f]` is the code point of byte `b` (0xFFFD where
 * the set leaves the position empty); a 94-set keeps SPACE and DEL at 0x20 and 0x7F.
 */
export interface SingleByteSet {
  readonly kind: 'single';
  /** The ISO registration, e.g. `ISO-IR 100`. */
  readonly name: string;
  readonly size: 94 | 96;
  /** Built on first use. */
  readonly table: () => Uint16Array;
  /**
   * For a 96-set: the WHATWG label of an 8-bit code page with ASCII below and exactly this set at 0xA0–0xFF
   * (it may differ at 0x80–0x9F, which the table keeps as C1 controls).
   */
  readonly label: string | undefined;
}

/**
 * A 94×94 double-byte set, decoded through an EUC-style `TextDecoder`: each pair of bytes with the high bit set,
 * preceded by `prefix` when there is one (JIS X 0212 is the 0x8F "single shift 3" plane of EUC-JP).
 */
export interface DoubleByteSet {
  readonly kind: 'double';
  /** The ISO registration, e.g. `ISO-IR 87`. */
  readonly name: string;
  /** The WHATWG label of the EUC-style encoding that holds this set in its two-byte GR area. */
  readonly label: string;
  readonly prefix: number | undefined;
  /** Rows (1–94) that really belong to the set; the EUC decoders also know vendor rows, never used to encode. */
  readonly rows: (row: number) => boolean;
}

/** A code element that can be designated into G0 or G1. */
export type GraphicSet = SingleByteSet | DoubleByteSet;

function lazy(build: () => Uint16Array): () => Uint16Array {
  let table: Uint16Array | undefined;
  return () => (table ??= build());
}

function set94(name: string, codePoint: (b: number) => number): SingleByteSet {
  return {
    kind: 'single',
    name,
    size: 94,
    label: undefined,
    table: lazy(() => {
      const t = new Uint16Array(128);
      for (let b = 0; b < 0x80; b++) t[b] = b <= 0x20 || b === 0x7f ? b : codePoint(b);
      return t;
    }),
  };
}

// The upper half (0xA0–0xFF) of an ISO 8859-style code page, from the platform decoder. 0x80–0x9F stay the
// C1 controls of ISO 8859 even where the WHATWG label is a Windows code page (windows-1254, windows-874).
function set96(name: string, label: string): SingleByteSet {
  return {
    kind: 'single',
    name,
    size: 96,
    label,
    table: lazy(() => {
      const t = new Uint16Array(128);
      for (let b = 0; b < 0x80; b++) t[b] = b | 0x80; // Latin-1 unless the decoder says otherwise
      const decoder = cachedTextDecoder(label);
      if (decoder !== null) {
        const upper = new Uint8Array(96);
        for (let i = 0; i < 96; i++) upper[i] = 0xa0 + i;
        const text = decoder.decode(upper);
        for (let i = 0; i < 96; i++) {
          // A single-byte code page decodes each byte to one BMP code unit; check rather than trust it.
          const one = text.length === 96 ? text.charAt(i) : decoder.decode(upper.subarray(i, i + 1));
          t[0x20 + i] = one.length === 1 ? one.charCodeAt(0) : REPLACEMENT;
        }
      }
      return t;
    }),
  };
}

function double(name: string, label: string, prefix: number | undefined, rows: (row: number) => boolean) {
  return { kind: 'double', name, label, prefix, rows } as const satisfies DoubleByteSet;
}

/** Every code element DICOM names, keyed by a short identifier. */
export const GraphicSets = {
  // PS3.5 §6.1.2.1: the default repertoire, ISO 646 International Reference Version.
  ascii: set94('ISO-IR 6', (b) => b),
  // PS3.5 H.1.1: JIS X 0201 romaji differs from ASCII only at 05/12 (YEN SIGN) and 07/14 (OVERLINE). We read
  // those bytes as ASCII, as Shift_JIS, cp932 and pydicom do: 05/12 must stay the value delimiter.
  romaji: set94('ISO-IR 14', (b) => b),
  // PS3.5 H.1.1: JIS X 0201 katakana, 02/01–05/15 → U+FF61–U+FF9F (halfwidth forms).
  katakana: set94('ISO-IR 13', (b) => (b <= 0x5f ? 0xff61 + (b - 0x21) : REPLACEMENT)),
  // PS3.3 Table C.12-2/C.12-3: the ISO 8859 supplementary sets (G1).
  latin1: set96('ISO-IR 100', 'windows-1252'), // = ISO 8859-1 at 0xA0–0xFF
  latin2: set96('ISO-IR 101', 'iso-8859-2'),
  latin3: set96('ISO-IR 109', 'iso-8859-3'),
  latin4: set96('ISO-IR 110', 'iso-8859-4'),
  cyrillic: set96('ISO-IR 144', 'iso-8859-5'),
  arabic: set96('ISO-IR 127', 'iso-8859-6'),
  greek: set96('ISO-IR 126', 'iso-8859-7'),
  hebrew: set96('ISO-IR 138', 'iso-8859-8'),
  latin5: set96('ISO-IR 148', 'iso-8859-9'), // WHATWG maps this label to windows-1254: same 0xA0–0xFF
  latin9: set96('ISO-IR 203', 'iso-8859-15'),
  thai: set96('ISO-IR 166', 'windows-874'), // TIS 620 is windows-874 without its 0x80–0x9F additions
  // PS3.3 Table C.12-4 and PS3.5 Annexes H, I, K: the 94×94 sets.
  jisX0208: double('ISO-IR 87', 'euc-jp', undefined, (r) => (r >= 1 && r <= 8) || (r >= 16 && r <= 84)),
  jisX0212: double('ISO-IR 159', 'euc-jp', 0x8f, (r) => r >= 2 && r <= 77),
  ksX1001: double('ISO-IR 149', 'euc-kr', undefined, (r) => r >= 1 && r <= 93),
  // GB 2312 is the two-byte GR area of GB 18030 (ICU's "gbk" maps a few cells to private use; gb18030 does not).
  gb2312: double('ISO-IR 58', 'gb18030', undefined, (r) => r >= 1 && r <= 87),
} as const;

/** Where a designation puts a set: G0 (invoked into GL, bytes 0x21–0x7E) or G1 (GR, bytes 0xA0–0xFF). */
export type GraphicSetSlot = 0 | 1;

/**
 * The Defined Terms of Specific Character Set (0008,0005): PS3.3 C.12.1.1.2, Tables C.12-2 to C.12-5.
 */
import { GraphicSets, type GraphicSet, type SingleByteSet } from './graphic-sets.js';

/** What one Defined Term of (0008,0005) stands for. */
export interface DefinedTerm {
  /** The spelling of PS3.3, e.g. `ISO_IR 100` or `ISO 2022 IR 87`. */
  readonly term: string;
  /** True for the `ISO 2022 …` terms of Tables C.12-3 and C.12-4. */
  readonly codeExtensions: boolean;
  /** The set this term designates into G0, if any; for the 8859 sets this is ASCII. */
  readonly g0: GraphicSet | undefined;
  /** The set this term designates into G1, if any. */
  readonly g1: GraphicSet | undefined;
  /** For the variable-length codes of Table C.12-5 (no code extensions at all): the WHATWG label. */
  readonly variableLength: 'utf-8' | 'gb18030' | undefined;
}

const S = GraphicSets;

function term(
  name: string,
  g0: GraphicSet | undefined,
  g1: GraphicSet | undefined,
  variableLength?: 'utf-8' | 'gb18030',
): DefinedTerm {
  return { term: name, codeExtensions: name.startsWith('ISO 2022'), g0, g1, variableLength };
}

// The 8859-style sets and JIS X 0201 have a term in both tables: `ISO_IR n` (C.12-2) and `ISO 2022 IR n` (C.12-3).
const singleByte: readonly (readonly [number, SingleByteSet, SingleByteSet])[] = [
  [100, S.ascii, S.latin1],
  [101, S.ascii, S.latin2],
  [109, S.ascii, S.latin3],
  [110, S.ascii, S.latin4],
  [144, S.ascii, S.cyrillic],
  [127, S.ascii, S.arabic],
  [126, S.ascii, S.greek],
  [138, S.ascii, S.hebrew],
  [148, S.ascii, S.latin5],
  [203, S.ascii, S.latin9],
  [13, S.romaji, S.katakana],
  [166, S.ascii, S.thai],
];

/** Every Defined Term of PS3.3 Tables C.12-2 to C.12-5 (the default repertoire is the empty value). */
export const DEFINED_TERMS: readonly DefinedTerm[] = [
  // Table C.12-2 and C.12-3.
  ...singleByte.map(([n, g0, g1]) => term(`ISO_IR ${n}`, g0, g1)),
  term('ISO 2022 IR 6', S.ascii, undefined),
  ...singleByte.map(([n, g0, g1]) => term(`ISO 2022 IR ${n}`, g0, g1)),
  // Table C.12-4.
  term('ISO 2022 IR 87', S.jisX0208, undefined),
  term('ISO 2022 IR 159', S.jisX0212, undefined),
  term('ISO 2022 IR 149', undefined, S.ksX1001),
  term('ISO 2022 IR 58', undefined, S.gb2312),
  // Table C.12-5. GBK is decoded as GB 18030 (its superset), as the WHATWG Encoding Standard does.
  term('ISO_IR 192', undefined, undefined, 'utf-8'),
  term('GB18030', undefined, undefined, 'gb18030'),
  term('GBK', undefined, undefined, 'gb18030'),
];

/** The default repertoire (PS3.5 §6.1.2.1): what an absent or empty value means. */
export const DEFAULT_REPERTOIRE: DefinedTerm = term('', S.ascii, undefined);

// Terms are matched on their letters and digits only, so that the misspellings met in real files
// (`ISO IR 100`, `ISO-IR 100`, `ISO_2022-IR 100`, `iso_ir 192`) resolve to the Defined Term.
function compact(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

const byCompactForm = new Map<string, DefinedTerm>(DEFINED_TERMS.map((t) => [compact(t.term), t]));
byCompactForm.set(compact('ISO_IR 6'), DEFAULT_REPERTOIRE); // not a Defined Term, but common for "default"

/**
 * The Defined Term a value of (0008,0005) stands for, forgiving case, spaces and punctuation; the default
 * repertoire for an empty value (or `ISO_IR 6`); undefined when it is not a term we know.
 */
export function lookUpDefinedTerm(value: string): DefinedTerm | undefined {
  const key = compact(value);
  return key === '' ? DEFAULT_REPERTOIRE : byCompactForm.get(key);
}

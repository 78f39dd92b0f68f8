/**
 * From the values of Specific Character Set (0008,0005) to the code structure of PS3.5 §6.1.2.5.4.
 */
import { DEFAULT_REPERTOIRE, lookUpDefinedTerm, type DefinedTerm } from './defined-terms.js';
import type { Designation } from './escape-sequences.js';
import { GraphicSets, type GraphicSet } from './graphic-sets.js';

/**
 * PS3.5 §6.1.2.5.4 a–c: the 7-bit default, one 8-bit ISO 8859 / JIS X 0201 code, or ISO 2022 code extensions.
 * G0 holds the delimiters, so it is always ASCII or JIS X 0201 romaji at the start of a value.
 */
export interface Iso2022CharacterSet {
  readonly kind: 'iso-2022';
  /** G0 at the start of each value, line and delimited part (§6.1.2.5.3). */
  readonly initialG0: GraphicSet;
  /** G1 at the start of each value, line and delimited part; undefined reads high bytes as Latin-1. */
  readonly initialG1: GraphicSet | undefined;
  /** True where escape sequences are honoured when decoding (code extensions, or the default repertoire). */
  readonly escapes: boolean;
  /** The sets the values of (0008,0005) allow the encoder to designate, in the order given. */
  readonly declared: readonly Designation[];
}

/** PS3.5 §6.1.2.5.4 d: UTF-8, GB 18030 or GBK, which allow no code extensions. */
export interface VariableLengthCharacterSet {
  readonly kind: 'variable-length';
  readonly term: string;
  /** The WHATWG label of the decoder. */
  readonly label: 'utf-8' | 'gb18030';
}

/** A Specific Character Set as the decoder and encoder use it. */
export type ResolvedCharacterSet = Iso2022CharacterSet | VariableLengthCharacterSet;

const cache = new Map<string, ResolvedCharacterSet>();
const CACHE_LIMIT = 256;

/**
 * Resolves the values of (0008,0005) (cached: files of one site repeat the same few). Never throws: an
 * unknown value 1 falls back to the default repertoire, unknown later values are ignored (PS3.5 §6.1.2.5.4).
 */
export function resolveCharacterSet(specificCharacterSet: readonly string[]): ResolvedCharacterSet {
  const key = specificCharacterSet.join('\\');
  let resolved = cache.get(key);
  if (resolved === undefined) {
    resolved = resolve(specificCharacterSet);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, resolved);
  }
  return resolved;
}

function resolve(values: readonly string[]): ResolvedCharacterSet {
  const terms = values.map(lookUpDefinedTerm);
  // A trailing empty value (e.g. "ISO_IR 100\") adds nothing.
  while (terms.length > 1 && terms[terms.length - 1] === DEFAULT_REPERTOIRE) terms.pop();
  // An unknown value 1 is read as the default repertoire.
  const first = terms[0] ?? DEFAULT_REPERTOIRE;

  // PS3.5 §6.1.2.5.4 d: a variable-length code stands alone; any further values are ignored.
  if (first.variableLength !== undefined) {
    return { kind: 'variable-length', term: first.term, label: first.variableLength };
  }

  // §6.1.2.5.4 a–b: a single value, or none.
  if (terms.length <= 1 && !first.codeExtensions) {
    return {
      kind: 'iso-2022',
      initialG0: initialG0(first),
      initialG1: first.g1,
      // Code extensions are not allowed here (§6.1.2.5.4 a–b). For an explicit 8-bit set an ESC is kept as
      // a character (as pydicom does); without a usable (0008,0005) we honour escapes anyway, since a
      // value with escape sequences and no declared character set is a Japanese/Korean/Chinese file that
      // lost its (0008,0005), and reading the escapes is the only way to recover its text.
      escapes: first === DEFAULT_REPERTOIRE,
      declared: [],
    };
  }

  // §6.1.2.5.4 c: code extensions. Value 1 (empty = ISO 2022 IR 6) gives the initial G0 and G1; a
  // variable-length term cannot take part (pydicom ignores it too); unknown values are skipped.
  const declared: Designation[] = [];
  for (const t of terms) {
    if (t === undefined || t.variableLength !== undefined) continue;
    if (t.g0 !== undefined) declared.push({ slot: 0, set: t.g0 });
    if (t.g1 !== undefined) declared.push({ slot: 1, set: t.g1 });
  }
  return {
    kind: 'iso-2022',
    initialG0: initialG0(first),
    // Value 1 is meant to be an 8859 set or JIS X 0201 (§6.1.2.5.4 c). When a file names a G1 double-byte set
    // there (e.g. "ISO 2022 IR 149" alone, common for Korean), we start with it in G1.
    initialG1: first.g1,
    escapes: true,
    declared,
  };
}

// G0 must hold the delimiters: a double-byte G0 set (ISO 2022 IR 87/159 given as value 1) is not a valid
// initial state, so we start in ASCII and the set is used after its escape sequence.
function initialG0(t: DefinedTerm): GraphicSet {
  return t.g0 !== undefined && t.g0.kind === 'single' ? t.g0 : GraphicSets.ascii;
}

/**
 * Person name forms for matching (PS3.4 §C.2.2.2.1: PN matching may ignore case, accents and other
 * encoding variants). Names are stored normalised, queries are normalised the same way, and fuzzy
 * matching (PS3.18 §8.3.4.1 `fuzzymatching=true`) compares phonetic keys of the name components.
 */

const COMBINING_MARKS = /\p{M}+/gu;

// Letters that NFKD does not decompose into a base letter plus a mark.
const FOLDED: Readonly<Record<string, string>> = {
  ß: 'SS', Æ: 'AE', æ: 'AE', Ø: 'O', ø: 'O', Œ: 'OE', œ: 'OE', Ð: 'D', ð: 'D', Þ: 'TH', þ: 'TH', Ł: 'L', ł: 'L', ı: 'I',
}; // prettier-ignore

/** Upper case, accents removed, spaces around component delimiters removed: "Müller ^ Anna" → "MULLER^ANNA". */
export function normalizeNameText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .replace(/[ßÆæØøŒœÐðÞþŁłı]/g, (c) => FOLDED[c] ?? c)
    .toUpperCase()
    .replace(/\s*\^\s*/g, '^')
    .replace(/\s+/g, ' ')
    .replace(/\^+$/, '')
    .trim();
}

/** The normalised alphabetic component group of a DICOM PN value (the part before the first '='). */
export function normalizeAlphabeticName(personName: string): string {
  return normalizeNameText(personName.split('=')[0] ?? '');
}

/** Words of a name: its components split at '^', spaces, commas and hyphens. */
export function nameWords(text: string): string[] {
  return normalizeNameText(text)
    .split(/[\^\s,\-.'=]+/)
    .filter((w) => w.length > 0);
}

// Soundex digit classes (Knuth, TAOCP vol. 3) with the vowel-like letters as separators.
const SOUNDEX: Readonly<Record<string, string>> = {
  B: '1', F: '1', P: '1', V: '1',
  C: '2', G: '2', J: '2', K: '2', Q: '2', S: '2', X: '2', Z: '2',
  D: '3', T: '3',
  L: '4',
  M: '5', N: '5',
  R: '6',
}; // prettier-ignore

// Spelling variants folded before coding, so that e.g. PH/F, C/K, CK/K and Y/I sound alike from the
// first letter on (classic Soundex keeps the first letter as is and so tells "Catherine" from "Kathryn").
const VARIANTS: ReadonlyArray<[RegExp, string]> = [
  [/PH/g, 'F'],
  [/CK/g, 'K'],
  [/SCH/g, 'SH'],
  [/C(?=[EIY])/g, 'S'],
  [/C/g, 'K'],
  [/Q/g, 'K'],
  [/Z/g, 'S'],
  [/Y/g, 'I'],
  [/DT$/g, 'T'],
  [/(?<=[A-Z])H/g, ''],
];

/**
 * Phonetic key of one word: a Soundex variant whose first letter is folded like the rest, so that
 * "Smith"/"Smyth", "Jon"/"John", "Catherine"/"Kathryn", "Müller"/"Mueller"/"Muller" share a key.
 * Words without Latin letters (ideographic names) are returned as they are.
 */
export function phoneticKey(word: string): string {
  let w = normalizeNameText(word).replace(/[^A-Z]/g, '');
  if (w === '') return normalizeNameText(word);
  w = w.replace(/UE/g, 'U').replace(/OE/g, 'O').replace(/AE/g, 'A');
  for (const [pattern, replacement] of VARIANTS) w = w.replace(pattern, replacement);
  const first = w[0]!;
  let key = 'AEIOU'.includes(first) ? 'A' : first;
  let previous = SOUNDEX[first] ?? '';
  for (const letter of w.slice(1)) {
    const digit = SOUNDEX[letter] ?? '';
    if (digit !== '' && digit !== previous) key += digit;
    // H and W do not separate equal codes; vowels do (Soundex rule).
    if (letter !== 'H' && letter !== 'W') previous = digit;
  }
  return key.slice(0, 6);
}

/** The stored fuzzy form of a PN value: " KEY1 KEY2 " (space padded so one LIKE finds a whole key). */
export function fuzzyNameKeys(personName: string): string {
  const keys = [...new Set(personName.split('=').flatMap((group) => nameWords(group).map(phoneticKey)))];
  return keys.length === 0 ? '' : ` ${keys.join(' ')} `;
}

/** The keys of a stored fuzzy form (" KEY1 KEY2 " → ["KEY1", "KEY2"]): the rows of the name key table. */
export function fuzzyKeyList(fuzzy: string | null): string[] {
  return fuzzy === null ? [] : fuzzy.split(' ').filter((key) => key !== '');
}

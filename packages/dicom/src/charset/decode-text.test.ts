import { describe, expect, it } from 'vitest';
import { decodeText } from './index.js';

// Byte arrays are written from the escape sequences and code tables of the standard, never produced by our
// encoder. Strings are ASCII; number arrays are raw bytes.
function bytes(...parts: (string | ArrayLike<number>)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (const c of part) out.push(c.charCodeAt(0));
    else out.push(...Array.from(part));
  }
  return Uint8Array.from(out);
}

const ESC = 0x1b;
const CR = 0x0d;
const LF = 0x0a;
// PS3.3 Tables C.12-3 and C.12-4.
const TO_ASCII = [ESC, 0x28, 0x42]; // ESC 02/08 04/02: ISO-IR 6 to G0
const TO_ROMAJI = [ESC, 0x28, 0x4a]; // ESC 02/08 04/10: ISO-IR 14 to G0
const TO_KATAKANA = [ESC, 0x29, 0x49]; // ESC 02/09 04/09: ISO-IR 13 to G1
const TO_JIS_X_0208 = [ESC, 0x24, 0x42]; // ESC 02/04 04/02: ISO-IR 87 to G0
const TO_JIS_X_0212 = [ESC, 0x24, 0x28, 0x44]; // ESC 02/04 02/08 04/04: ISO-IR 159 to G0
const TO_KS_X_1001 = [ESC, 0x24, 0x29, 0x43]; // ESC 02/04 02/09 04/03: ISO-IR 149 to G1
const TO_GB_2312 = [ESC, 0x24, 0x29, 0x41]; // ESC 02/04 02/09 04/01: ISO-IR 58 to G1
const TO_LATIN1 = [ESC, 0x2d, 0x41]; // ESC 02/13 04/01: ISO-IR 100 to G1
const TO_GREEK = [ESC, 0x2d, 0x46]; // ESC 02/13 04/06: ISO-IR 126 to G1
const TO_CYRILLIC = [ESC, 0x2d, 0x4c]; // ESC 02/13 04/12: ISO-IR 144 to G1

describe('PS3.5 Annex H (Japanese)', () => {
  it('H.3.1: value 1 empty, ISO 2022 IR 87 (JIS X 0208 in G0)', () => {
    // Encoded representation of Example H.3-1: JIS X 0208 cells 山 03/11 03/03, 田 04/05 04/04, …
    const value = bytes(
      'Yamada^Tarou=', TO_JIS_X_0208, ';3ED', TO_ASCII, '^', TO_JIS_X_0208, 'B@O:', TO_ASCII,
      '=', TO_JIS_X_0208, '$d$^$@', TO_ASCII, '^', TO_JIS_X_0208, '$?$m$&', TO_ASCII,
    ); // prettier-ignore
    expect(decodeText(value, ['', 'ISO 2022 IR 87'], 'PN')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
  });

  it('H.3.2: ISO 2022 IR 13 (JIS X 0201 katakana in G1, romaji in G0) and ISO 2022 IR 87', () => {
    // Encoded representation of Example H.3-2, starting 13/04 12/15 12/00 13/14 05/14 …
    const value = bytes(
      [0xd4, 0xcf, 0xc0, 0xde], '^', [0xc0, 0xdb, 0xb3], '=', TO_JIS_X_0208, ';3ED', TO_ROMAJI,
      '^', TO_JIS_X_0208, 'B@O:', TO_ROMAJI, '=', TO_JIS_X_0208, '$d$^$@', TO_ROMAJI,
      '^', TO_JIS_X_0208, '$?$m$&', TO_ROMAJI,
    ); // prettier-ignore
    expect(decodeText(value, ['ISO 2022 IR 13', 'ISO 2022 IR 87'], 'PN')).toBe(
      'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
    );
  });

  it('ISO_IR 13 without code extensions: romaji and half-width katakana', () => {
    expect(decodeText(bytes('ABC', [0xb1, 0xb2, 0xdf, 0xa1]), ['ISO_IR 13'], 'LO')).toBe('ABCｱｲﾟ｡');
    // 0xA0 and 0xE0–0xFF are not JIS X 0201 characters.
    expect(decodeText(bytes([0xa0, 0xe0, 0xff]), ['ISO_IR 13'], 'LO')).toBe('\ufffd\ufffd\ufffd');
  });

  it('JIS X 0212 (ISO 2022 IR 159) through the 0x8F plane of EUC-JP', () => {
    // pydicom test_charset.py test_japanese_multi_byte_personname: 鷗 is JIS X 0212 06/12 03/15.
    const value = bytes(
      'Mori^Ogai=',
      TO_JIS_X_0208,
      '?9',
      TO_ASCII,
      '^',
      TO_JIS_X_0212,
      'l?',
      TO_JIS_X_0208,
      '30',
      TO_ASCII,
    );
    expect(decodeText(value, ['ISO 2022 IR 6', 'ISO 2022 IR 87', 'ISO 2022 IR 159'], 'PN')).toBe(
      'Mori^Ogai=森^鷗外',
    );
  });
});

describe('PS3.5 Annex I (Korean)', () => {
  it('I.2: person name, KS X 1001 in G1 re-designated after each delimiter', () => {
    // Example I.2-1: Hong^Gildong= ESC 02/04 02/09 04/03 15/11 15/03 ^ ESC … 13/01 12/14 13/04 13/07 = …
    const value = bytes(
      'Hong^Gildong=', TO_KS_X_1001, [0xfb, 0xf3], '^', TO_KS_X_1001, [0xd1, 0xce, 0xd4, 0xd7],
      '=', TO_KS_X_1001, [0xc8, 0xab], '^', TO_KS_X_1001, [0xb1, 0xe6, 0xb5, 0xbf],
    ); // prettier-ignore
    expect(decodeText(value, ['', 'ISO 2022 IR 149'], 'PN')).toBe('Hong^Gildong=洪^吉洞=홍^길동');
  });

  it('I.3: long text, one escape per line, ASCII and Hangul intermixed', () => {
    const hangul = [0xc7, 0xd1, 0xb1, 0xdb]; // 한글 in KS X 1001 (Python's euc_kr codec agrees)
    const value = bytes(
      TO_KS_X_1001, 'The first line includes ', hangul, '.', [CR, LF],
      TO_KS_X_1001, 'The second line includes ', hangul, ', too.', [CR, LF],
      'The third line',
    ); // prettier-ignore
    expect(decodeText(value, ['', 'ISO 2022 IR 149'], 'LT')).toBe(
      'The first line includes 한글.\r\nThe second line includes 한글, too.\r\nThe third line',
    );
  });

  it('the G1 designation ends at CR LF: a line without its escape reads the undeclared bytes as Latin-1', () => {
    const value = bytes(TO_KS_X_1001, [0xc7, 0xd1], [CR, LF], [0xc7, 0xd1]);
    expect(decodeText(value, ['', 'ISO 2022 IR 149'], 'LT')).toBe('한\r\nÇÑ');
  });

  it('a lone "ISO 2022 IR 149" starts with KS X 1001 in G1 (files that omit the escape sequences)', () => {
    expect(decodeText(bytes([0xc8, 0xab, 0x5e, 0xb1, 0xe6, 0xb5, 0xbf]), ['ISO 2022 IR 149'], 'PN')).toBe(
      '홍^길동',
    );
  });
});

describe('PS3.5 Annex J (Unicode UTF-8, GB18030, GBK)', () => {
  const pn = bytes('Wang^XiaoDong=', [0xe7, 0x8e, 0x8b], '^', [0xe5, 0xb0, 0x8f, 0xe6, 0x9d, 0xb1], '=');
  it('J.1: person name in UTF-8', () => {
    expect(decodeText(pn, ['ISO_IR 192'], 'PN')).toBe('Wang^XiaoDong=王^小東=');
  });

  it('J.2: long text in UTF-8', () => {
    const zhongwen = [0xe4, 0xb8, 0xad, 0xe6, 0x96, 0x87];
    const value = bytes(
      'The first line includes', zhongwen, '.', [CR, LF],
      'The second line includes', zhongwen, ', too.', [CR, LF], 'The third line.', [CR, LF],
    ); // prettier-ignore
    expect(decodeText(value, ['ISO_IR 192'], 'LT')).toBe(
      'The first line includes中文.\r\nThe second line includes中文, too.\r\nThe third line.\r\n',
    );
  });

  it('J.3: person name in GB18030 (and GBK, which shares these codes)', () => {
    const value = bytes('Wang^XiaoDong=', [0xcd, 0xf5], '^', [0xd0, 0xa1, 0xb6, 0xab], '=');
    expect(decodeText(value, ['GB18030'], 'PN')).toBe('Wang^XiaoDong=王^小东=');
    expect(decodeText(value, ['GBK'], 'PN')).toBe('Wang^XiaoDong=王^小东=');
  });

  it('J.4: long text in GB18030', () => {
    const zhongwen = [0xd6, 0xd0, 0xce, 0xc4];
    const value = bytes('The first line includes', zhongwen, '.', [CR, LF], 'The third line.', [CR, LF]);
    expect(decodeText(value, ['GB18030'], 'LT')).toBe('The first line includes中文.\r\nThe third line.\r\n');
  });

  it('a GB18030 trail byte 0x5C is part of its character, not a value delimiter', () => {
    // 0x81 0x5C is 乗 and 0x95 0x5C is 昞 (Python's gb18030 codec).
    const value = bytes([0x81, 0x5c], '\\', [0x95, 0x5c]);
    expect(decodeText(value, ['GB18030'], 'LO')).toBe('乗\\昞');
    expect(decodeText(value, ['GBK'], 'LO')).toBe('乗\\昞');
  });

  it('GB18030 four-byte codes', () => {
    expect(decodeText(bytes([0x81, 0x30, 0x81, 0x30, 0x94, 0x39, 0xfc, 0x36]), ['GB18030'], 'LO')).toBe(
      '\u0080😀',
    );
  });

  it('ISO_IR 192 ignores further values, which cannot be code extensions (PS3.5 §6.1.2.5.4 d)', () => {
    // pydicom test_charset.py test_code_extensions_not_allowed.
    const value = bytes('Buc^J', [0xc3, 0xa9], 'r', [0xc3, 0xb4], 'me');
    expect(decodeText(value, ['ISO_IR 192', 'ISO 2022 IR 100', 'ISO 2022 IR 144'], 'PN')).toBe('Buc^Jérôme');
  });

  it('invalid UTF-8 decodes to U+FFFD, one per byte here', () => {
    // pydicom test_charset.py test_bad_encoded_single_encoding.
    const value = bytes([0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2]);
    expect(decodeText(value, ['ISO_IR 192'], 'PN')).toBe('\ufffd'.repeat(9));
  });

  it('keeps a byte order mark (nothing is stripped)', () => {
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], 'A'), ['ISO_IR 192'], 'LO')).toBe('\ufeffA');
  });
});

describe('PS3.5 Annex K (Chinese, GB 2312 with code extensions)', () => {
  it('K.2: person name', () => {
    // Character encoded representation of Example K.2-1, with its trailing padding space.
    const value = bytes(
      [0x5a, 0x68, 0x61, 0x6e, 0x67, 0x5e, 0x58, 0x69, 0x61, 0x6f, 0x44, 0x6f, 0x6e, 0x67, 0x3d],
      [0x1b, 0x24, 0x29, 0x41, 0xd5, 0xc5, 0x5e, 0x1b, 0x24, 0x29, 0x41, 0xd0, 0xa1, 0xb6, 0xab, 0x3d, 0x20],
    );
    expect(decodeText(value, ['', 'ISO 2022 IR 58'], 'PN')).toBe('Zhang^XiaoDong=张^小东= ');
  });

  it('K.3: long text, GB 2312 re-invoked on every line', () => {
    const lines = [
      [0xb5, 0xda, 0xd2, 0xbb, 0xd0, 0xd0, 0xce, 0xc4, 0xd7, 0xd6, 0xa1, 0xa3],
      [0xb5, 0xda, 0xb6, 0xfe, 0xd0, 0xd0, 0xce, 0xc4, 0xd7, 0xd6, 0xa1, 0xa3],
      [0xb5, 0xda, 0xc8, 0xfd, 0xd0, 0xd0, 0xce, 0xc4, 0xd7, 0xd6, 0xa1, 0xa3],
    ] as const;
    const value = bytes(
      '1.', TO_GB_2312, lines[0], [CR, LF], '2.', TO_GB_2312, lines[1], [CR, LF], '3.', TO_GB_2312, lines[2], [CR, LF],
    ); // prettier-ignore
    expect(decodeText(value, ['', 'ISO 2022 IR 58'], 'LT')).toBe(
      '1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n',
    );
  });
});

describe('single-byte character sets (PS3.3 Table C.12-2)', () => {
  // Expected strings from pydicom's test_charset.py (ENCODED_NAMES) and its charset files.
  const cases: readonly [string, readonly number[], string][] = [
    ['ISO_IR 100', [0x42, 0x75, 0x63, 0x5e, 0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65], 'Buc^Jérôme'],
    ['ISO_IR 101', [0x57, 0x61, 0xb3, 0xea, 0x73, 0x61], 'Wałęsa'],
    ['ISO_IR 109', [0x61, 0x6e, 0x74, 0x61, 0xfd, 0x6e, 0x6f, 0x6d, 0x6f], 'antaŭnomo'],
    ['ISO_IR 110', [0x76, 0xe0, 0x72, 0x64, 0x73], 'vārds'],
    ['ISO_IR 144', [0xbb, 0xee, 0xda, 0x63, 0x65, 0xdc, 0xd1, 0x79, 0x70, 0xd3], 'Люкceмбypг'],
    ['ISO_IR 127', [0xe2, 0xc8, 0xc7, 0xe6, 0xea, 0x5e, 0xe4, 0xe6, 0xd2, 0xc7, 0xd1], 'قباني^لنزار'],
    ['ISO_IR 126', [0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2], 'Διονυσιος'],
    ['ISO_IR 138', [0xf9, 0xf8, 0xe5, 0xef, 0x5e, 0xe3, 0xe1, 0xe5, 0xf8, 0xe4], 'שרון^דבורה'],
    ['ISO_IR 148', [0xc7, 0x61, 0x76, 0x75, 0xfe, 0x6f, 0xf0, 0x6c, 0x75], 'Çavuşoğlu'],
    ['ISO_IR 166', [0xb9, 0xd2, 0xc1, 0xca, 0xa1, 0xd8, 0xc5], 'นามสกุล'],
    // ISO 8859-15 differs from Latin-1 at A4 (€), BD (œ), BE (Ÿ).
    ['ISO_IR 203', [0x41, 0xa4, 0xbd, 0xbe], 'A€œŸ'],
  ];
  for (const [term, raw, expected] of cases) {
    it(term, () => {
      expect(decodeText(Uint8Array.from(raw), [term], 'PN')).toBe(expected);
    });
  }

  it('0x80–0x9F are the C1 controls of ISO 8859, even where the platform label is a Windows code page', () => {
    expect(decodeText(bytes([0x80, 0x9f]), ['ISO_IR 148'], 'LO')).toBe('\u0080\u009f');
    expect(decodeText(bytes([0x80, 0xe9]), ['ISO_IR 100'], 'LO')).toBe('\u0080é'); // not € as in windows-1252
    expect(decodeText(bytes([0x80, 0xe9]), [], 'LO')).toBe('\u0080é');
    expect(decodeText(bytes([0x80, 0xe9]), ['ISO_IR 192'], 'CS')).toBe('\u0080é');
    expect(decodeText(bytes([0x80, 0x9f]), ['ISO_IR 166'], 'LO')).toBe('\u0080\u009f');
  });

  it('positions a set leaves empty decode to U+FFFD', () => {
    expect(decodeText(bytes([0xa1]), ['ISO_IR 127'], 'LO')).toBe('\ufffd'); // ISO 8859-6 has no 0xA1
  });

  it('keeps an ESC as a character, since a single 8-bit value allows no code extensions', () => {
    // pydicom test_charset.py test_unknown_escape_sequence.
    const value = bytes(TO_GREEK, [0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2]);
    expect(decodeText(value, ['ISO_IR 100'], 'PN')).toBe('\u001b-FÄéïíõóéïò');
  });
});

describe('single-byte code extensions (PS3.3 Table C.12-3)', () => {
  // pydicom test_charset.py ENCODED_NAMES, decoded with ['', term] after an ASCII prefix.
  const cases: readonly [string, readonly number[], string][] = [
    ['ISO 2022 IR 13', [0x1b, 0x29, 0x49, 0xd4, 0xcf, 0xc0, 0xde, 0x5e, 0x1b, 0x29, 0x49, 0xc0, 0xdb, 0xb3], 'ﾔﾏﾀﾞ^ﾀﾛｳ'],
    ['ISO 2022 IR 100', [0x1b, 0x2d, 0x41, 0x42, 0x75, 0x63, 0x5e, 0x1b, 0x2d, 0x41, 0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65], 'Buc^Jérôme'],
    ['ISO 2022 IR 101', [0x1b, 0x2d, 0x42, 0x57, 0x61, 0xb3, 0xea, 0x73, 0x61], 'Wałęsa'],
    ['ISO 2022 IR 109', [0x1b, 0x2d, 0x43, 0x61, 0x6e, 0x74, 0x61, 0xfd, 0x6e, 0x6f, 0x6d, 0x6f], 'antaŭnomo'],
    ['ISO 2022 IR 110', [0x1b, 0x2d, 0x44, 0x76, 0xe0, 0x72, 0x64, 0x73], 'vārds'],
    ['ISO 2022 IR 127', [0x1b, 0x2d, 0x47, 0xe2, 0xc8, 0xc7, 0xe6, 0xea, 0x5e, 0x1b, 0x2d, 0x47, 0xe4, 0xe6, 0xd2, 0xc7, 0xd1], 'قباني^لنزار'],
    ['ISO 2022 IR 126', [0x1b, 0x2d, 0x46, 0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2], 'Διονυσιος'],
    ['ISO 2022 IR 138', [0x1b, 0x2d, 0x48, 0xf9, 0xf8, 0xe5, 0xef, 0x5e, 0x1b, 0x2d, 0x48, 0xe3, 0xe1, 0xe5, 0xf8, 0xe4], 'שרון^דבורה'],
    ['ISO 2022 IR 144', [0x1b, 0x2d, 0x4c, 0xbb, 0xee, 0xda, 0x63, 0x65, 0xdc, 0xd1, 0x79, 0x70, 0xd3], 'Люкceмбypг'],
    ['ISO 2022 IR 148', [0x1b, 0x2d, 0x4d, 0xc7, 0x61, 0x76, 0x75, 0xfe, 0x6f, 0xf0, 0x6c, 0x75], 'Çavuşoğlu'],
    ['ISO 2022 IR 166', [0x1b, 0x2d, 0x54, 0xb9, 0xd2, 0xc1, 0xca, 0xa1, 0xd8, 0xc5], 'นามสกุล'],
  ]; // prettier-ignore
  for (const [term, raw, expected] of cases) {
    it(term, () => {
      expect(decodeText(bytes('ASCII+', raw), ['', term], 'PN')).toBe(`ASCII+${expected}`);
    });
  }

  it('ISO 2022 IR 203 (Latin-9): ESC 02/13 06/02', () => {
    expect(decodeText(bytes('x', [ESC, 0x2d, 0x62, 0xa4]), ['', 'ISO 2022 IR 203'], 'LO')).toBe('x€');
  });

  it('value 1 is used until the first escape sequence', () => {
    // pydicom test_charset.py test_multi_charset_default_value.
    const latin1 = bytes('R', [0xf6], 'ntgenaufnahme');
    expect(decodeText(latin1, ['ISO 2022 IR 100', 'ISO 2022 IR 144'], 'LO')).toBe('Röntgenaufnahme');
    const greek = bytes('Dionysios is ', TO_GREEK, [0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2]);
    expect(decodeText(greek, ['ISO 2022 IR 100', 'ISO 2022 IR 126'], 'LO')).toBe('Dionysios is Διονυσιος');
  });

  it('multiple values with different code elements', () => {
    // pydicom test_charset.py test_single_byte_multi_charset_personname / _text.
    const value = bytes(
      'Buc^J', [0xe9], 'r', [0xf4], 'me\\', TO_GREEK, [0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2],
      '\\', TO_CYRILLIC, [0xbb, 0xee, 0xda, 0x63, 0x65, 0xdc, 0xd1, 0x79, 0x70, 0xd3],
    ); // prettier-ignore
    const terms = ['ISO 2022 IR 100', 'ISO 2022 IR 144', 'ISO 2022 IR 126'];
    expect(decodeText(value, terms, 'PN')).toBe('Buc^Jérôme\\Διονυσιος\\Люкceмбypг');
    expect(decodeText(value, terms, 'LO')).toBe('Buc^Jérôme\\Διονυσιος\\Люкceмбypг');
  });
});

describe('reset to the initial designation (PS3.5 §6.1.2.5.3)', () => {
  const terms = ['ISO 2022 IR 100', 'ISO 2022 IR 126'];
  const delta = 0xc4; // Δ in ISO 8859-7, Ä in ISO 8859-1

  it('at the value delimiter of multi-valued VRs only', () => {
    const value = bytes(TO_GREEK, [delta], '\\', [delta]);
    expect(decodeText(value, terms, 'LO')).toBe('Δ\\Ä');
    expect(decodeText(value, terms, 'SH')).toBe('Δ\\Ä');
    expect(decodeText(value, terms, 'LT')).toBe('Δ\\Δ'); // a backslash is text in LT, ST, UT
  });

  it('at the ^ and = of PN only', () => {
    expect(decodeText(bytes(TO_GREEK, [delta], '^', [delta]), terms, 'PN')).toBe('Δ^Ä');
    expect(decodeText(bytes(TO_GREEK, [delta], '=', [delta]), terms, 'PN')).toBe('Δ=Ä');
    expect(decodeText(bytes(TO_GREEK, [delta], '^=', [delta]), terms, 'LO')).toBe('Δ^=Δ');
  });

  it('by an explicit escape sequence back to value 1 (ESC 02/13 04/01)', () => {
    expect(decodeText(bytes(TO_GREEK, [delta], TO_LATIN1, [delta]), terms, 'LO')).toBe('ΔÄ');
  });

  it('at CR, LF, TAB and FF', () => {
    for (const control of [CR, LF, 0x09, 0x0c]) {
      const expected = `Δ${String.fromCharCode(control)}Ä`;
      expect(decodeText(bytes(TO_GREEK, [delta, control, delta]), terms, 'ST')).toBe(expected);
    }
  });

  it('undesignates G1 when value 1 has none: a missing escape reads as Latin-1', () => {
    // pydicom test_charset.py test_missing_escape_for_single_byte_code_extensions.
    const value = bytes('ASCII+', TO_KATAKANA, [0xd4, 0xcf, 0xc0, 0xde], '^', [0xc0, 0xdb, 0xb3]);
    expect(decodeText(value, ['', 'ISO 2022 IR 13'], 'PN')).toBe('ASCII+ﾔﾏﾀﾞ^ÀÛ³');
  });

  it('never inside a JIS X 0208 run, whose cells contain 0x5C, 0x5E and 0x3D', () => {
    // JIS X 0208 cells 03/00 05/12 (移), 03/13 05/14 (殉), 03/13 03/13 (十) per Python's iso2022_jp codec.
    const run = bytes(TO_JIS_X_0208, [0x30, 0x5c, 0x3d, 0x5e, 0x3d, 0x3d], TO_ASCII);
    const value = bytes(run, '\\', run, '=', run, '^', run);
    expect(decodeText(value, ['', 'ISO 2022 IR 87'], 'PN')).toBe('移殉十\\移殉十=移殉十^移殉十');
    expect(decodeText(value, ['', 'ISO 2022 IR 87'], 'LO')).toBe('移殉十\\移殉十=移殉十^移殉十');
  });

  it('recovers when a JIS X 0208 run is not closed before a delimiter or line end', () => {
    // The G0 designation lasts until ESC ( B; a CR cannot be part of a double-byte character and resets.
    const value = bytes(TO_JIS_X_0208, ';3ED', [CR, LF], 'ok');
    expect(decodeText(value, ['', 'ISO 2022 IR 87'], 'LT')).toBe('山田\r\nok');
  });

  it('space inside a JIS X 0208 run is a space (PS3.5 H.2: DICOM, like ISO-2022-JP, needs no escape for it)', () => {
    expect(decodeText(bytes(TO_JIS_X_0208, ';3 ED', TO_ASCII), ['', 'ISO 2022 IR 87'], 'LO')).toBe('山 田');
  });
});

describe('real-world garbage never throws', () => {
  it('empty value', () => {
    expect(decodeText(new Uint8Array(0), [], 'PN')).toBe('');
    expect(decodeText(new Uint8Array(0), ['', 'ISO 2022 IR 87'], 'PN')).toBe('');
  });

  it('absent or empty (0008,0005): the default repertoire, bytes ≥ 0x80 as Latin-1', () => {
    const value = bytes('Buc^J', [0xe9], 'r', [0xf4], 'me');
    expect(decodeText(value, [], 'PN')).toBe('Buc^Jérôme');
    expect(decodeText(value, [''], 'PN')).toBe('Buc^Jérôme');
    expect(decodeText(value, ['ISO_IR 6'], 'PN')).toBe('Buc^Jérôme');
  });

  it('an unknown term falls back to the default repertoire', () => {
    // pydicom test_charset.py test_invalid_character_set.
    expect(decodeText(bytes('CompressedSamples^CT1'), ['UNSUPPORTED'], 'PN')).toBe('CompressedSamples^CT1');
    expect(decodeText(bytes([0xe9]), ['UNSUPPORTED'], 'PN')).toBe('é');
    // pydicom test_charset.py test_invalid_second_encoding: the unknown later value is ignored.
    expect(decodeText(bytes('R', [0xf6]), ['ISO 2022 IR 100', 'ISO 2022 IR 146'], 'LO')).toBe('Rö');
  });

  it('without a usable (0008,0005), escape sequences are still honoured', () => {
    const value = bytes('Yamada=', TO_JIS_X_0208, ';3ED', TO_ASCII);
    expect(decodeText(value, [], 'PN')).toBe('Yamada=山田');
    expect(decodeText(value, ['ISO IR 87'], 'PN')).toBe('Yamada=山田');
  });

  it('misspelled terms are forgiven', () => {
    // pydicom test_charset.py test_patched_charset / test_patched_code_extension_charset.
    const utf8 = bytes('Buc^J', [0xc3, 0xa9], 'r', [0xc3, 0xb4], 'me');
    expect(decodeText(utf8, ['ISO IR 192'], 'PN')).toBe('Buc^Jérôme');
    expect(decodeText(bytes('Buc^J', [0xe9], 'r', [0xf4], 'me'), ['ISO_IR 100', 'ISO-IR 144'], 'PN')).toBe(
      'Buc^Jérôme',
    );
    const greek = bytes('Dionysios=', TO_GREEK, [0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2]);
    expect(decodeText(greek, ['ISO_2022-IR 100', 'ISO 2022 IR 126'], 'PN')).toBe('Dionysios=Διονυσιος');
    expect(decodeText(greek, ['ISO 2022 IR 100', 'ISO_2022_IR+126'], 'PN')).toBe('Dionysios=Διονυσιος');
    expect(decodeText(bytes([0xe9]), [' ISO_IR 100 '], 'LO')).toBe('é');
  });

  it('an unknown escape sequence stays in the text', () => {
    const value = bytes('a', [ESC, 0x28, 0x5a], 'b', [ESC], 'c', [ESC, 0x24]);
    expect(decodeText(value, ['', 'ISO 2022 IR 87'], 'LO')).toBe('a\u001b(Zb\u001bc\u001b$');
  });

  it('invalid double-byte codes become U+FFFD', () => {
    // A lone JIS X 0208 byte before the end, and a cell JIS X 0208 leaves empty (row 09).
    expect(decodeText(bytes(TO_JIS_X_0208, ';', TO_ASCII, 'x'), ['', 'ISO 2022 IR 87'], 'LO')).toBe(
      '\ufffdx',
    );
    expect(decodeText(bytes(TO_JIS_X_0208, '):', TO_ASCII), ['', 'ISO 2022 IR 87'], 'LO')).toBe('\ufffd');
    // GR bytes while JIS X 0212 is in G0 and nothing is in G1: read as Latin-1 (pydicom gives U+FFFD here).
    const gr = bytes(TO_JIS_X_0212, [0xc4, 0xe9]);
    expect(decodeText(gr, ['ISO 2022 IR 159'], 'PN')).toBe('Äé');
  });

  it('a truncated escape sequence at the end', () => {
    expect(decodeText(bytes('ab', [ESC, 0x24, 0x29]), ['', 'ISO 2022 IR 149'], 'LO')).toBe('ab\u001b$)');
  });
});

describe('VRs that do not use the character set', () => {
  it('read byte for byte, bytes ≥ 0x80 as Latin-1, escape sequences untouched', () => {
    const value = bytes('1.2', [0xe9], [ESC, 0x24, 0x42], ';3');
    for (const vr of ['CS', 'UI', 'DA', 'AE', 'DS', 'UR'] as const) {
      expect(decodeText(value, ['', 'ISO 2022 IR 87'], vr)).toBe('1.2é\u001b$B;3');
    }
  });

  it('keep padding: trimming is the caller’s job', () => {
    expect(decodeText(bytes('ABC ', [0]), ['ISO_IR 192'], 'CS')).toBe('ABC \u0000');
    expect(decodeText(bytes(' Buc ', [0xe9], ' '), ['ISO_IR 100'], 'LO')).toBe(' Buc é ');
  });
});

it('long values (more than one internal chunk) decode completely', () => {
  const latin = new Uint8Array(50_000).fill(0xe9);
  expect(decodeText(latin, ['ISO_IR 100'], 'UT')).toBe('é'.repeat(50_000));
  const ascii = new Uint8Array(50_000).fill(0x41);
  expect(decodeText(ascii, ['ISO_IR 192'], 'UT')).toBe('A'.repeat(50_000));
});

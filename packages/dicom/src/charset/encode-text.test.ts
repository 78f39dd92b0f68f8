import { describe, expect, it } from 'vitest';
import type { Vr } from '../vr.js';
import { CharsetEncodeError, decodeText, encodeText } from './index.js';

// Expected bytes come from the standard's examples (or pydicom's test suite), written out by hand.
function bytes(...parts: (string | readonly number[])[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (const c of part) out.push(c.charCodeAt(0));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

const ESC = 0x1b;
const CR = 0x0d;
const LF = 0x0a;
const TO_ASCII = [ESC, 0x28, 0x42];
const TO_ROMAJI = [ESC, 0x28, 0x4a];
const TO_JIS_X_0208 = [ESC, 0x24, 0x42];
const TO_JIS_X_0212 = [ESC, 0x24, 0x28, 0x44];
const TO_KS_X_1001 = [ESC, 0x24, 0x29, 0x43];
const TO_GB_2312 = [ESC, 0x24, 0x29, 0x41];

function roundTrip(text: string, charset: readonly string[], vr: Vr): string {
  return decodeText(encodeText(text, charset, vr), charset, vr);
}

describe('writes the examples of the standard byte for byte', () => {
  it('PS3.5 H.3.1 (value 1 empty, ISO 2022 IR 87)', () => {
    const expected = bytes(
      'Yamada^Tarou=', TO_JIS_X_0208, ';3ED', TO_ASCII, '^', TO_JIS_X_0208, 'B@O:', TO_ASCII,
      '=', TO_JIS_X_0208, '$d$^$@', TO_ASCII, '^', TO_JIS_X_0208, '$?$m$&', TO_ASCII,
    ); // prettier-ignore
    expect(encodeText('Yamada^Tarou=山田^太郎=やまだ^たろう', ['', 'ISO 2022 IR 87'], 'PN')).toEqual(
      expected,
    );
  });

  it('PS3.5 H.3.2 (ISO 2022 IR 13 and ISO 2022 IR 87)', () => {
    const expected = bytes(
      [0xd4, 0xcf, 0xc0, 0xde], '^', [0xc0, 0xdb, 0xb3], '=', TO_JIS_X_0208, ';3ED', TO_ROMAJI,
      '^', TO_JIS_X_0208, 'B@O:', TO_ROMAJI, '=', TO_JIS_X_0208, '$d$^$@', TO_ROMAJI,
      '^', TO_JIS_X_0208, '$?$m$&', TO_ROMAJI,
    ); // prettier-ignore
    const charset = ['ISO 2022 IR 13', 'ISO 2022 IR 87'];
    expect(encodeText('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう', charset, 'PN')).toEqual(expected);
  });

  it('JIS X 0212 where JIS X 0208 lacks the character (pydicom test_japanese_multi_byte_personname)', () => {
    const expected = bytes(
      'Mori^Ogai=', TO_JIS_X_0208, '?9', TO_ASCII, '^', TO_JIS_X_0212, 'l?', TO_JIS_X_0208, '30', TO_ASCII,
      '=', TO_JIS_X_0208, '$b$j', TO_ASCII, '^', TO_JIS_X_0208, '$*$&$,$$', TO_ASCII,
    ); // prettier-ignore
    const charset = ['ISO 2022 IR 6', 'ISO 2022 IR 87', 'ISO 2022 IR 159'];
    expect(encodeText('Mori^Ogai=森^鷗外=もり^おうがい', charset, 'PN')).toEqual(expected);
  });

  it('PS3.5 I.2 (Korean person name)', () => {
    const expected = bytes(
      'Hong^Gildong=', TO_KS_X_1001, [0xfb, 0xf3], '^', TO_KS_X_1001, [0xd1, 0xce, 0xd4, 0xd7],
      '=', TO_KS_X_1001, [0xc8, 0xab], '^', TO_KS_X_1001, [0xb1, 0xe6, 0xb5, 0xbf],
    ); // prettier-ignore
    expect(encodeText('Hong^Gildong=洪^吉洞=홍^길동', ['', 'ISO 2022 IR 149'], 'PN')).toEqual(expected);
  });

  it('PS3.5 K.2 and K.3 (GB 2312 in G1)', () => {
    const pn = bytes(
      'Zhang^XiaoDong=',
      TO_GB_2312,
      [0xd5, 0xc5],
      '^',
      TO_GB_2312,
      [0xd0, 0xa1, 0xb6, 0xab],
      '=',
    );
    expect(encodeText('Zhang^XiaoDong=张^小东=', ['', 'ISO 2022 IR 58'], 'PN')).toEqual(pn);
    const lt = bytes(
      '1.', TO_GB_2312, [0xb5, 0xda, 0xd2, 0xbb, 0xd0, 0xd0, 0xce, 0xc4, 0xd7, 0xd6, 0xa1, 0xa3], [CR, LF],
      '2.', TO_GB_2312, [0xb5, 0xda, 0xb6, 0xfe, 0xd0, 0xd0, 0xce, 0xc4, 0xd7, 0xd6, 0xa1, 0xa3], [CR, LF],
    ); // prettier-ignore
    expect(encodeText('1.第一行文字。\r\n2.第二行文字。\r\n', ['', 'ISO 2022 IR 58'], 'LT')).toEqual(lt);
  });

  it('PS3.5 J.1 and J.2 (UTF-8)', () => {
    const pn = bytes('Wang^XiaoDong=', [0xe7, 0x8e, 0x8b], '^', [0xe5, 0xb0, 0x8f, 0xe6, 0x9d, 0xb1], '=');
    expect(encodeText('Wang^XiaoDong=王^小東=', ['ISO_IR 192'], 'PN')).toEqual(pn);
    const lt = bytes('includes', [0xe4, 0xb8, 0xad, 0xe6, 0x96, 0x87], '.', [CR, LF]);
    expect(encodeText('includes中文.\r\n', ['ISO_IR 192'], 'LT')).toEqual(lt);
  });

  it('PS3.5 J.3 and J.4 (GB18030, GBK)', () => {
    const pn = bytes('Wang^XiaoDong=', [0xcd, 0xf5], '^', [0xd0, 0xa1, 0xb6, 0xab], '=');
    expect(encodeText('Wang^XiaoDong=王^小东=', ['GB18030'], 'PN')).toEqual(pn);
    expect(encodeText('Wang^XiaoDong=王^小东=', ['GBK'], 'PN')).toEqual(pn);
    expect(encodeText('includes中文.', ['GB18030'], 'LT')).toEqual(
      bytes('includes', [0xd6, 0xd0, 0xce, 0xc4], '.'),
    );
  });
});

describe('single-byte sets', () => {
  it('ISO_IR 100 writes Latin-1 bytes', () => {
    expect(encodeText('Buc^Jérôme', ['ISO_IR 100'], 'PN')).toEqual(bytes('Buc^J', [0xe9], 'r', [0xf4], 'me'));
  });

  const samples: readonly [string, string][] = [
    ['ISO_IR 100', 'Äneas^Rüdiger'],
    ['ISO_IR 101', 'Wałęsa'],
    ['ISO_IR 109', 'antaŭnomo'],
    ['ISO_IR 110', 'vārds'],
    ['ISO_IR 144', 'Люкceмбypг'],
    ['ISO_IR 127', 'قباني^لنزار'],
    ['ISO_IR 126', 'Διονυσιος'],
    ['ISO_IR 138', 'שרון^דבורה'],
    ['ISO_IR 148', 'Çavuşoğlu'],
    ['ISO_IR 203', 'Œuvre 5 €'],
    ['ISO_IR 166', 'นามสกุล'],
    ['ISO_IR 13', 'ﾔﾏﾀﾞ^ﾀﾛｳ'],
  ];
  for (const [term, text] of samples) {
    it(`${term} round trip, with and without code extensions`, () => {
      expect(roundTrip(text, [term], 'PN')).toBe(text);
      const extension = term.replace('ISO_IR', 'ISO 2022 IR');
      expect(roundTrip(text, ['', extension], 'PN')).toBe(text);
      expect(roundTrip(`${text}\\${text}`, ['', extension], 'LO')).toBe(`${text}\\${text}`);
    });
  }

  it('switches G1 for the Greek component and back to value 1 at the end (PS3.5 §6.1.2.5.3)', () => {
    // pydicom test_charset.py test_single_byte_multi_charset_personname, plus ESC 02/13 04/01 at the end.
    const greek = [0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2];
    const expected = bytes('Dionysios=', [ESC, 0x2d, 0x46], greek, [ESC, 0x2d, 0x41]);
    expect(encodeText('Dionysios=Διονυσιος', ['ISO 2022 IR 100', 'ISO 2022 IR 126'], 'PN')).toEqual(expected);
  });
});

describe('code extensions: what the decoder (and the standard) needs at each reset point', () => {
  it('designates value 1 again before delimiters, so that each value decodes on its own', () => {
    const charset = ['ISO 2022 IR 100', 'ISO 2022 IR 144', 'ISO 2022 IR 126'];
    const text = 'Buc^Jérôme\\Διονυσιος\\Люкceмбypг';
    const encoded = encodeText(text, charset, 'LO');
    expect(decodeText(encoded, charset, 'LO')).toBe(text);
    // Each value, cut out at its delimiter, decodes alone (PS3.5 §6.1.2.5.3).
    const values = text.split('\\');
    let start = 0;
    values.forEach((value) => {
      const end = encoded.indexOf(0x5c, start);
      const part = encoded.subarray(start, end < 0 ? encoded.length : end);
      expect(decodeText(part, charset, 'LO')).toBe(value);
      start = end + 1;
    });
  });

  it('re-designates G1 in each PN component and each line', () => {
    expect(roundTrip('홍^길동=洪^吉洞', ['', 'ISO 2022 IR 149'], 'PN')).toBe('홍^길동=洪^吉洞');
    const lt = '첫 줄에 한글.\r\n\t둘째 줄 한글\fend';
    expect(roundTrip(lt, ['', 'ISO 2022 IR 149'], 'LT')).toBe(lt);
  });

  it('ASCII after a JIS X 0208 run switches G0 back; a backslash in LT is text', () => {
    const text = '山田 and 太郎\\C:\\path 山';
    const encoded = encodeText(text, ['', 'ISO 2022 IR 87'], 'LT');
    expect(decodeText(encoded, ['', 'ISO 2022 IR 87'], 'LT')).toBe(text);
    expect(encoded.subarray(-3)).toEqual(Uint8Array.from(TO_ASCII)); // the value ends in G0 = ASCII
  });

  it('mixes katakana, JIS X 0208, JIS X 0212 and romaji', () => {
    // pydicom test_charset.py test_japanese_multi_byte_encoding ('あaｱア齩'); pydicom writes an extra
    // ESC ) I before ｱ, which is already in G1 because value 1 is ISO 2022 IR 13.
    const charset = ['ISO 2022 IR 13', 'ISO 2022 IR 87', 'ISO 2022 IR 159'];
    const expected = bytes(
      TO_JIS_X_0208,
      '$"',
      TO_ROMAJI,
      'a',
      [0xb1],
      TO_JIS_X_0208,
      '%"',
      TO_JIS_X_0212,
      'mN',
      TO_ROMAJI,
    );
    expect(encodeText('あaｱア齩', charset, 'LO')).toEqual(expected);
    expect(decodeText(expected, charset, 'LO')).toBe('あaｱア齩');
  });

  it('encodes the JIS X 0208 cells whose Unicode mapping differs between platforms either way', () => {
    // 01/33 is WAVE DASH (U+301C) in JIS and Python, FULLWIDTH TILDE (U+FF5E) in WHATWG and ICU.
    const charset = ['', 'ISO 2022 IR 87'];
    const expected = bytes(TO_JIS_X_0208, '!A', TO_ASCII);
    expect(encodeText('\u301c', charset, 'LO')).toEqual(expected);
    expect(encodeText('\uff5e', charset, 'LO')).toEqual(expected);
  });
});

describe('variable-length codes', () => {
  it('UTF-8 and GB18030 round trips, astral planes included', () => {
    const text = 'Wang^XiaoDong=王^小東=ワン^シャオドン 😀 é €';
    expect(roundTrip(text, ['ISO_IR 192'], 'PN')).toBe(text);
    expect(roundTrip(text, ['GB18030'], 'PN')).toBe(text);
  });

  it('GB18030 four-byte codes (values from Python’s gb18030 codec)', () => {
    expect(encodeText('\u0080😀ü€', ['GB18030'], 'LO')).toEqual(
      bytes([0x81, 0x30, 0x81, 0x30, 0x94, 0x39, 0xfc, 0x36, 0xa8, 0xb9, 0xa2, 0xe3]),
    );
  });

  it('GBK writes € as 0x80 (WHATWG gbk encoder) and has no four-byte codes', () => {
    expect(encodeText('€', ['GBK'], 'LO')).toEqual(bytes([0x80]));
    expect(decodeText(bytes([0x80]), ['GBK'], 'LO')).toBe('€');
    expect(() => encodeText('😀', ['GBK'], 'LO')).toThrow(CharsetEncodeError);
  });
});

describe('errors', () => {
  function thrown(fn: () => unknown): CharsetEncodeError {
    try {
      fn();
    } catch (e) {
      if (e instanceof CharsetEncodeError) return e;
      throw e;
    }
    throw new Error('did not throw');
  }

  it('the default repertoire is ASCII only', () => {
    const e = thrown(() => encodeText('Jérôme', [], 'PN'));
    expect(e).toMatchObject({
      name: 'CharsetEncodeError',
      codePoint: 0xe9,
      index: 1,
      specificCharacterSet: [],
    });
    expect(e.message).toBe(
      'U+00E9 at index 1 cannot be encoded with Specific Character Set (default repertoire)',
    );
    expect(e.message).not.toContain('Jérôme'); // no patient data in messages
    expect(() => encodeText('é', ['UNSUPPORTED'], 'PN')).toThrow(CharsetEncodeError);
  });

  it('a character outside the declared sets', () => {
    expect(thrown(() => encodeText('Δ', ['ISO_IR 100'], 'LO')).codePoint).toBe(0x394);
    expect(thrown(() => encodeText('abcع', ['', 'ISO 2022 IR 149'], 'LO')).index).toBe(3);
    expect(thrown(() => encodeText('x😀', ['', 'ISO 2022 IR 87'], 'LO')).codePoint).toBe(0x1f600);
  });

  it('ESC, which would be read as an escape sequence', () => {
    expect(thrown(() => encodeText('a\u001b$B', ['', 'ISO 2022 IR 87'], 'LO')).index).toBe(1);
    expect(thrown(() => encodeText('a\u001b', [], 'LO')).codePoint).toBe(0x1b);
  });

  it('lone surrogates', () => {
    expect(thrown(() => encodeText('a\ud800b', ['ISO_IR 192'], 'LO')).index).toBe(1);
    expect(thrown(() => encodeText('\udc00', ['GB18030'], 'LO')).index).toBe(0);
  });

  it('VRs without the character set take U+0000–U+00FF only', () => {
    expect(encodeText('1.2.840', ['ISO_IR 192'], 'UI')).toEqual(bytes('1.2.840'));
    expect(encodeText('é', [], 'CS')).toEqual(bytes([0xe9]));
    expect(thrown(() => encodeText('Ā', ['ISO_IR 192'], 'CS')).codePoint).toBe(0x100);
  });
});

it('plain ASCII is the same bytes under every character set', () => {
  for (const charset of [
    [],
    ['ISO_IR 100'],
    ['ISO_IR 192'],
    ['GB18030'],
    ['ISO 2022 IR 13', 'ISO 2022 IR 87'],
  ]) {
    expect(encodeText('Doe^John\\X', charset, 'PN')).toEqual(bytes('Doe^John\\X'));
  }
  expect(encodeText('', ['ISO_IR 192'], 'PN')).toEqual(new Uint8Array(0));
});

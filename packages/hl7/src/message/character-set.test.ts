import { describe, expect, it } from 'vitest';
import {
  characterSetEncoding,
  decodeMessageBytes,
  encodeMessageText,
  readCharacterSet,
} from './character-set.js';
import { Hl7ParseError } from './hl7-parse-error.js';
import { parseMessage } from './parse-message.js';

const message = (charset: string, name: string): string =>
  `MSH|^~\\&|HIS|HOSP|LB|RAD|20240101||ADT^A01|1|P|2.5.1||||||${charset}\rPID|1||ID1||${name}\r`;

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('decodeMessageBytes', () => {
  it('decodes ISO 8859-1 bytes when MSH-18 is 8859/1', () => {
    const bytes = latin1(message('8859/1', 'Müller^Jürgen'));
    expect(bytes.includes(0xfc)).toBe(true);
    expect(parseMessage(decodeMessageBytes(bytes)).get('PID-5.2')).toBe('Jürgen');
  });

  it('decodes UTF-8 for UNICODE UTF-8, UNICODE and ISO IR192', () => {
    for (const charset of ['UNICODE UTF-8', 'UNICODE', 'ISO IR192', 'ISO_IR 192']) {
      const bytes = new TextEncoder().encode(message(charset, 'Müller^Zoë 王'));
      expect(parseMessage(decodeMessageBytes(bytes)).get('PID-5.2')).toBe('Zoë 王');
    }
  });

  it('decodes GB 18030 names', () => {
    // 王小明 in GB 18030 (GB2312 code points), and 😀 as a four-byte sequence.
    const head = latin1(message('GB 18030-2000', '').slice(0, -1));
    const name = Uint8Array.of(0xcd, 0xf5, 0xd0, 0xa1, 0xc3, 0xf7, 0x94, 0x39, 0xfc, 0x36, 0x0d);
    const bytes = new Uint8Array([...head, ...name]);
    expect(parseMessage(decodeMessageBytes(bytes)).get('PID-5')).toBe('王小明😀');
    expect(encodeMessageText('王小明😀', 'GB 18030-2000')).toEqual(name.subarray(0, -1));
  });

  it('decodes KS X 1001 as EUC-KR and ISO IR87 as Shift_JIS', () => {
    const korean = encodeMessageText(message('KS X 1001', '홍^길동'), 'KS X 1001');
    expect(Array.from(korean.subarray(-8, -1))).toEqual([0xc8, 0xab, 0x5e, 0xb1, 0xe6, 0xb5, 0xbf]);
    expect(parseMessage(decodeMessageBytes(korean)).get('PID-5.2')).toBe('길동');
    const japanese = encodeMessageText(message('ISO IR87', 'ヤマダ^タロウ'), 'ISO IR87');
    expect(parseMessage(decodeMessageBytes(japanese)).get('PID-5.1')).toBe('ヤマダ');
  });

  it('treats an empty MSH-18 or ASCII as latin1-safe', () => {
    const bytes = latin1(message('', 'Ærø'));
    expect(parseMessage(decodeMessageBytes(bytes)).get('PID-5')).toBe('Ærø');
    expect(parseMessage(decodeMessageBytes(latin1(message('ASCII', 'Ærø')))).get('PID-5')).toBe('Ærø');
  });

  it('uses the first repetition of MSH-18 and honours custom delimiters', () => {
    const text = 'MSH#@!%$#A######ADT@A01#1#P#2.5.1######8859/1!ISO IR87\rPID#1###Gärtner';
    expect(readCharacterSet(text)).toBe('8859/1');
    expect(parseMessage(decodeMessageBytes(latin1(text))).get('PID-4')).toBe('Gärtner');
  });

  it('decodes bytes without an MSH as latin1, leaving the error to parseMessage', () => {
    expect(decodeMessageBytes(latin1('garbage é'))).toBe('garbage é');
  });

  it('rejects an unknown character set with 102 at MSH-18', () => {
    const error = (() => {
      try {
        decodeMessageBytes(latin1(message('EBCDIC', 'X')));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Hl7ParseError);
    expect(error).toMatchObject({ code: '102', location: { segment: 'MSH', sequence: 1, field: 18 } });
  });

  it.each([
    '8859/2',
    '8859/5',
    '8859/7',
    '8859/9',
    '8859/15',
    'GB 18030-2000',
    'KS X 1001',
    'ISO IR87',
    'UNICODE UTF-8',
    'BIG-5',
  ])('round-trips %s bytes ↔ text', (charset) => {
    const samples: Record<string, string> = {
      '8859/2': 'Łódź Żółć',
      '8859/5': 'Иванов Пётр',
      '8859/7': 'Παπαδόπουλος',
      '8859/9': 'Şükrü Öztürk',
      '8859/15': 'Œuvre 10€',
      'GB 18030-2000': '李雷 韩梅梅 𠀀',
      'KS X 1001': '김민준',
      'ISO IR87': '山田^太郎 ｶﾀｶﾅ',
      'UNICODE UTF-8': 'Ünïcödé 👍',
      'BIG-5': '陳大文',
    };
    const text = message(charset, samples[charset]!);
    const bytes = encodeMessageText(text, charset);
    expect(decodeMessageBytes(bytes)).toBe(text);
  });

  it('throws for characters the character set cannot represent', () => {
    expect(() => encodeMessageText('王', '8859/1')).toThrow(/U\+738B cannot be encoded/);
    expect(() => encodeMessageText('Ω', '')).toThrow(/cannot be encoded/);
    expect(() => encodeMessageText('x', 'NOPE')).toThrow(Hl7ParseError);
  });

  it('maps every table 0211 value it supports to a TextDecoder encoding', () => {
    for (const charset of [
      '',
      'ASCII',
      '8859/1',
      '8859/3',
      '8859/4',
      '8859/6',
      '8859/8',
      'ISO IR100',
      'ISO IR13',
      'ISO IR14',
      'unicode utf-8',
    ]) {
      expect(() => new TextDecoder(characterSetEncoding(charset))).not.toThrow();
    }
  });
});

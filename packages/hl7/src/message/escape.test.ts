import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIMITERS, type Hl7Delimiters } from './delimiters.js';
import { encodeSegment } from './encode-segment.js';
import { escapeText, unescapeText } from './escape.js';
import { parseMessage } from './parse-message.js';

const msh = 'MSH|^~\\&|A||||||ADT^A01|1|P|2.5.1';

describe('escape sequences (HL7 v2.5.1 §2.7)', () => {
  it.each([
    ['\\F\\', '|'],
    ['\\S\\', '^'],
    ['\\T\\', '&'],
    ['\\R\\', '~'],
    ['\\E\\', '\\'],
    ['\\.br\\', '\n'],
    ['\\X0D\\', '\r'],
  ])('%s ↔ %j both ways', (escaped, text) => {
    const value = `a${escaped}b`;
    expect(unescapeText(value)).toBe(`a${text}b`);
    expect(escapeText(`a${text}b`)).toBe(value);
    const m = parseMessage(`${msh}\rNTE|1||${value}\r`);
    expect(m.get('NTE-3')).toBe(`a${text}b`);
    expect(encodeSegment('NTE', ['1', '', m.get('NTE-3')])).toBe(`NTE|1||${value}`);
  });

  it('escapes every delimiter of a custom set, and the truncation character as \\P\\', () => {
    const d: Hl7Delimiters = {
      field: '#',
      component: '@',
      repetition: '!',
      escape: '%',
      subcomponent: '$',
      truncation: '*',
    };
    expect(escapeText('#@!%$*|^', d)).toBe('%F%%S%%R%%E%%T%%P%|^');
    expect(unescapeText('%F%%S%%R%%E%%T%%P%|^', d)).toBe('#@!%$*|^');
    expect(unescapeText('\\P\\')).toBe('\\P\\'); // no truncation character declared
  });

  it('decodes \\Xhh\\ as bytes of the message character set', () => {
    expect(unescapeText('caf\\XE9\\')).toBe('café');
    expect(unescapeText('caf\\XC3A9\\', DEFAULT_DELIMITERS, 'utf-8')).toBe('café');
    expect(parseMessage(`${msh}||||||UNICODE UTF-8\rNTE|1||caf\\XC3A9\\`).get('NTE-3')).toBe('café');
    expect(parseMessage(`${msh}||||||8859/1\rNTE|1||caf\\XE9\\`).get('NTE-3')).toBe('café');
    expect(unescapeText('\\X4\\ \\XZZ\\ \\X\\')).toBe('\\X4\\ \\XZZ\\ \\X\\');
  });

  it('drops \\H\\ and \\N\\ and keeps other formatting and character-set commands verbatim', () => {
    expect(unescapeText('\\H\\bold\\N\\ text')).toBe('bold text');
    for (const kept of [
      '\\.sp\\',
      '\\.sp2\\',
      '\\.fi\\',
      '\\.nf\\',
      '\\.in+4\\',
      '\\.ti-2\\',
      '\\.sk3\\',
      '\\.ce\\',
      '\\C2842\\',
      '\\M2442\\',
      '\\Z99\\',
      '\\Q\\',
      '\\\\',
    ]) {
      expect(unescapeText(`a${kept}b`)).toBe(`a${kept}b`);
    }
  });

  it('keeps an unterminated escape verbatim', () => {
    expect(unescapeText('abc\\F')).toBe('abc\\F');
    expect(unescapeText('x\\F\\y\\')).toBe('x|y\\');
    expect(unescapeText('C:\\dir\\file')).toBe('C:\\dir\\file');
  });

  it('round-trips any text through encodeSegment and parseMessage', () => {
    const alphabet = ['a', 'Z', '|', '^', '~', '\\', '&', '\n', '\r', 'é', ' ', '"', '.', 'X', 'F'];
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 500; i++) {
      const value = Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const m = parseMessage(`${msh}\r${encodeSegment('NTE', ['1', '', value])}\r`);
      expect(m.get('NTE-3'), JSON.stringify(value)).toBe(value);
    }
  });
});

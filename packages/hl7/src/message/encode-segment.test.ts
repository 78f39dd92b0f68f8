import { describe, expect, it } from 'vitest';
import { encodeSegment } from './encode-segment.js';
import { parseMessage } from './parse-message.js';

describe('encodeSegment', () => {
  it('writes MSH-1 and MSH-2 for MSH, fields[0] being MSH-3', () => {
    expect(
      encodeSegment('MSH', [
        'LIGHTBOX',
        'RAD',
        'HIS',
        '',
        '20240101',
        '',
        [['ADT', 'A01', 'ADT_A01']],
        'X1',
        'P',
        '2.5.1',
      ]),
    ).toBe('MSH|^~\\&|LIGHTBOX|RAD|HIS||20240101||ADT^A01^ADT_A01|X1|P|2.5.1');
    expect(encodeSegment('MSH', [])).toBe('MSH|^~\\&');
  });

  it('treats a string as one escaped value and arrays as repetitions, components, subcomponents', () => {
    expect(
      encodeSegment('PID', [
        '1',
        '',
        [['123', '', '', ['HOSP', '1.2.3', 'ISO'], 'MR'], 'X9'],
        '',
        'Smith^John',
      ]),
    ).toBe('PID|1||123^^^HOSP&1.2.3&ISO^MR~X9||Smith\\S\\John');
  });

  it('leaves out trailing empty fields, repetitions, components and subcomponents', () => {
    expect(encodeSegment('PV1', ['1', 'I', '', ''])).toBe('PV1|1|I');
    expect(encodeSegment('PV1', [[['A', '', ''], '']])).toBe('PV1|A');
    expect(encodeSegment('PV1', [[['A', ['B', '', '']]]])).toBe('PV1|A^B');
    expect(encodeSegment('ZZZ', ['', ''])).toBe('ZZZ');
  });

  it('passes the explicit null "" through', () => {
    expect(encodeSegment('PID', ['1', '', '', '', '""'])).toBe('PID|1||||""');
  });

  it('uses custom delimiters', () => {
    const d = { field: '#', component: '@', repetition: '!', escape: '%', subcomponent: '$' };
    const msh = encodeSegment('MSH', ['APP', '', '', '', '', '', [['ADT', 'A01']], '1', 'P', '2.5.1'], d);
    expect(msh).toBe('MSH#@!%$#APP######ADT@A01#1#P#2.5.1');
    const pid = encodeSegment('PID', ['1', [['a', ['b', 'c']], 'd'], 'x#y'], d);
    expect(pid).toBe('PID#1#a@b$c!d#x%F%y');
    const m = parseMessage(`${msh}\r${pid}`);
    expect(m.get('PID-2.2.2')).toBe('c');
    expect(m.get('PID-3')).toBe('x#y');
  });
});

import { describe, expect, it } from 'vitest';
import { Hl7ParseError } from './hl7-parse-error.js';
import { parseMessage } from './parse-message.js';

const cr = (lines: string[]): string => lines.map((l) => `${l}\r`).join('');

const adtA01 = cr([
  'MSH|^~\\&|EPIC|STJOHNS|LIGHTBOX|RAD|20240315083000-0500||ADT^A01^ADT_A01|MSG00001|P|2.5.1|||AL|NE||8859/1',
  'EVN|A01|20240315083000-0500',
  'PID|1||123456^^^STJOHNS^MR~987-65-4321^^^SSA^SS||Müller^Jürgen^A^Jr^Dr||19700101|M|||12 Main St^Apt 4^Springfield^IL^62701^USA||(217)555-0100',
  'PV1|1|I|RAD^101^1^STJOHNS||||1234^Smith^John^^^Dr|||RAD||||1|||1234^Smith^John|IN|V0001',
]);

const ormO01 = cr([
  'MSH|^~\\&|HIS|HOSP|RIS|RAD|20240315090000||ORM^O01|ORM0001|P|2.3.1',
  'PID|1||PAT001^^^HOSP^MR||DOE^JANE||19800202|F',
  'PV1|1|O|CLINIC',
  'ORC|NW|ORD1001^HIS|||SC||1^^^20240315100000^^R',
  'OBR|1|ORD1001^HIS||71020^CHEST XRAY 2 VIEWS^C4|||20240315093000|||||||||1234^WELBY^MARCUS||||||||CR||1^^^20240315100000^^R',
]);

const omiO23 = cr([
  'MSH|^~\\&|RIS|RAD|LIGHTBOX|PACS|20240315091500+0100||OMI^O23^OMI_O23|OMI0001|P|2.5.1|||AL|NE||UNICODE UTF-8',
  'PID|1||PAT001^^^HOSP&1.2.3.4&ISO^MR~X99^^^NATIONAL&2.16.840.1.113883.2.4.6.3&ISO^NNNLD||DOE^JANE||19800202|F',
  'PV1|1|O',
  'ORC|NW|ORD1001^HIS|FIL2002^RIS||SC',
  'TQ1|1||||||20240316100000|20240316103000|R',
  'OBR|1|ORD1001^HIS|FIL2002^RIS|71020^CHEST XRAY 2 VIEWS^C4',
  'IPC|ACC1001|RP1001|1.2.840.113619.2.55.3.604688119.969.1268071029.320|SPS1001|CR|RPC1^Chest PA^LOCAL|STATION1|RAD^ROOM1|CR01',
]);

function parseError(text: string): Hl7ParseError {
  try {
    parseMessage(text);
  } catch (error) {
    expect(error).toBeInstanceOf(Hl7ParseError);
    return error as Hl7ParseError;
  }
  throw new Error('parseMessage did not throw');
}

describe('parseMessage', () => {
  it('reads an ADT^A01 v2.5.1 with repeating PID-3', () => {
    const m = parseMessage(adtA01);
    expect(m.segments.map((s) => s.id)).toEqual(['MSH', 'EVN', 'PID', 'PV1']);
    expect([m.messageType, m.triggerEvent, m.messageStructure]).toEqual(['ADT', 'A01', 'ADT_A01']);
    expect([m.controlId, m.processingId, m.version]).toEqual(['MSG00001', 'P', '2.5.1']);
    expect([m.acceptAckType, m.applicationAckType, m.characterSet]).toEqual(['AL', 'NE', '8859/1']);
    expect(m.get('MSH-1')).toBe('|');
    expect(m.get('MSH-2')).toBe('^~\\&');
    expect(m.get('MSH-3')).toBe('EPIC');
    expect(m.get('MSH-7')).toBe('20240315083000-0500');
    const pid3 = m.segment('PID')!.field(3);
    expect(pid3.repetitions).toHaveLength(2);
    expect(pid3.value()).toBe('123456');
    expect(pid3.repetitions[1]!.value(4)).toBe('SSA');
    expect(m.get('PID-3[2].1')).toBe('987-65-4321');
    expect(m.get('PID-3[2].5')).toBe('SS');
    expect(m.get('PID-3[3].1')).toBe('');
    expect(m.get('PID-5.1')).toBe('Müller');
    expect(m.get('PID-5.2')).toBe('Jürgen');
    expect(m.get('PID-11.3')).toBe('Springfield');
    expect(m.get('PV1-3.2')).toBe('101');
    expect(m.get('PV1-19')).toBe('V0001');
    expect(m.get('PV1-99')).toBe('');
    expect(m.get('ZZZ-1')).toBe('');
    expect(m.segment('PID')!.length).toBe(13);
    expect(m.segment('MSH')!.length).toBe(18);
  });

  it('reads an ORM^O01 v2.3.1 (message type without structure)', () => {
    const m = parseMessage(ormO01);
    expect([m.messageType, m.triggerEvent, m.messageStructure, m.version]).toEqual([
      'ORM',
      'O01',
      '',
      '2.3.1',
    ]);
    expect(m.get('ORC-1')).toBe('NW');
    expect(m.get('ORC-7.4')).toBe('20240315100000');
    expect(m.get('OBR-4.2')).toBe('CHEST XRAY 2 VIEWS');
    expect(m.get('OBR-16.2')).toBe('WELBY');
    expect(m.get('OBR-24')).toBe('CR');
  });

  it('reads an OMI^O23 v2.5.1 with TQ1, IPC and assigning authorities in subcomponents', () => {
    const m = parseMessage(omiO23);
    expect(m.segments.map((s) => s.id)).toEqual(['MSH', 'PID', 'PV1', 'ORC', 'TQ1', 'OBR', 'IPC']);
    expect(m.characterSet).toBe('UNICODE UTF-8');
    const pid3 = m.segment('PID')!.field(3);
    expect(pid3.repetitions.map((r) => r.components[3])).toEqual([
      ['HOSP', '1.2.3.4', 'ISO'],
      ['NATIONAL', '2.16.840.1.113883.2.4.6.3', 'ISO'],
    ]);
    expect(m.get('PID-3.4')).toBe('HOSP');
    expect(m.get('PID-3.4.2')).toBe('1.2.3.4');
    expect(m.get('PID-3[2].4.2')).toBe('2.16.840.1.113883.2.4.6.3');
    expect(pid3.value(4, 3)).toBe('ISO');
    expect(m.get('TQ1-7')).toBe('20240316100000');
    expect(m.get('TQ1-9')).toBe('R');
    expect(m.get('IPC-1')).toBe('ACC1001');
    expect(m.get('IPC-3')).toBe('1.2.840.113619.2.55.3.604688119.969.1268071029.320');
    expect(m.get('IPC-6.2')).toBe('Chest PA');
    expect(m.get('IPC-9')).toBe('CR01');
  });

  it('finds repeated segments by occurrence', () => {
    const m = parseMessage(
      cr(['MSH|^~\\&|A||||||ORU^R01|1|P|2.5.1', 'OBX|1|TX|||first', 'OBX|2|TX|||second']),
    );
    expect(m.segmentsOf('OBX')).toHaveLength(2);
    expect(m.get('OBX-5')).toBe('first');
    expect(m.get('OBX(2)-5')).toBe('second');
    expect(m.get('OBX(3)-5')).toBe('');
    expect(() => m.get('PID.5')).toThrow(/Not an HL7 path/);
  });

  it('exposes repetitions, components and subcomponents', () => {
    const m = parseMessage(cr(['MSH|^~\\&|A||||||ADT^A08|1|P|2.5.1', 'ZZZ|a1&a2^b~c^^d&&e|||']));
    const f = m.segment('ZZZ')!.field(1);
    expect(f.repetitions.map((r) => r.components)).toEqual([
      [['a1', 'a2'], ['b']],
      [['c'], [''], ['d', '', 'e']],
    ]);
    expect(f.value()).toBe('a1');
    expect(f.value(1, 2)).toBe('a2');
    expect(f.value(2)).toBe('b');
    expect(f.value(3)).toBe('');
    expect(f.repetitions[1]!.value(3, 3)).toBe('e');
    expect(m.segment('ZZZ')!.length).toBe(4);
    const empty = m.segment('ZZZ')!.field(3);
    expect(empty.isEmpty).toBe(true);
    expect(empty.repetitions).toHaveLength(1);
    expect(empty.value()).toBe('');
  });

  it('keeps the explicit null "" apart from an empty field', () => {
    const m = parseMessage(cr(['MSH|^~\\&|A||||||ADT^A08|1|P|2.5.1', 'PID|1||ID1||""|||']));
    const pid = m.segment('PID')!;
    expect(pid.field(5).isNull).toBe(true);
    expect(pid.field(5).isEmpty).toBe(false);
    expect(pid.field(5).value()).toBe('""');
    expect(pid.field(6).isNull).toBe(false);
    expect(pid.field(6).isEmpty).toBe(true);
  });

  it('accepts LF and CRLF between segments and re-encodes with CR', () => {
    const lines = ['MSH|^~\\&|A||||||ADT^A01|1|P|2.5.1', 'PID|1||X', 'PV1|1|I'];
    for (const separator of ['\n', '\r\n', '\r']) {
      const m = parseMessage(lines.join(separator) + separator + separator);
      expect(m.segments.map((s) => s.id)).toEqual(['MSH', 'PID', 'PV1']);
      expect(m.toString()).toBe(cr(lines));
    }
  });

  it('ignores a byte-order mark and leading line breaks', () => {
    expect(parseMessage('\uFEFF\r\nMSH|^~\\&|A||||||ADT^A01|1|P|2.5.1').controlId).toBe('1');
  });

  it('reads custom delimiters from MSH-1 and MSH-2', () => {
    const text = cr(['MSH#@!%$#APP#FAC#####ADT@A01#42#P#2.5.1', 'PID#1##A@B$C!D@E#%F%%S%%T%%R%%E%']);
    const m = parseMessage(text);
    expect(m.delimiters).toEqual({
      field: '#',
      component: '@',
      repetition: '!',
      escape: '%',
      subcomponent: '$',
    });
    expect([m.messageType, m.triggerEvent, m.controlId, m.version]).toEqual(['ADT', 'A01', '42', '2.5.1']);
    expect(m.get('MSH-1')).toBe('#');
    expect(m.get('MSH-2')).toBe('@!%$');
    expect(m.get('PID-3.2.2')).toBe('C');
    expect(m.get('PID-3[2].2')).toBe('E');
    expect(m.get('PID-4')).toBe('#@$!%');
    expect(m.toString()).toBe(text);
  });

  it('reads the v2.7 truncation character', () => {
    const m = parseMessage(cr(['MSH|^~\\&#|A||||||ADT^A01|1|P|2.7', 'PID|1||a\\P\\b']));
    expect(m.delimiters.truncation).toBe('#');
    expect(m.get('PID-3')).toBe('a#b');
    expect(m.get('MSH-2')).toBe('^~\\&#');
  });

  it('returns the message unchanged from toString()', () => {
    for (const text of [adtA01, ormO01, omiO23]) {
      expect(parseMessage(text).toString()).toBe(text);
      expect(parseMessage(parseMessage(text).toString()).toString()).toBe(text);
    }
  });

  it.each([
    ['no MSH', 'PID|1', '100', { segment: 'MSH' }],
    ['empty text', '', '100', { segment: 'MSH' }],
    ['MSH alone', 'MSH', '102', { segment: 'MSH', sequence: 1, field: 1 }],
    ['letter as field separator', 'MSHX^~\\&X', '102', { segment: 'MSH', sequence: 1, field: 1 }],
    ['MSH-2 missing', 'MSH||A||||||ADT^A01|1|P|2.5.1', '102', { segment: 'MSH', sequence: 1, field: 2 }],
    ['MSH-2 short', 'MSH|^~\\|A||||||ADT^A01|1|P|2.5.1', '102', { segment: 'MSH', sequence: 1, field: 2 }],
    [
      'MSH-2 duplicate',
      'MSH|^^\\&|A||||||ADT^A01|1|P|2.5.1',
      '102',
      { segment: 'MSH', sequence: 1, field: 2 },
    ],
    [
      'MSH-2 too long',
      'MSH|^~\\&#!|A||||||ADT^A01|1|P|2.5.1',
      '102',
      { segment: 'MSH', sequence: 1, field: 2 },
    ],
    [
      'MSH-2 with a letter',
      'MSH|^~\\&A|A||||||ADT^A01|1|P|2.5.1',
      '102',
      { segment: 'MSH', sequence: 1, field: 2 },
    ],
    ['MSH-9 missing', 'MSH|^~\\&|A|||||||1|P|2.5.1', '101', { segment: 'MSH', sequence: 1, field: 9 }],
    [
      'MSH-10 missing',
      'MSH|^~\\&|A||||||ADT^A01||P|2.5.1',
      '101',
      { segment: 'MSH', sequence: 1, field: 10 },
    ],
    ['MSH-12 missing', 'MSH|^~\\&|A||||||ADT^A01|1|P', '101', { segment: 'MSH', sequence: 1, field: 12 }],
    [
      'bad segment id',
      'MSH|^~\\&|A||||||ADT^A01|1|P|2.5.1\rPID|1\rpv1|1',
      '100',
      { segment: 'pv1', sequence: 3 },
    ],
  ])('rejects %s', (_name, text, code, location) => {
    const error = parseError(text);
    expect(error.code).toBe(code);
    expect(error.location).toEqual(location);
  });
});

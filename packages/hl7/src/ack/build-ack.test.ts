import { describe, expect, it } from 'vitest';
import { parseMessage } from '../message/parse-message.js';
import { buildAck } from './build-ack.js';
import { buildRejectForUnparsable } from './build-reject-for-unparsable.js';

const at = new Date(Date.UTC(2024, 2, 15, 8, 30, 0));
const cr = (lines: string[]): string => lines.map((l) => `${l}\r`).join('');

const v251 = parseMessage(
  cr([
    'MSH|^~\\&|EPIC|STJOHNS|LIGHTBOX|RAD|20240315083000||ADT^A01^ADT_A01|MSG00001|P|2.5.1|||AL|NE||UNICODE UTF-8',
    'PID|1||123456^^^STJOHNS^MR||DOE^JANE',
  ]),
);
const v231 = parseMessage(
  cr(['MSH|^~\\&|HIS|HOSP|RIS|RAD|20240315090000||ORM^O01|ORM0001|P|2.3.1', 'PID|1||PAT001^^^HOSP^MR']),
);
const options = {
  sendingApplication: 'LIGHTBOX',
  sendingFacility: 'RAD',
  controlId: 'ACK0001',
  timestamp: at,
};

describe('buildAck', () => {
  it('acknowledges a v2.5.1 message (AA)', () => {
    expect(buildAck(v251, 'AA', options)).toBe(
      cr([
        'MSH|^~\\&|LIGHTBOX|RAD|EPIC|STJOHNS|20240315083000+0000||ACK^A01^ACK|ACK0001|P|2.5.1||||||UNICODE UTF-8',
        'MSA|AA|MSG00001',
      ]),
    );
  });

  it('acknowledges a v2.3.1 message (AA)', () => {
    expect(buildAck(v231, 'AA', options)).toBe(
      cr([
        'MSH|^~\\&|LIGHTBOX|RAD|HIS|HOSP|20240315083000+0000||ACK^O01^ACK|ACK0001|P|2.3.1',
        'MSA|AA|ORM0001',
      ]),
    );
  });

  it('writes MSH-9 without message structure before v2.3.1', () => {
    const v23 = parseMessage('MSH|^~\\&|HIS|HOSP|||20240315090000||ADT^A04|C1|P|2.3\r');
    expect(parseMessage(buildAck(v23, 'AA', options)).get('MSH-9')).toBe('ACK');
    expect(buildAck(v23, 'AA', options)).toContain('|ACK^A04|');
  });

  it('reports errors in v2.5.1 form: one ERR each with ERL, CWE, severity and user message', () => {
    const ack = buildAck(v251, 'AE', {
      ...options,
      errors: [
        { code: '101', text: 'PID-3 is required', location: { segment: 'PID', sequence: 1, field: 3 } },
        {
          code: '103',
          text: 'Unknown sex code X|Y',
          severity: 'W',
          location: { segment: 'PID', sequence: 1, field: 8, component: 1 },
        },
        { code: '207', text: 'Internal error' },
      ],
    });
    expect(ack.split('\r').slice(1)).toEqual([
      'MSA|AE|MSG00001|PID-3 is required',
      'ERR||PID^1^3|101^Required field missing^HL70357|E||||PID-3 is required',
      'ERR||PID^1^8^^1|103^Table value not found^HL70357|W||||Unknown sex code X\\F\\Y',
      'ERR|||207^Application internal error^HL70357|E||||Internal error',
      '',
    ]);
    const parsed = parseMessage(ack);
    expect(parsed.segmentsOf('ERR')).toHaveLength(3);
    expect(parsed.get('ERR(2)-8')).toBe('Unknown sex code X|Y');
  });

  it('reports errors in v2.3.1 form: one ERR with repeating ELD, and MSA-6', () => {
    const ack = buildAck(v231, 'AE', {
      ...options,
      errors: [
        { code: '101', text: 'PID-3 is required', location: { segment: 'PID', sequence: 1, field: 3 } },
        { code: '999', text: 'Local problem' },
      ],
    });
    expect(ack.split('\r').slice(1)).toEqual([
      'MSA|AE|ORM0001|PID-3 is required|||101^Required field missing^HL70357',
      'ERR|PID^1^3^101&Required field missing&HL70357~^^^999&Local problem&HL70357',
      '',
    ]);
  });

  it('uses the delimiters of the original message and copies its fields', () => {
    const custom = parseMessage('MSH#@!%$#APP@1.2@ISO#FAC###20240101##ORU@R01@ORU_R01#C9#P@T#2.5.1\r');
    const ack = buildAck(custom, 'AR', {
      sendingApplication: 'LB',
      controlId: 'A1',
      timestamp: at,
      text: 'x'.repeat(100),
    });
    expect(ack).toBe(
      `MSH#@!%$#LB##APP@1.2@ISO#FAC#20240315083000+0000##ACK@R01@ACK#A1#P@T#2.5.1\rMSA#AR#C9#${'x'.repeat(80)}\r`,
    );
  });

  it('writes commit acknowledgments (enhanced mode)', () => {
    expect(parseMessage(buildAck(v251, 'CA', options)).get('MSA-1')).toBe('CA');
  });
});

describe('buildRejectForUnparsable', () => {
  it('writes a v2.5.1 AR with one ERR', () => {
    expect(
      buildRejectForUnparsable({
        sendingApplication: 'LIGHTBOX',
        controlId: 'R1',
        code: '100',
        text: 'No MSH segment',
        timestamp: at,
      }),
    ).toBe(
      cr([
        'MSH|^~\\&|LIGHTBOX||||20240315083000+0000||ACK|R1|P|2.5.1',
        'MSA|AR||No MSH segment',
        'ERR|||100^Segment sequence error^HL70357|E||||No MSH segment',
      ]),
    );
  });

  it('fills MSA-2 when the original control id is known', () => {
    const ack = buildRejectForUnparsable({
      sendingApplication: 'LB',
      controlId: 'R2',
      code: '102',
      text: 'bad',
      originalControlId: 'M7',
    });
    expect(parseMessage(ack).get('MSA-2')).toBe('M7');
  });
});

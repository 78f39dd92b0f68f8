import { describe, expect, it } from 'vitest';
import { ackCodeOf, ackIsBad, mayReplay, segmentName, segmentsOf, stateIsBad } from './hl7-format';

describe('HL7 monitor formatting', () => {
  it('splits a message into its segments', () => {
    const raw = 'MSH|^~\\&|EHR|HOSP\rPID|1||P1\r\rOBR|1\r';
    expect(segmentsOf(raw)).toEqual(['MSH|^~\\&|EHR|HOSP', 'PID|1||P1', 'OBR|1']);
    expect(segmentsOf('MSH|a\r\nMSA|AA|1\n')).toEqual(['MSH|a', 'MSA|AA|1']);
    expect(segmentsOf(null)).toEqual([]);
    expect(segmentName('PID|1||P1')).toBe('PID');
  });

  it('reads and judges acknowledgement codes', () => {
    expect(ackCodeOf('MSH|^~\\&|LIGHTBOX\rMSA|AE|C1|bad\rERR|||207')).toBe('AE');
    expect(ackCodeOf('MSH#^~\\&#X\rMSA#AA#C1')).toBe('AA');
    expect(ackCodeOf('')).toBe('');
    expect(ackIsBad('AE')).toBe(true);
    expect(ackIsBad('ar')).toBe(true);
    expect(ackIsBad('CR')).toBe(true);
    expect(ackIsBad('AA')).toBe(false);
    expect(ackIsBad(null)).toBe(false);
  });

  it('replays only received messages that failed or were refused', () => {
    expect(mayReplay({ direction: 'in', state: 'error' })).toBe(true);
    expect(mayReplay({ direction: 'in', state: 'rejected' })).toBe(true);
    expect(mayReplay({ direction: 'in', state: 'processed' })).toBe(false);
    expect(mayReplay({ direction: 'out', state: 'failed' })).toBe(true);
    expect(mayReplay({ direction: 'out', state: 'sent' })).toBe(false);
    expect(stateIsBad('failed')).toBe(true);
    expect(stateIsBad('sent')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { formatHl7Timestamp, parseHl7Timestamp } from './hl7-timestamp.js';

describe('HL7 timestamps', () => {
  it.each([
    ['2024', { date: '2024' }],
    ['202403', { date: '202403' }],
    ['20240315', { date: '20240315' }],
    ['2024031508', { date: '20240315', time: '08' }],
    ['202403150830', { date: '20240315', time: '0830' }],
    ['20240315083000', { date: '20240315', time: '083000' }],
    ['20240315083000.1234', { date: '20240315', time: '083000.1234' }],
    ['20240315083000-0500', { date: '20240315', time: '083000', offset: '-0500' }],
    ['20240315+0100', { date: '20240315', offset: '+0100' }],
  ])('parses %s', (value, parts) => {
    expect(parseHl7Timestamp(value)).toEqual(parts);
  });

  it.each([
    '',
    '24',
    '2024031',
    '20241315',
    '20240132',
    '20240315250000',
    '20240315086000',
    '20240315083000.12345',
    '20240315+05',
    'x2024',
  ])('rejects %j', (value) => {
    expect(parseHl7Timestamp(value)).toBeUndefined();
  });

  it('formats a Date in UTC with +0000', () => {
    expect(formatHl7Timestamp(new Date(Date.UTC(2024, 0, 5, 3, 4, 5, 678)))).toBe('20240105030405+0000');
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeDate, normalizeTime } from './date-time-values.js';

describe('DA and TM values for range matching', () => {
  it('accepts YYYYMMDD and the ACR-NEMA dotted form, and refuses anything else', () => {
    expect(normalizeDate('20240315')).toBe('20240315');
    expect(normalizeDate(' 2024.03.15 ')).toBe('20240315');
    for (const bad of ['2024-03-15', '20241315', '20240300', '240315', '2024031', ''])
      expect(normalizeDate(bad), bad).toBeUndefined();
  });

  it('pads times to HHMMSS.FFFFFF, down or (for upper bounds) up', () => {
    expect(normalizeTime('10')).toBe('100000.000000');
    expect(normalizeTime('10', true)).toBe('105959.999999');
    expect(normalizeTime('1015')).toBe('101500.000000');
    expect(normalizeTime('101530.5')).toBe('101530.500000');
    expect(normalizeTime('101530.5', true)).toBe('101530.599999');
    expect(normalizeTime('10:15:30')).toBe('101530.000000');
    for (const bad of ['25', '1060', 'ab', '10153', '101530.1234567'])
      expect(normalizeTime(bad), bad).toBeUndefined();
  });

  it('orders normalised times as text the way they order in time', () => {
    const times = ['1230', '123000', '12', '0959', '235959.999'].map((t) => normalizeTime(t)!);
    expect([...times].sort()).toEqual([
      normalizeTime('0959'),
      normalizeTime('12'),
      normalizeTime('1230'),
      normalizeTime('123000'),
      normalizeTime('235959.999'),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/app-error.js';
import { parseAttributeMatch } from './attribute-match.js';

describe('parseAttributeMatch (PS3.4 §C.2.2.2)', () => {
  it('universal matching for empty values and a lone *', () => {
    expect(parseAttributeMatch('PN', '', 'PatientName')).toEqual({ kind: 'universal' });
    expect(parseAttributeMatch('LO', '*', 'PatientID')).toEqual({ kind: 'universal' });
  });

  it('date ranges, open ends and single dates', () => {
    expect(parseAttributeMatch('DA', '20240101-20240131', 'StudyDate')).toEqual({
      kind: 'range',
      from: '20240101',
      to: '20240131',
    });
    expect(parseAttributeMatch('DA', '20240101-', 'StudyDate')).toEqual({
      kind: 'range',
      from: '20240101',
      to: undefined,
    });
    expect(parseAttributeMatch('DA', '-20240131', 'StudyDate')).toEqual({
      kind: 'range',
      from: undefined,
      to: '20240131',
    });
    expect(parseAttributeMatch('DA', '20240101', 'StudyDate')).toEqual({
      kind: 'values',
      values: ['20240101'],
    });
  });

  it('a time to lower precision matches the whole span', () => {
    expect(parseAttributeMatch('TM', '10', 'StudyTime')).toEqual({
      kind: 'range',
      from: '100000.000000',
      to: '105959.999999',
    });
    expect(parseAttributeMatch('TM', '1000-1130', 'StudyTime')).toEqual({
      kind: 'range',
      from: '100000.000000',
      to: '113059.999999',
    });
  });

  it('UID lists with backslash or comma; wildcards are not UID matching', () => {
    expect(parseAttributeMatch('UI', '1.2.3,1.2.4\\1.2.5', 'StudyInstanceUID')).toEqual({
      kind: 'values',
      values: ['1.2.3', '1.2.4', '1.2.5'],
    });
    expect(() => parseAttributeMatch('UI', '1.2.*', 'StudyInstanceUID')).toThrow(AppError);
  });

  it('wildcards for text, several values for CS, numbers for IS', () => {
    expect(parseAttributeMatch('PN', 'SMI*', 'PatientName')).toEqual({ kind: 'wildcard', pattern: 'SMI*' });
    expect(parseAttributeMatch('CS', 'CT\\MR', 'ModalitiesInStudy')).toEqual({
      kind: 'values',
      values: ['CT', 'MR'],
    });
    expect(parseAttributeMatch('IS', '12', 'SeriesNumber')).toEqual({ kind: 'number', value: 12 });
  });

  it('rejects malformed values with a 400 naming the parameter', () => {
    for (const [vr, value] of [
      ['DA', '2024-01-01'],
      ['DA', '20241301'],
      ['TM', '2500'],
      ['DA', '-'],
      ['IS', 'twelve'],
    ] as const) {
      try {
        parseAttributeMatch(vr, value, 'Key');
        expect.unreachable(`${vr} ${value}`);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code.http).toBe(400);
        expect((error as AppError).parameter).toBe('Key');
      }
    }
  });
});

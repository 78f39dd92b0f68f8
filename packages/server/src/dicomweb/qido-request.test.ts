import { describe, expect, it } from 'vitest';
import type { AppError } from '../shared/app-error.js';
import { parseQidoRequest } from './qido-request.js';

describe('parseQidoRequest (PS3.18 §8.3.4)', () => {
  it('reads keys by keyword, tag and sequence path, with includefield, fuzzymatching, limit and offset', () => {
    const { query, limitedByServer } = parseQidoRequest(
      'series',
      {
        PatientName: 'DOE*',
        '00080060': 'CT',
        'RequestAttributesSequence.ScheduledProcedureStepID': 'SPS1',
        includefield: ['00081030,SeriesDescription', 'BodyPartExamined'],
        fuzzymatching: 'true',
        limit: '20',
        offset: '40',
      },
      { studyUid: '1.2.3' },
      100,
    );
    expect(query.level).toBe('series');
    expect(query.studyUid).toBe('1.2.3');
    expect(query.filters.map((f) => f.path)).toEqual([[0x00100010], [0x00080060], [0x00400275, 0x00400009]]);
    expect(query.filters[0]!.match).toEqual({ kind: 'wildcard', pattern: 'DOE*' });
    expect(query.includeFields).toEqual([0x00081030, 0x0008103e, 0x00180015]);
    expect(query).toMatchObject({ fuzzy: true, limit: 20, offset: 40 });
    expect(limitedByServer).toBe(false);
  });

  it('caps the limit at the server maximum and says so', () => {
    const { query, limitedByServer } = parseQidoRequest('study', { limit: '5000' }, {}, 1000);
    expect(query.limit).toBe(1000);
    expect(limitedByServer).toBe(true);
    expect(parseQidoRequest('study', {}, {}, 1000).limitedByServer).toBe(true);
    expect(parseQidoRequest('study', { includefield: 'all' }, {}, 1000).query.includeFields).toBe('all');
  });

  it('answers 400 naming the parameter for anything malformed', () => {
    for (const [params, name] of [
      [{ Nonsense: '1' }, 'Nonsense'],
      [{ 'PatientName.PatientID': 'x' }, 'PatientName.PatientID'],
      [{ RequestAttributesSequence: 'x' }, 'RequestAttributesSequence'],
      [{ offset: 'ten' }, 'offset'],
      [{ PatientID: ['a', 'b'] }, 'PatientID'],
      [{ includefield: 'NoSuchThing' }, 'includefield'],
    ] as const) {
      try {
        parseQidoRequest('study', params as Record<string, string | string[]>, {}, 100);
        expect.unreachable(name);
      } catch (error) {
        expect((error as AppError).parameter, name).toBe(name);
        expect((error as AppError).code.http).toBe(400);
      }
    }
  });
});

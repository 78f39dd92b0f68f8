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

  it('returns the sequence an includefield path begins with, and refuses a path through a non-attribute', () => {
    const { query } = parseQidoRequest(
      'study',
      { includefield: '00081032.00080100,ProcedureCodeSequence.CodeMeaning' },
      {},
      1000,
    );
    expect(query.includeFields).toEqual([0x00081032, 0x00081032]);
    expect(() => parseQidoRequest('study', { includefield: '00081032.NoSuchThing' }, {}, 1000)).toThrow(
      /includefield/,
    );
  });

  it('caps the limit at the server maximum and says so', () => {
    const { query, limitedByServer } = parseQidoRequest('study', { limit: '5000' }, {}, 1000);
    expect(query.limit).toBe(1000);
    expect(limitedByServer).toBe(true);
    expect(parseQidoRequest('study', {}, {}, 1000).limitedByServer).toBe(true);
    expect(parseQidoRequest('study', { includefield: 'all' }, {}, 1000).query.includeFields).toBe('all');
  });

  it('ignores a parameter that is not an attribute, and says so (PS3.18 §8.3)', () => {
    const { query, warnings } = parseQidoRequest(
      'study',
      { Nonsense: '1', _: '1700000000', PatientID: 'P1', multiplevaluematching: 'true' },
      {},
      100,
    );
    expect(query.filters.map((f) => f.path)).toEqual([[0x00100020]]);
    expect(warnings).toEqual([
      'The query parameter Nonsense is not supported and was ignored',
      'The query parameter _ is not supported and was ignored',
    ]);
    expect(parseQidoRequest('study', { emptyvaluematching: 'true' }, {}, 100).warnings).toEqual([
      'The emptyvaluematching parameter is not supported. Empty Value Matching has not been performed.',
    ]);
    expect(parseQidoRequest('study', { emptyvaluematching: 'false' }, {}, 100).warnings).toEqual([]);
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`x${i}`, '1']));
    const { warnings: named } = parseQidoRequest('study', many, {}, 100);
    expect(named).toHaveLength(11);
    expect(named[10]).toBe('2 more query parameters were ignored');
  });

  it('answers 400 naming the parameter for anything malformed', () => {
    for (const [params, name] of [
      [{ emptyvaluematching: 'yes' }, 'emptyvaluematching'],
      [{ multiplevaluematching: '1' }, 'multiplevaluematching'],
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

  it('reads orderby: keywords or tags, most significant first, - for descending', () => {
    const orderOf = (orderby: string | string[]) =>
      parseQidoRequest('study', { orderby }, {}, 100).query.orderBy;
    expect(orderOf('PatientName,-StudyDate')).toEqual([
      { attribute: 'PatientName', descending: false },
      { attribute: 'StudyDate', descending: true },
    ]);
    expect(orderOf(['-00100020', ' NumberOfStudyRelatedInstances '])).toEqual([
      { attribute: 'PatientID', descending: true },
      { attribute: 'NumberOfStudyRelatedInstances', descending: false },
    ]);
    // Without orderby (or with an empty one) the query keeps the archive's own order.
    expect(parseQidoRequest('study', {}, {}, 100).query.orderBy).toBeUndefined();
    expect(orderOf('')).toBeUndefined();
    // orderby is no matching key.
    expect(parseQidoRequest('study', { orderby: 'StudyDate' }, {}, 100).query.filters).toEqual([]);
  });

  it('answers 400 naming orderby and the key it cannot sort by', () => {
    for (const [level, orderby, key] of [
      ['study', 'NoSuchThing', 'NoSuchThing'],
      ['study', '-SeriesDescription', 'SeriesDescription'],
      ['study', 'PatientName,00100010', '00100010'],
      ['study', '-', '""'],
      ['series', 'PatientName', 'study'],
    ] as const) {
      try {
        parseQidoRequest(level, { orderby }, {}, 100);
        expect.unreachable(orderby);
      } catch (error) {
        expect((error as AppError).parameter, orderby).toBe('orderby');
        expect((error as AppError).code.http).toBe(400);
        expect((error as AppError).detail, orderby).toContain(key);
      }
    }
  });
});

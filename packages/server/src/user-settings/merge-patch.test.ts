import { describe, expect, it } from 'vitest';
import { applyMergePatch, jsonDepth } from './merge-patch.js';

describe('applyMergePatch (RFC 7396)', () => {
  it('gives the results of the RFC 7396 Appendix A examples', () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['c', 'd'],
      ],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, result] of cases) expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('leaves its arguments unchanged', () => {
    const target = { studyList: { pageSize: 50, sort: { column: 'StudyDate', direction: 'desc' } } };
    const patch = { studyList: { sort: { column: 'PatientName', direction: 'asc' } } };
    const merged = applyMergePatch(target, patch);
    expect(merged).toEqual({
      studyList: { pageSize: 50, sort: { column: 'PatientName', direction: 'asc' } },
    });
    expect(target.studyList.sort.column).toBe('StudyDate');
    expect(patch.studyList.sort.column).toBe('PatientName');
  });

  it('leaves out a __proto__ member, and measures depth without recursion', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;
    const merged = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(merged).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([jsonDepth(1), jsonDepth({}), jsonDepth({ a: [{ b: 1 }] })]).toEqual([0, 1, 3]);
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(jsonDepth(deep)).toBe(100_000);
  });
});

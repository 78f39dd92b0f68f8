import { describe, expect, it } from 'vitest';
import { splitHeaderList } from './split-header-list.js';

describe('splitHeaderList', () => {
  it('splits on commas outside quoted strings and drops empty elements', () => {
    expect(splitHeaderList(' a/b , ,c/d;x="1,2",, e/f;y="\\",",')).toEqual([
      'a/b',
      'c/d;x="1,2"',
      'e/f;y="\\","',
    ]);
    expect(splitHeaderList('')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { isToken } from '../media-type/index.js';
import { createBoundary, isValidBoundary } from './create-boundary.js';

describe('createBoundary', () => {
  it('makes distinct valid boundaries that need no quoting', () => {
    const boundaries = new Set(Array.from({ length: 1000 }, () => createBoundary()));
    expect(boundaries.size).toBe(1000);
    for (const boundary of boundaries) {
      expect(boundary.length).toBeLessThanOrEqual(70);
      expect(isValidBoundary(boundary)).toBe(true);
      expect(isToken(boundary)).toBe(true);
    }
  });
});

describe('isValidBoundary', () => {
  it('follows RFC 2046 §5.1.1', () => {
    expect(isValidBoundary("0aZ'()+_,-./:=? x")).toBe(true);
    expect(isValidBoundary('x'.repeat(70))).toBe(true);
    expect(isValidBoundary('x'.repeat(71))).toBe(false);
    expect(isValidBoundary('')).toBe(false);
    expect(isValidBoundary('trailing ')).toBe(false);
    expect(isValidBoundary('a"b')).toBe(false);
    expect(isValidBoundary('a\r\nb')).toBe(false);
  });
});

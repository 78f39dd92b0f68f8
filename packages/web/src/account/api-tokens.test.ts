import { describe, expect, it } from 'vitest';
import { tokenRequest, tokensBase, tokenState } from './api-tokens';

describe('API tokens', () => {
  it('are active until revoked or expired', () => {
    expect(tokenState({ expiresAt: 2000, revokedAt: null }, 1000)).toBe('active');
    expect(tokenState({ expiresAt: 1000, revokedAt: null }, 1000)).toBe('expired');
    expect(tokenState({ expiresAt: 2000, revokedAt: 500 }, 1000)).toBe('revoked');
    expect(tokenState({ expiresAt: 500, revokedAt: 400 }, 1000)).toBe('revoked');
  });

  it('are asked for with a name, some permissions and 1 to 365 days', () => {
    const form = { name: ' nightly export ', permissions: ['study:read'], expiresInDays: '30' };
    expect(tokenRequest(form)).toEqual({
      request: { name: 'nightly export', permissions: ['study:read'], expiresInDays: 30 },
    });
    expect(tokenRequest({ ...form, name: '  ' })).toEqual({
      problem: 'Give the token a name (what it is for).',
    });
    expect(tokenRequest({ ...form, name: 'x'.repeat(101) })).toEqual({
      problem: 'A name is at most 100 characters.',
    });
    expect(tokenRequest({ ...form, permissions: [] })).toEqual({
      problem: 'Choose at least one permission.',
    });
    for (const days of ['', '0', '366', '1.5', 'ten']) {
      expect(tokenRequest({ ...form, expiresInDays: days })).toEqual({
        problem: 'A token expires after 1 to 365 days.',
      });
    }
    expect(tokenRequest({ ...form, expiresInDays: '365' })).toMatchObject({
      request: { expiresInDays: 365 },
    });
  });

  it('of the caller or of another user', () => {
    expect(tokensBase()).toBe('/api/me/tokens');
    expect(tokensBase('dr.who@x')).toBe('/api/users/dr.who%40x/tokens');
  });
});

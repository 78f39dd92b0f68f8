import { describe, expect, it } from 'vitest';
import { accessListProblem, accessOf, changedAccess, providerIdProblem, valuesOfLines } from './user-access';

describe('a user access list as the administrator types it', () => {
  it('takes one value per line, trimmed, without blanks or repeats', () => {
    expect(valuesOfLines(' NPI-1 \n\nNPI-2^HOSP\r\nNPI-1\n')).toEqual(['NPI-1', 'NPI-2^HOSP']);
    expect(valuesOfLines('')).toEqual([]);
  });

  it('says what the server would refuse', () => {
    expect(providerIdProblem(['NPI-1', 'NPI-2^HOSP'])).toBeUndefined();
    expect(providerIdProblem(['NPI-1^'])).toMatch(/ID\^ISSUER: NPI-1\^/);
    expect(providerIdProblem(['A^B^C'])).toMatch(/ID\^ISSUER/);
    expect(providerIdProblem(['x'.repeat(65)])).toMatch(/at most 64 characters/);
    expect(
      accessListProblem(
        'institution names',
        Array.from({ length: 51 }, (_, i) => `H${i}`),
      ),
    ).toBe('At most 50 institution names.');
  });

  it('gives the access to send, or the first problem', () => {
    expect(
      accessOf({ roles: ['referring-physician'], providerIds: 'NPI-1\nNPI-2^HOSP', institutions: '' }),
    ).toEqual({
      roles: ['referring-physician'],
      providerIds: ['NPI-1', 'NPI-2^HOSP'],
      institutions: [],
    });
    expect(accessOf({ roles: [], providerIds: '^HOSP', institutions: '' })).toMatch(/ID\^ISSUER/);
  });

  it('sends only what changed', () => {
    const before = { roles: ['radiologist', 'admin'], providerIds: ['NPI-1'], institutions: [] };
    expect(changedAccess(before, { ...before, roles: ['admin', 'radiologist'] })).toEqual({});
    expect(changedAccess(before, { ...before, providerIds: ['NPI-2'] })).toEqual({ providerIds: ['NPI-2'] });
    expect(changedAccess(before, { ...before, roles: ['admin'], institutions: ['North'] })).toEqual({
      roles: ['admin'],
      institutions: ['North'],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { identityOf } from './oidc-sign-in.js';

describe('mapping OpenID Connect claims to a Lightbox identity', () => {
  const issuer = 'https://idp.example.org';

  it('grants only the roles the role map names, whatever the provider groups are called', () => {
    const claims = { sub: 'u1', preferred_username: 'jdoe', groups: ['admin', 'pacs-rad', 'radiologist'] };
    expect(identityOf(claims, issuer, { issuer, clientId: 'c', rolesClaim: 'groups' }).roles).toEqual([]);
    expect(
      identityOf(claims, issuer, {
        issuer,
        clientId: 'c',
        rolesClaim: 'groups',
        roleMap: { 'pacs-rad': 'radiologist', admin: 'superuser' },
      }).roles,
    ).toEqual(['radiologist']);
  });

  it('links by issuer and subject, names by the configured claim, and takes provider IDs only when asked', () => {
    const claims = {
      sub: 'abc',
      email: 'j@example.org',
      preferred_username: 'jdoe',
      npi: '123',
      name: 'J Doe',
    };
    expect(identityOf(claims, issuer, { issuer, clientId: 'c', usernameClaim: 'email' })).toEqual({
      subject: `${issuer}#abc`,
      username: 'j@example.org',
      displayName: 'J Doe',
      roles: [],
      providerIds: undefined,
    });
    expect(
      identityOf(claims, issuer, { issuer, clientId: 'c', providerIdsClaim: 'npi' }).providerIds,
    ).toEqual(['123']);
    expect(() => identityOf({ name: 'x' }, issuer, { issuer, clientId: 'c' })).toThrow(/no subject/);
  });
});

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { basicAuth, createUser, TEST_USER_PASSWORD } from '../test-support/test-users.js';

type Json = Record<string, unknown>;

for (const dialect of DIALECTS) {
  describe(`accounts, sessions, API tokens and lockout on ${dialect} (issue #4 §1)`, () => {
    let lb: TestLightbox;
    const api = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
      fetch(`${lb.baseUrl}/api${path}`, init);
    const json = (body: unknown) => ({
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const login = async (username: string, password = TEST_USER_PASSWORD) => {
      const response = await api('/session', { method: 'POST', ...json({ username, password }) });
      return {
        response,
        cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!,
        body: (await response.json()) as Json,
      };
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      await createUser(lb, 'rad', { roles: ['radiologist'] });
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('signs in to a browser session with a hardened cookie and a CSRF token for unsafe requests', async () => {
      const { response, cookie, body } = await login('rad');
      expect(response.status).toBe(201);
      const setCookie = response.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^lightbox_session=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toMatch(/Path=\//);
      expect(body).toMatchObject({ user: { username: 'rad', roles: ['radiologist'] } });
      const csrf = body.csrfToken as string;

      const me = await api('/me', { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as Json).permissions).toEqual([
        'self',
        'study:read',
        'study:write',
        'study:emergency',
        'worklist:read',
      ]);
      // A browser session must echo its CSRF token on unsafe requests; a forged one is refused.
      const noCsrf = await api('/me/tokens', {
        method: 'POST',
        ...json({ name: 'x' }),
        headers: { cookie, 'content-type': 'application/json' },
      });
      expect(noCsrf.status).toBe(403);
      const forged = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'x' }),
        headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': 'A'.repeat(43) },
      });
      expect(forged.status).toBe(403);
      const withCsrf = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'from the browser' }),
        headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
      });
      expect(withCsrf.status).toBe(201);
      // A 401 to a browser session carries no Basic challenge (the browser would open its own dialog).
      const logout = await api('/session', { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
      expect(logout.status).toBe(204);
      const after = await api('/me', { headers: { cookie } });
      expect(after.status).toBe(401);
      expect(after.headers.get('www-authenticate')).toBeNull();
      expect((await api('/me', { headers: { cookie: 'lightbox_session=forged' } })).status).toBe(401);
    });

    it('times an idle session out although the web app keeps polling (automatic logoff)', async () => {
      const { cookie } = await login('rad');
      const { db } = lb.running.services.database;
      const idleSince = Date.now() - 29 * 60_000;
      await db.updateTable('user_session').set({ last_seen_at: idleSince }).execute();
      // The app's own polls answer, but do not count as the user's activity.
      expect((await api('/notifications', { headers: { cookie } })).status).toBe(200);
      expect((await api('/emergency-access', { headers: { cookie } })).status).toBe(404);
      // Nor does any request the app marks as its own (a worklist refreshing while the user is away).
      const refresh = await api('/me', { headers: { cookie, 'x-lightbox-background': '1' } });
      expect(refresh.status).toBe(200);
      const rows = await db.selectFrom('user_session').select('last_seen_at').execute();
      expect(rows.map((row) => Number(row.last_seen_at))).toEqual(rows.map(() => idleSince));
      // 31 minutes without the user: the session is over.
      await db
        .updateTable('user_session')
        .set({ last_seen_at: Date.now() - 31 * 60_000 })
        .execute();
      expect((await api('/me', { headers: { cookie } })).status).toBe(401);
    });

    it("refuses to give a person's account the role of a DICOM node", async () => {
      const response = await api('/users/not-a-node', {
        method: 'PUT',
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'a-long-enough-password-1', roles: ['dicom-node'] }),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('roles');
    });

    it('records sign-in, sign-out and the forged CSRF token in the audit trail', async () => {
      const events = (await (
        await api('/audit-events?user=rad', { headers: { authorization: lb.authorization } })
      ).json()) as Json[];
      const seen = events.map((e) => `${e.eventId}/${e.eventType}/${e.outcome}`);
      expect(seen).toContain('110114/110122/success');
      expect(seen).toContain('110114/110123/success');
      expect(seen).toContain('110113/110144/failure');
    });

    it('issues scoped, expiring, revocable API tokens that work as Bearer credentials', async () => {
      const issued = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'script', permissions: ['study:read'], expiresInDays: 30 }),
        headers: { authorization: basicAuth('rad'), 'content-type': 'application/json' },
      });
      expect(issued.status).toBe(201);
      const token = (await issued.json()) as { token: string; id: number; prefix: string; expiresAt: number };
      expect(token.token).toMatch(/^lbx_[A-Za-z0-9_-]{43}$/);
      expect(token.token.startsWith(token.prefix)).toBe(true);
      const bearer = { authorization: `Bearer ${token.token}` };
      expect((await fetch(`${lb.dicomweb}/studies`, { headers: bearer })).status).toBe(200);
      // The token is limited to study:read: STOW (study:write) and its own account (self) are refused.
      expect((await fetch(`${lb.dicomweb}/studies`, { method: 'POST', headers: bearer })).status).toBe(403);
      expect((await api('/me', { headers: bearer })).status).toBe(403);
      // The list never shows the secret.
      const list = (await (
        await api('/me/tokens', { headers: { authorization: basicAuth('rad') } })
      ).json()) as Json[];
      expect(JSON.stringify(list)).not.toContain(token.token);
      // A token cannot grant what the user lacks, nor live longer than a year.
      const tooMuch = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'x', permissions: ['admin'] }),
        headers: { authorization: basicAuth('rad'), 'content-type': 'application/json' },
      });
      expect(tooMuch.status).toBe(400);
      const tooLong = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'x', expiresInDays: 400 }),
        headers: { authorization: basicAuth('rad'), 'content-type': 'application/json' },
      });
      expect(tooLong.status).toBe(400);
      // Revoked: refused at once.
      const revoke = await api(`/me/tokens/${token.id}`, {
        method: 'DELETE',
        headers: { authorization: basicAuth('rad') },
      });
      expect(revoke.status).toBe(204);
      expect((await fetch(`${lb.dicomweb}/studies`, { headers: bearer })).status).toBe(401);
      expect(
        (await fetch(`${lb.dicomweb}/studies`, { headers: { authorization: 'Bearer lbx_garbage' } })).status,
      ).toBe(401);
      expect((await fetch(`${lb.dicomweb}/studies`, { headers: { authorization: 'Bearer' } })).status).toBe(
        401,
      );
    });

    it('lets a narrowed token issue no broader token, and refuses cross-site use of ambient credentials', async () => {
      const narrow = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'narrow', permissions: ['self'] }),
        headers: { authorization: basicAuth('rad'), 'content-type': 'application/json' },
      });
      const token = ((await narrow.json()) as { token: string }).token;
      const escalate = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'wider' }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(escalate.status).toBe(201);
      expect(((await escalate.json()) as { permissions: string[] }).permissions).toEqual(['self']);
      const explicit = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'wider', permissions: ['study:read'] }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(explicit.status).toBe(400);
      // A form or script on another site cannot use the browser's Basic credentials or cookie…
      const forged = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'x' }),
        headers: {
          authorization: basicAuth('rad'),
          'content-type': 'application/json',
          origin: 'https://evil.example',
        },
      });
      expect(forged.status).toBe(403);
      const fetchMetadata = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'x' }),
        headers: {
          authorization: basicAuth('rad'),
          'content-type': 'application/json',
          'sec-fetch-site': 'cross-site',
        },
      });
      expect(fetchMetadata.status).toBe(403);
      const login = await api('/session', {
        method: 'POST',
        body: JSON.stringify({ username: 'rad', password: TEST_USER_PASSWORD }),
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      });
      expect(login.status).toBe(403);
      // …but a Bearer token is never sent by a browser on its own: another origin may use it.
      const bearer = await api('/me/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'from a viewer elsewhere', permissions: ['self'] }),
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          origin: 'https://viewer.example',
        },
      });
      expect(bearer.status).toBe(201);
    });

    it('takes the public URL as its own site behind a reverse proxy that passes its own Host', async () => {
      const proxied = await startTestLightbox(dialect, { LIGHTBOX_PUBLIC_URL: 'https://pacs.example.org/' });
      try {
        await createUser(proxied, 'proxied', { roles: ['radiologist'] });
        const signIn = (origin: string) =>
          fetch(`${proxied.baseUrl}/api/session`, {
            method: 'POST',
            body: JSON.stringify({ username: 'proxied', password: TEST_USER_PASSWORD }),
            headers: { 'content-type': 'application/json', origin },
          });
        // The browser's Origin is the public one; the Host Lightbox sees is its own address.
        expect((await signIn('https://pacs.example.org')).status).toBe(201);
        expect((await signIn('https://evil.example')).status).toBe(403);
        expect((await signIn('http://pacs.example.org')).status).toBe(403);
        const basicFromPublicSite = await fetch(`${proxied.baseUrl}/api/me/tokens`, {
          method: 'POST',
          body: JSON.stringify({ name: 'x', permissions: ['self'] }),
          headers: {
            authorization: basicAuth('proxied'),
            'content-type': 'application/json',
            origin: 'https://pacs.example.org',
          },
        });
        expect(basicFromPublicSite.status).toBe(201);
      } finally {
        await proxied.stop();
      }
    });

    it('counts password guesses sent in parallel like guesses sent one after another', async () => {
      await createUser(lb, 'parallel', { roles: ['radiologist'] });
      // From another loopback address, so that this burst has a failure count of its own.
      const guess = (password: string) =>
        new Promise<number>((resolve, reject) => {
          const request = http.get(
            `${lb.baseUrl}/api/me`,
            { localAddress: '127.0.0.2', headers: { authorization: basicAuth('parallel', password) } },
            (response) => {
              response.resume();
              resolve(response.statusCode ?? 0);
            },
          );
          request.on('error', reject);
        });
      const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => guess(`guess-${i}`)));
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      // Every guess that was checked counted towards the lockout, however many ran at once.
      const checked = statuses.filter((s) => s === 401).length;
      for (let i = checked; i < 5; i++) expect(await guess(`more-${i}`)).toBe(401);
      const profile = (await (
        await api('/users/parallel', { headers: { authorization: lb.authorization } })
      ).json()) as Json;
      expect(profile.locked).toBe(true);
    });

    it('expires tokens, and a disabled user loses tokens and sessions', async () => {
      await createUser(lb, 'tech', { roles: ['technologist'] });
      const short = await api('/users/tech/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'short', expiresInDays: 1 / 86_400 }),
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
      });
      expect(short.status).toBe(201);
      const shortToken = ((await short.json()) as { token: string }).token;
      const long = await api('/users/tech/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'long' }),
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
      });
      const longToken = ((await long.json()) as { token: string }).token;
      const { cookie } = await login('tech');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await api('/me', { headers: { authorization: `Bearer ${shortToken}` } })).status).toBe(401);
      expect((await api('/me', { headers: { authorization: `Bearer ${longToken}` } })).status).toBe(200);
      expect(
        (await api('/users/tech', { method: 'DELETE', headers: { authorization: lb.authorization } })).status,
      ).toBe(204);
      expect((await api('/me', { headers: { authorization: `Bearer ${longToken}` } })).status).toBe(401);
      expect((await api('/me', { headers: { cookie } })).status).toBe(401);
      expect((await api('/me', { headers: { authorization: basicAuth('tech') } })).status).toBe(401);
      const profile = (await (
        await api('/users/tech', { headers: { authorization: lb.authorization } })
      ).json()) as Json;
      expect(profile).toMatchObject({ username: 'tech', disabled: true });
      expect(profile).not.toHaveProperty('passwordHash');
    });

    it('enforces the password policy and lets users change their own password', async () => {
      const weak = await api('/users/weak', {
        method: 'PUT',
        body: JSON.stringify({ password: 'short', roles: ['scheduler'] }),
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
      });
      expect(weak.status).toBe(400);
      expect(((await weak.json()) as Json).parameter).toBe('password');
      const unknownRole = await api('/users/x', {
        method: 'PUT',
        body: JSON.stringify({ password: TEST_USER_PASSWORD, roles: ['superuser'] }),
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
      });
      expect(unknownRole.status).toBe(400);
      await createUser(lb, 'sched', { roles: ['scheduler'] });
      const wrongCurrent = await api('/me/password', {
        method: 'PUT',
        body: JSON.stringify({ currentPassword: 'nope-nope-nope', newPassword: 'another-long-passphrase' }),
        headers: { authorization: basicAuth('sched'), 'content-type': 'application/json' },
      });
      expect(wrongCurrent.status).toBe(403);
      const changed = await api('/me/password', {
        method: 'PUT',
        body: JSON.stringify({ currentPassword: TEST_USER_PASSWORD, newPassword: 'another-long-passphrase' }),
        headers: { authorization: basicAuth('sched'), 'content-type': 'application/json' },
      });
      expect(changed.status).toBe(204);
      expect((await api('/me', { headers: { authorization: basicAuth('sched') } })).status).toBe(401);
      expect(
        (await api('/me', { headers: { authorization: basicAuth('sched', 'another-long-passphrase') } }))
          .status,
      ).toBe(200);
    });

    it('locks an account after five wrong passwords, until an administrator sets a new one', async () => {
      await createUser(lb, 'victim', { roles: ['radiologist'] });
      for (let i = 0; i < 5; i++) {
        expect(
          (await api('/me', { headers: { authorization: basicAuth('victim', `wrong-${i}`) } })).status,
        ).toBe(401);
      }
      // The right password no longer opens it, and the answer reveals nothing more than a wrong one.
      const locked = await api('/me', { headers: { authorization: basicAuth('victim') } });
      expect(locked.status).toBe(401);
      expect(((await locked.json()) as Json).detail).toBe('valid credentials are required');
      expect((await login('victim')).response.status).toBe(401);
      const alerts = (await (
        await api('/audit-events?user=victim&eventId=110113', {
          headers: { authorization: lb.authorization },
        })
      ).json()) as Json[];
      expect(alerts.some((e) => String(e.detail).includes('account locked until'))).toBe(true);
      const profile = (await (
        await api('/users/victim', { headers: { authorization: lb.authorization } })
      ).json()) as Json;
      expect(profile.locked).toBe(true);
      await createUser(lb, 'victim', { roles: ['radiologist'], password: 'a-fresh-long-passphrase' });
      expect(
        (await api('/me', { headers: { authorization: basicAuth('victim', 'a-fresh-long-passphrase') } }))
          .status,
      ).toBe(200);
    });

    it('answers malformed credentials, cookies and IDs with 4xx, never a server error', async () => {
      const headers: Record<string, string>[] = [
        { authorization: 'Basic' },
        { authorization: 'Basic !!!' },
        { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
        { authorization: `Basic ${Buffer.from(':empty-user').toString('base64')}` },
        { authorization: `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x00]).toString('base64')}` },
        { authorization: `Bearer ${'x'.repeat(10_000)}` },
        { authorization: 'Bearer lbx_' },
        { authorization: 'Negotiate YIIB' },
        { cookie: 'lightbox_session=%ff%fe' },
        { cookie: `lightbox_session=${'A'.repeat(5000)}` },
        { cookie: 'lightbox_session' },
      ];
      for (const header of headers) {
        const response = await api('/me', { headers: header });
        expect(response.status, JSON.stringify(header).slice(0, 80)).toBeGreaterThanOrEqual(400);
        expect(response.status, JSON.stringify(header).slice(0, 80)).toBeLessThan(500);
      }
      const badId = await api('/me/tokens/not-a-number', {
        method: 'DELETE',
        headers: { authorization: lb.authorization },
      });
      expect(badId.status).toBe(400);
    });

    it('answers 429 with Retry-After once an address has failed too often', async () => {
      let status = 0;
      let retryAfter: string | null = null;
      for (let i = 0; i < 25 && status !== 429; i++) {
        const response = await api('/me', {
          headers: { authorization: basicAuth(`nobody-${i}`, 'wrong-password') },
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
      }
      expect(status).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // Valid credentials already verified still work (they never reach the password check again)…
      expect((await api('/me', { headers: { authorization: lb.authorization } })).status).toBe(200);
    });
  });
}

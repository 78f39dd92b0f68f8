import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { basicAuth, createUser, TEST_USER_PASSWORD } from '../test-support/test-users.js';

type Json = Record<string, unknown>;

const DEFAULTS = {
  studyList: { defaultDateRange: 'any', defaultModalities: [], pageSize: 50 },
  viewer: { windowPresets: {} },
  display: { dateFormat: 'iso' },
};

/** A complete v1 document, every value different from the defaults. */
const READING_ROOM = {
  studyList: { defaultDateRange: 'today', defaultModalities: ['CT', 'MR'], pageSize: 100 },
  viewer: {
    windowPresets: {
      CT: [
        { name: 'Temporal bone', center: 700, width: 4000 },
        { name: 'Subdural', center: 75, width: 215 },
      ],
      PT: [{ name: 'SUV 0–10', center: 5, width: 10 }],
    },
  },
  display: { dateFormat: 'locale' },
};

for (const dialect of DIALECTS) {
  describe(`a user's own settings on ${dialect} (issue #5 §1)`, () => {
    let lb: TestLightbox;
    const settings = (authorization: string, init: { method?: string; body?: unknown; raw?: string } = {}) =>
      fetch(`${lb.baseUrl}/api/me/settings`, {
        method: init.method ?? 'GET',
        headers: {
          authorization,
          ...(init.body !== undefined || init.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.raw !== undefined ? { body: init.raw } : {}),
      });
    const put = (authorization: string, body: unknown) => settings(authorization, { method: 'PUT', body });

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      await createUser(lb, 'reader', { roles: ['radiologist'] });
      await createUser(lb, 'tech', { roles: ['technologist'] });
      await createUser(lb, 'officer', { roles: ['security-officer'] });
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('answers the defaults to a user who never saved any', async () => {
      const response = await settings(basicAuth('officer'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toEqual(DEFAULTS);
    });

    it('keeps a saved document and answers it on the next read, through a browser session too', async () => {
      const saved = await put(basicAuth('reader'), READING_ROOM);
      expect(saved.status).toBe(200);
      expect(await saved.json()).toEqual(READING_ROOM);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);

      // Another workstation: a browser session of the same user reads the same settings.
      const login = await fetch(`${lb.baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'reader', password: TEST_USER_PASSWORD }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const read = await fetch(`${lb.baseUrl}/api/me/settings`, { headers: { cookie } });
      expect(await read.json()).toEqual(READING_ROOM);
      // Saving from the browser needs the session's CSRF token, like every unsafe request.
      const changed = { ...READING_ROOM, display: { dateFormat: 'iso' } };
      const request = (headers: Record<string, string>) =>
        fetch(`${lb.baseUrl}/api/me/settings`, {
          method: 'PUT',
          headers: { cookie, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(changed),
        });
      expect((await request({})).status).toBe(403);
      expect((await request({ 'x-csrf-token': csrfToken })).status).toBe(200);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(changed);
    });

    it('replaces the whole document: what a save leaves out is the default again', async () => {
      await put(basicAuth('tech'), READING_ROOM);
      const partial = await put(basicAuth('tech'), { studyList: { pageSize: 25 } });
      expect(partial.status).toBe(200);
      const expected = { ...DEFAULTS, studyList: { ...DEFAULTS.studyList, pageSize: 25 } };
      expect(await partial.json()).toEqual(expected);
      expect(await (await settings(basicAuth('tech'))).json()).toEqual(expected);
      expect((await put(basicAuth('tech'), {})).status).toBe(200);
      expect(await (await settings(basicAuth('tech'))).json()).toEqual(DEFAULTS);
    });

    it("keeps each user's settings apart: one user's save changes nobody else's", async () => {
      await createUser(lb, 'other-reader', { roles: ['radiologist'] });
      await put(basicAuth('other-reader'), { display: { dateFormat: 'locale' } });
      await put(basicAuth('reader'), READING_ROOM);
      expect(await (await settings(basicAuth('other-reader'))).json()).toEqual({
        ...DEFAULTS,
        display: { dateFormat: 'locale' },
      });
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);
      // Nor does an administrator's: their own settings are theirs too.
      expect(await (await settings(lb.authorization)).json()).toEqual(DEFAULTS);
    });

    it('refuses a document that is not v1 settings with 400 problem+json, and keeps what was saved', async () => {
      const presets = (list: unknown) => ({ viewer: { windowPresets: { CT: list } } });
      const preset = { name: 'Lung', center: -600, width: 1500 };
      const bad: [string, unknown][] = [
        ['an array', []],
        ['a key of a later version', { ...READING_ROOM, hangingProtocols: {} }],
        ['an unknown key in a section', { studyList: { defaultDateRange: 'today', sortOrder: 'name' } }],
        ['an unknown date range', { studyList: { defaultDateRange: 'yesterday' } }],
        ['a page size not offered', { studyList: { pageSize: 40 } }],
        ['a page size as text', { studyList: { pageSize: '50' } }],
        ['a modality that is no code', { studyList: { defaultModalities: ['ct scan'] } }],
        ['a modality twice', { studyList: { defaultModalities: ['CT', 'CT'] } }],
        ['an unknown date format', { display: { dateFormat: 'us' } }],
        ['presets of no modality code', { viewer: { windowPresets: { 'c t': [preset] } } }],
        ['a width of 0', presets([{ ...preset, width: 0 }])],
        ['a negative width', presets([{ ...preset, width: -10 }])],
        ['a name of 33 characters', presets([{ ...preset, name: 'x'.repeat(33) }])],
        ['a blank name', presets([{ ...preset, name: '  ' }])],
        ['a preset without a centre', presets([{ name: 'Lung', width: 1500 }])],
        ['a preset with a key of its own', presets([{ ...preset, key: '8' }])],
        ['21 presets', presets(Array.from({ length: 21 }, (_, n) => ({ ...preset, name: `W${n}` })))],
        ['two presets of the same name', presets([preset, { ...preset, name: 'lung', center: -500 }])],
      ];
      for (const [what, body] of bad) {
        const response = await put(basicAuth('reader'), body);
        expect(response.status, what).toBe(400);
        expect(response.headers.get('content-type'), what).toContain('application/problem+json');
        expect(((await response.json()) as Json).detail, what).toEqual(expect.any(String));
      }
      for (const raw of ['not json', '']) {
        const response = await settings(basicAuth('reader'), { method: 'PUT', raw });
        expect(response.status, raw).toBe(400);
      }
      // 20 presets of a modality are allowed, the bounds are not off by one.
      const twenty = presets(Array.from({ length: 20 }, (_, n) => ({ ...preset, name: `W${n}` })));
      expect((await put(basicAuth('tech'), twenty)).status).toBe(200);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);
    });

    it('answers 401 without credentials, and 403 to a token without the self permission', async () => {
      const anonymous = await fetch(`${lb.baseUrl}/api/me/settings`);
      expect(anonymous.status).toBe(401);
      const anonymousPut = await fetch(`${lb.baseUrl}/api/me/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(READING_ROOM),
      });
      expect(anonymousPut.status).toBe(401);
      expect(anonymousPut.headers.get('content-type')).toContain('application/problem+json');
      const issued = await fetch(`${lb.baseUrl}/api/me/tokens`, {
        method: 'POST',
        headers: { authorization: basicAuth('reader'), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'reads studies', permissions: ['study:read'] }),
      });
      const { token } = (await issued.json()) as { token: string };
      expect((await settings(`Bearer ${token}`)).status).toBe(403);
      expect((await put(`Bearer ${token}`, {})).status).toBe(403);
      expect(await (await settings(basicAuth('reader'))).json()).toEqual(READING_ROOM);
    });
  });
}

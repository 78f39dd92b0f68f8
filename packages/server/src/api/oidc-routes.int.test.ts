import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/free-port.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

/** A browser's cookie jar, per host, good enough for one sign-in. */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map<string, string>())]
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookies ? { cookie: cookies } : {}) },
    });
    const jar = this.jar.get(host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.jar.set(host, jar);
    return response;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  /**
   * Follows redirects and fills the provider's sign-in and consent forms, until the browser is sent to
   * `stopAt`; returns that last response.
   */
  async signIn(start: string, stopAt: string, login: string): Promise<Response> {
    let response = await this.request(start);
    for (let step = 0; step < 20; step++) {
      const location = response.headers.get('location');
      if (location !== null) {
        const next = new URL(location, response.url || start).href;
        response = await this.request(next);
        if (next.startsWith(stopAt)) return response;
        continue;
      }
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (action === undefined)
        throw new Error(`no form at step ${step}: ${response.status} ${html.slice(0, 200)}`);
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1] ?? 'login';
      const form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
      response = await this.request(new URL(action, response.url).href, {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    }
    throw new Error('the sign-in did not come back');
  }
}

const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'dr-oidc': {
    preferred_username: 'dr-oidc',
    name: 'Dr O. Idc',
    groups: ['pacs-radiologists', 'canteen'],
    npi: ['NPI-9'],
  },
  clash: { preferred_username: 'local-person', groups: ['pacs-radiologists'] },
};

for (const dialect of DIALECTS) {
  describe(`sign-in through OpenID Connect on ${dialect} (issue #4 §1)`, () => {
    let lb: TestLightbox;
    let idp: Server;
    let dir: string;
    let issuer: string;

    beforeAll(async () => {
      const [idpPort, lbPort] = [await freePort(), await freePort()];
      issuer = `http://127.0.0.1:${idpPort}`;
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: 'lightbox',
            client_secret: 'lightbox-secret',
            redirect_uris: [`http://127.0.0.1:${lbPort}/api/oidc/callback`],
            post_logout_redirect_uris: [`http://127.0.0.1:${lbPort}/`],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        findAccount: (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: () => ({ sub, ...(ACCOUNTS[sub] ?? {}) }),
        }),
        claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'groups', 'npi'] },
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: true } },
      });
      idp = createServer(provider.callback());
      await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-oidc-'));
      const config = path.join(dir, 'lightbox.json');
      await writeFile(
        config,
        JSON.stringify({
          oidc: {
            issuer,
            clientId: 'lightbox',
            clientSecret: 'lightbox-secret',
            rolesClaim: 'groups',
            roleMap: { 'pacs-radiologists': 'radiologist' },
            providerIdsClaim: 'npi',
            redirectUri: `http://127.0.0.1:${lbPort}/api/oidc/callback`,
          },
        }),
      );
      lb = await startTestLightbox(dialect, { LIGHTBOX_CONFIG: config, LIGHTBOX_HTTP_PORT: String(lbPort) });
    });
    afterAll(async () => {
      await lb?.stop();
      await new Promise((resolve) => idp?.close(resolve));
      await rm(dir, { recursive: true, force: true });
    });

    it('signs a user in through the provider, creating the user with the mapped roles, into a browser session', async () => {
      const browser = new Browser();
      const back = await browser.signIn(
        `${lb.baseUrl}/api/oidc/login`,
        `${lb.baseUrl}/api/oidc/callback`,
        'dr-oidc',
      );
      expect(back.status).toBe(302);
      expect(back.headers.get('location')).toBe('/');
      const host = new URL(lb.baseUrl).host;
      expect(browser.cookie(host, 'lightbox_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const me = await browser.request(`${lb.baseUrl}/api/me`);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        username: 'dr-oidc',
        displayName: 'Dr O. Idc',
        roles: ['radiologist'],
        providerIds: ['NPI-9'],
        signIn: 'openid-connect',
      });
      // The federated user has no password that works.
      const basic = await fetch(`${lb.baseUrl}/api/me`, {
        headers: { authorization: `Basic ${Buffer.from('dr-oidc:!federated').toString('base64')}` },
      });
      expect(basic.status).toBe(401);
      const trail = (await (
        await fetch(`${lb.baseUrl}/api/audit-events?user=dr-oidc&eventId=110114`, {
          headers: { authorization: lb.authorization },
        })
      ).json()) as { detail: string; outcome: string }[];
      expect(trail.some((e) => e.outcome === 'success' && e.detail.startsWith('OpenID Connect'))).toBe(true);

      // Signing out of Lightbox sends the browser to the provider to sign out there too (RP-initiated
      // logout), with the ID token as hint; the provider accepts the request and comes back to the app.
      const { csrfToken } = (await (await browser.request(`${lb.baseUrl}/api/session`)).json()) as {
        csrfToken: string;
      };
      const signOut = await browser.request(`${lb.baseUrl}/api/session`, {
        method: 'DELETE',
        headers: { 'x-csrf-token': csrfToken },
      });
      expect(signOut.status).toBe(200);
      const logoutUrl = new URL(((await signOut.json()) as { logoutUrl: string }).logoutUrl);
      expect(logoutUrl.origin).toBe(issuer);
      expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(`${lb.baseUrl}/`);
      expect(logoutUrl.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(browser.cookie(host, 'lightbox_oidc_logout')).toBeUndefined();
      expect((await browser.request(`${lb.baseUrl}/api/me`)).status).toBe(401);
      const atProvider = await browser.request(logoutUrl.href);
      expect(atProvider.status).toBe(200); // the provider's "sign out?" page, not an error
      const form = await atProvider.text();
      expect(form).toMatch(/<form[^>]*method="post"/i);
    });

    it('never takes over a local account of the same name', async () => {
      await createUser(lb, 'local-person', { roles: ['scheduler'] });
      const browser = new Browser();
      const back = await browser.signIn(
        `${lb.baseUrl}/api/oidc/login`,
        `${lb.baseUrl}/api/oidc/callback`,
        'clash',
      );
      expect(back.status).toBe(409);
      expect(browser.cookie(new URL(lb.baseUrl).host, 'lightbox_session')).toBeUndefined();
    });

    it('refuses a callback that did not start here, or whose state was changed', async () => {
      const forged = await fetch(
        `${lb.baseUrl}/api/oidc/callback?code=abc&state=xyz&iss=${encodeURIComponent(issuer)}`,
        { redirect: 'manual' },
      );
      expect(forged.status).toBe(401);
      const browser = new Browser();
      const login = await browser.request(`${lb.baseUrl}/api/oidc/login`);
      const to = new URL(login.headers.get('location')!);
      expect(to.searchParams.get('code_challenge_method')).toBe('S256');
      const wrongState = await browser.request(
        `${lb.baseUrl}/api/oidc/callback?code=abc&state=not-the-state&iss=${encodeURIComponent(issuer)}`,
      );
      expect(wrongState.status).toBe(401);
    });
  });
}

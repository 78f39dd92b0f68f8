import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../test-support/test-certificates.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_ADMIN_PASSWORD, type TestLightbox } from '../test-support/test-lightbox.js';

for (const dialect of DIALECTS) {
  describe(`HTTPS and security headers on ${dialect} (issue #4 §4)`, () => {
    let lb: TestLightbox;
    let plain: TestLightbox;
    let dir: string;
    let server: { key: string; cert: string };
    let client: { key: string; cert: string };
    let stranger: { key: string; cert: string };

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-https-'));
      server = await selfSigned(dir, 'server', '/CN=localhost');
      client = await selfSigned(dir, 'client', '/CN=workstation');
      stranger = await selfSigned(dir, 'stranger', '/CN=stranger');
      lb = await startTestLightbox(dialect, {
        LIGHTBOX_TLS_CERT: server.cert,
        LIGHTBOX_TLS_KEY: server.key,
        LIGHTBOX_TLS_CA: client.cert,
        LIGHTBOX_DICOM_TLS_PORT: '0',
      });
      plain = await startTestLightbox(dialect);
    });
    afterAll(async () => {
      await lb?.stop();
      await plain?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('serves HTTPS on the HTTP port with HSTS, and nothing in clear text', async () => {
      expect(lb.baseUrl).toMatch(/^https:/);
      const response = await lb.fetch(`${lb.dicomweb}/studies`, {
        headers: { authorization: lb.authorization },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
      const clear = await fetch(lb.baseUrl.replace('https:', 'http:') + '/api/health').then(
        (r) => r.status,
        () => 'refused',
      );
      expect(clear).not.toBe(200);
    });

    it('marks the session cookie Secure under HTTPS', async () => {
      const response = await lb.fetch(`${lb.baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    });

    it('accepts a client certificate from the configured CA and refuses one from elsewhere', async () => {
      const ca = await readFile(server.cert);
      const withIdentity = async (identity: { key: string; cert: string }) => {
        const dispatcher = new Agent({
          connect: { ca, key: await readFile(identity.key), cert: await readFile(identity.cert) },
        });
        try {
          const response = await undiciFetch(`${lb.baseUrl}/api/me`, {
            headers: { authorization: lb.authorization },
            dispatcher,
          });
          return response.status;
        } finally {
          await dispatcher.close();
        }
      };
      expect(await withIdentity(client)).toBe(200);
      expect(await withIdentity(stranger)).toBe(401);
    });

    it('sends the security headers on every response, plain HTTP included, without HSTS there', async () => {
      const response = await fetch(`${plain.baseUrl}/api/health`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('strict-transport-security')).toBeNull();
    });

    it('keeps what a signed-in user is answered out of caches (no-store), errors included', async () => {
      const headers = { authorization: plain.authorization };
      for (const url of [
        `${plain.dicomweb}/studies`,
        `${plain.baseUrl}/api/me`,
        `${plain.dicomweb}/studies/1.2.3/metadata`,
      ]) {
        const response = await fetch(url, { headers });
        expect(response.headers.get('cache-control'), url).toBe('no-store');
        await response.arrayBuffer();
      }
    });
  });
}

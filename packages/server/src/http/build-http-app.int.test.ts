import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { httpAppDepsOf } from '../test-support/http-app-deps.js';
import { buildHttpApp } from './build-http-app.js';

describe('the HTTP application', () => {
  let lb: TestLightbox;
  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
  });
  afterAll(async () => {
    await lb?.stop();
  });

  it('refuses to register a route that declares no permission (DESIGN §2)', async () => {
    const app = await buildHttpApp(httpAppDepsOf(lb));
    expect(() => app.get('/api/undeclared', async () => 'x')).toThrow(/declares no permission/);
    await app.close();
  });

  it('answers unknown paths with 404 problem+json without leaking anything', async () => {
    const response = await fetch(`${lb.baseUrl}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('reports readiness on /api/health without authentication', async () => {
    const response = await fetch(`${lb.baseUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true, status: 'ok', database: 'sqlite' });
  });

  it('documents the JSON API with OpenAPI at /api/docs, for signed-in users only', async () => {
    expect((await fetch(`${lb.baseUrl}/api/docs`)).status).toBe(401);
    const response = await fetch(`${lb.baseUrl}/api/docs`, { headers: { authorization: lb.authorization } });
    expect(response.status).toBe(200);
    const spec = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/users/{username}',
        '/api/me/tokens',
        '/api/audit-events',
        '/api/dicom-nodes/{name}',
      ]),
    );
    expect(Object.keys(spec.paths).some((p) => p.startsWith('/dicomweb'))).toBe(false);
    expect(spec.paths['/api/users/{username}']).toHaveProperty('put');
  });

  it('believes X-Forwarded-For only from the configured proxies', async () => {
    const events = async (server: TestLightbox, user: string) => {
      await server.running.services.audit.flush();
      const response = await fetch(`${server.baseUrl}/api/audit-events?user=${user}`, {
        headers: { authorization: server.authorization },
      });
      return ((await response.json()) as { address: string }[]).map((e) => e.address);
    };
    const attempt = (server: TestLightbox, user: string) =>
      fetch(`${server.baseUrl}/api/me`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${user}:wrong-password`).toString('base64')}`,
          'x-forwarded-for': '203.0.113.9',
        },
      });
    // Not configured: the header is anyone's to forge and is ignored.
    await attempt(lb, 'forger');
    expect(await events(lb, 'forger')).toEqual(['127.0.0.1']);
    const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-proxy-'));
    const config = path.join(dir, 'lightbox.json');
    await writeFile(config, JSON.stringify({ trustProxy: '127.0.0.1' }));
    const behindProxy = await startTestLightbox('sqlite', { LIGHTBOX_CONFIG: config });
    try {
      await attempt(behindProxy, 'proxied');
      expect(await events(behindProxy, 'proxied')).toEqual(['203.0.113.9']);
    } finally {
      await behindProxy.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

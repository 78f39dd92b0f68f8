import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../http/build-http-app.js';
import { httpAppDepsOf } from '../test-support/http-app-deps.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

describe('the web app at / (runtime contract)', () => {
  let lb: TestLightbox;
  let webAppDir: string;
  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
    webAppDir = await mkdtemp(path.join(tmpdir(), 'lightbox-web-'));
    await mkdir(path.join(webAppDir, 'assets'));
    await writeFile(path.join(webAppDir, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(path.join(webAppDir, 'assets', 'index-abc123.js'), 'console.log("app");'.repeat(100));
  });
  afterAll(async () => {
    await lb?.stop();
    await rm(webAppDir, { recursive: true, force: true });
  });

  async function appWith(dir: string) {
    return buildHttpApp(httpAppDepsOf(lb, { webAppDir: dir }));
  }

  it('serves the pages without credentials, revalidated, and the hashed assets cached for a year, gzipped', async () => {
    const app = await appWith(webAppDir);
    for (const page of ['/', '/viewer?StudyInstanceUIDs=1.2.3', '/login']) {
      const response = await app.inject({ url: page });
      expect(response.statusCode, page).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<title>app</title>');
    }
    const asset = await app.inject({
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(asset.rawPayload).toString()).toBe('console.log("app");'.repeat(100));
    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    await app.close();
  });

  it('serves nothing outside the build: traversal and unknown assets are 404', async () => {
    const app = await appWith(webAppDir);
    for (const url of [
      '/assets/..%2f..%2fpackage.json',
      '/assets/.hidden',
      '/assets/missing.js',
      '/assets/a%2f..%2f..%2findex.html',
    ]) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
    await app.close();
  });

  it('says how to build the app when it is not built', async () => {
    const app = await appWith(path.join(webAppDir, 'nowhere'));
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('npm run build') });
    await app.close();
  });

  it('challenges API clients and page loads for credentials, but not the app’s own requests', async () => {
    const api = await fetch(`${lb.dicomweb}/studies`);
    expect(api.headers.get('www-authenticate')).toContain('Basic');
    // A browser dialog would block the app's request behind it.
    const fromScript = await fetch(`${lb.dicomweb}/studies`, {
      headers: { 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin' },
    });
    expect(fromScript.status).toBe(401);
    expect(fromScript.headers.get('www-authenticate')).toBeNull();
    const navigation = await fetch(`${lb.dicomweb}/studies`, { headers: { 'sec-fetch-dest': 'document' } });
    expect(navigation.headers.get('www-authenticate')).toContain('Basic');
  });

  it('tells the sign-in page which methods there are, and keeps plain-HTTP scripts on plain HTTP', async () => {
    const methods = await fetch(`${lb.baseUrl}/api/sign-in-methods`);
    expect(await methods.json()).toEqual({ password: true, oidc: false });
    const page = await fetch(`${lb.baseUrl}/`);
    expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import { startTestLightbox, type TestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { startTestBrowser, type TestBrowser } from './test-browser.js';

/** A web server on its own port (another origin than Lightbox's) serving one empty page. */
async function webAppHost(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>viewer</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** What a script of the page gets when it asks Lightbox for a study with a token: its UIDs, or the error. */
async function studiesFromPage(page: Page, url: string, token: string): Promise<string[] | string> {
  return page.evaluate(
    async ([target, bearer]) => {
      try {
        const response = await fetch(target, {
          headers: { authorization: `Bearer ${bearer}`, accept: 'application/dicom+json' },
        });
        const studies = (await response.json()) as Array<Record<string, { Value: string[] }>>;
        return studies.map((s) => s['0020000D']!.Value[0]!);
      } catch (error) {
        return String(error);
      }
    },
    [url, token] as const,
  );
}

describe('web apps on other origins (CORS, allowedOrigins)', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let token: string;
  const study = generateUid();

  beforeAll(async () => {
    [allowed, other] = await Promise.all([webAppHost(), webAppHost()]);
    const config = join(mkdtempSync(join(tmpdir(), 'lightbox-cors-')), 'lightbox.json');
    writeFileSync(config, JSON.stringify({ allowedOrigins: [allowed.origin] }));
    lightbox = await startTestLightbox('sqlite', { LIGHTBOX_CONFIG: config });
    expect(
      await stowObjects(lightbox, [syntheticImage({ studyInstanceUid: study, patientId: 'CORS1' })]),
    ).toBe(200);
    const issued = await fetch(`${lightbox.baseUrl}/api/me/tokens`, {
      method: 'POST',
      headers: { authorization: lightbox.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer on its own host', permissions: ['study:read'] }),
    });
    token = ((await issued.json()) as { token: string }).token;
    browser = await startTestBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await lightbox?.stop();
    allowed?.server.close();
    other?.server.close();
  });

  it('answers a preflight from an allowed origin without credentials, and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${lightbox.dicomweb}/studies`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const ok = await preflight(allowed.origin);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(ok.headers.get('access-control-allow-headers')).toBe('authorization');
    expect(ok.headers.get('access-control-allow-methods')).toContain('GET');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const refused = await preflight(other.origin);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    await refused.arrayBuffer();
    // The answer itself still needs the token.
    const anonymous = await fetch(`${lightbox.dicomweb}/studies`, { headers: { origin: allowed.origin } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('access-control-allow-origin')).toBe(allowed.origin);
  });

  it('lets a page of an allowed origin read the archive with a token, and not a page of another', async () => {
    const url = `${lightbox.dicomweb}/studies?PatientID=CORS1`;
    const page = await browser.newPage();
    await page.goto(allowed.origin);
    expect(await studiesFromPage(page, url, token)).toEqual([study]);
    await page.goto(other.origin);
    expect(await studiesFromPage(page, url, token)).toMatch(/TypeError|Failed to fetch/);
  });
});

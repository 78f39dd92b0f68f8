import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../http/build-http-app.js';
import { httpAppDepsOf } from '../test-support/http-app-deps.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

describe('IHE Invoke Image Display at /IHEInvokeImageDisplay (RAD-106)', () => {
  let lb: TestLightbox;
  let webAppDir: string;
  let app: Awaited<ReturnType<typeof buildHttpApp>>;
  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
    webAppDir = await mkdtemp(path.join(tmpdir(), 'lightbox-web-'));
    await writeFile(path.join(webAppDir, 'index.html'), '<!doctype html><title>app</title>');
    app = await buildHttpApp(httpAppDepsOf(lb, { webAppDir }));
  });
  afterAll(async () => {
    await app?.close();
    await lb?.stop();
    await rm(webAppDir, { recursive: true, force: true });
  });

  it('serves the web app, without credentials, for well-formed STUDY and PATIENT requests', async () => {
    for (const url of [
      '/IHEInvokeImageDisplay?requestType=STUDY&studyUID=1.2.3,1.2.4',
      '/IHEInvokeImageDisplay?requestType=STUDY&accessionNumber=A1&viewerType=IHE_BIR',
      '/IHEInvokeImageDisplay?requestType=study&studyUID=1.2.3',
      `/IHEInvokeImageDisplay?requestType=PATIENT&patientID=${encodeURIComponent('P1^^^&1.2.3&ISO')}&mostRecentResults=1`,
    ]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain('<title>app</title>');
    }
  });

  it('answers a malformed request 400 with a page that says what is wrong, before sign-in', async () => {
    const cases: [string, string][] = [
      ['/IHEInvokeImageDisplay', 'requestType (STUDY or PATIENT) is missing'],
      ['/IHEInvokeImageDisplay?studyUID=1.2.3', 'requestType (STUDY or PATIENT) is missing'],
      [
        '/IHEInvokeImageDisplay?requestType=SERIES&studyUID=1.2.3',
        'requestType SERIES is not STUDY or PATIENT',
      ],
      ['/IHEInvokeImageDisplay?requestType=STUDY&requestType=PATIENT', 'requestType is given more than once'],
      ['/IHEInvokeImageDisplay?requestType=STUDY', 'a STUDY request needs studyUID or accessionNumber'],
      [
        '/IHEInvokeImageDisplay?requestType=STUDY&studyUID=',
        'a STUDY request needs studyUID or accessionNumber',
      ],
      ['/IHEInvokeImageDisplay?requestType=STUDY&studyUID=1.2&accessionNumber=A1', 'not both'],
      ['/IHEInvokeImageDisplay?requestType=PATIENT&studyUID=1.2.3', 'a PATIENT request needs patientID'],
    ];
    for (const [url, problem] of cases) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body, url).toContain(problem);
      expect(response.body).toContain('<a href="/">Open Lightbox</a>');
    }
  });

  it('writes what the request carried as text, never as markup', async () => {
    const response = await app.inject({
      url: `/IHEInvokeImageDisplay?requestType=${encodeURIComponent('<img src=x onerror=alert(1)>')}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('<img');
    expect(response.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

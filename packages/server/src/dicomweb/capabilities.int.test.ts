import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../test-support/dicomweb-client.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

// The capabilities and the methods of resources do not touch the index: one engine is enough.
describe('DICOMweb capabilities, methods and the accept query parameter', () => {
  let lb: TestLightbox;
  const study = generateUid();
  const series = generateUid();
  const instance = generateUid();
  const instanceUrl = () => `${lb.dicomweb}/studies/${study}/series/${series}/instances/${instance}`;
  const call = (url: string, method = 'GET', headers: Record<string, string> = {}) =>
    fetch(url, { method, headers: { authorization: lb.authorization, ...headers } });

  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
    const { body, contentType } = multipartBody([
      {
        bytes: syntheticImage({
          studyInstanceUid: study,
          seriesInstanceUid: series,
          sopInstanceUid: instance,
          rows: 8,
          columns: 8,
        }),
      },
    ]);
    const stored = await fetch(`${lb.dicomweb}/studies`, {
      method: 'POST',
      body,
      headers: { authorization: lb.authorization, 'content-type': contentType },
    });
    expect(stored.status).toBe(200);
  });
  afterAll(async () => {
    await lb?.stop();
  });

  it('describes every resource in WADL on OPTIONS of the base URI (PS3.18 §8.9, Annex H)', async () => {
    const response = await call(`${lb.dicomweb}/`, 'OPTIONS');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.sun\.wadl\+xml/);
    const wadl = await response.text();
    expect(wadl).toContain(`<resources base="${lb.dicomweb}/">`);
    for (const path of [
      'studies',
      'studies/{study}/series/{series}/instances/{instance}/frames/{frames}',
      'studies/{study}/metadata',
      'studies/{study}/series/{series}/instances/{instance}/bulkdata/{path}',
    ]) {
      expect(wadl).toContain(`<resource path="${path}">`);
    }
    expect(wadl).toContain('<method name="POST" id="StoreStudies">');
    expect(wadl).toContain('<method name="GET" id="SearchStudies">');
    // XML IDs are unique in a document.
    const ids = [...wadl.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes one resource with its Allow header, and refuses a type other than XML with 406', async () => {
    const response = await call(`${lb.dicomweb}/studies/${study}`, 'OPTIONS');
    expect(response.status).toBe(200);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    const wadl = await response.text();
    expect(wadl).toContain('<resource path="studies/{study}">');
    expect(wadl).not.toContain('<resource path="studies">');
    expect((await call(`${lb.dicomweb}/`, 'OPTIONS', { accept: 'application/json' })).status).toBe(406);
    expect((await fetch(`${lb.dicomweb}/`, { method: 'OPTIONS' })).status).toBe(401);
  });

  it('answers 405 with Allow for a method a resource does not take, not 404', async () => {
    for (const [method, url, allow] of [
      ['DELETE', `${lb.dicomweb}/studies/${study}`, 'GET, HEAD, POST, OPTIONS'],
      ['PUT', `${lb.dicomweb}/studies`, 'GET, HEAD, POST, OPTIONS'],
      ['POST', `${instanceUrl()}/metadata`, 'GET, HEAD, OPTIONS'],
    ] as const) {
      const response = await call(url, method);
      expect(response.status, `${method} ${url}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
    // A resource that does not exist is still 404.
    expect((await call(`${lb.dicomweb}/nothing-here`, 'DELETE')).status).toBe(404);
  });

  it('lets the accept query parameter choose the representation of instances and frames (PS3.18 §8.3.3.1)', async () => {
    const single = await call(`${instanceUrl()}?accept=application/dicom`);
    expect(single.status).toBe(200);
    expect(single.headers.get('content-type')).toMatch(/^application\/dicom(;|$)/);
    const multipart = await call(
      `${instanceUrl()}?accept=${encodeURIComponent('multipart/related; type="application/dicom"')}`,
      'GET',
      { accept: 'application/dicom' },
    );
    expect(multipart.headers.get('content-type')).toMatch(/^multipart\/related/);
    const frames = await call(`${instanceUrl()}/frames/1?accept=${encodeURIComponent('image/png')}`);
    expect(frames.status).toBe(406);
  });

  it('sends one frame as a bare part when a single-part type is asked for (PS3.18 §8.7.3)', async () => {
    const frame = await call(`${instanceUrl()}/frames/1`, 'GET', { accept: 'application/octet-stream' });
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-type')).toMatch(/^application\/octet-stream/);
    expect(frame.headers.get('content-location')).toBe(`${instanceUrl()}/frames/1`);
    expect((await frame.arrayBuffer()).byteLength).toBe(8 * 8 * 2);
    // Several frames are several items: a single-part type cannot carry them.
    const several = await call(`${instanceUrl()}/frames/1,1`, 'GET', { accept: 'application/octet-stream' });
    expect(several.status).toBe(406);
  });
});

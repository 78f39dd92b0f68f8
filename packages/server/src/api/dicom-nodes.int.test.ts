import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../test-support/free-port.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

for (const dialect of DIALECTS) {
  describe(`/api/dicom-nodes on ${dialect}`, () => {
    let lb: TestLightbox;
    let configDir: string;
    beforeAll(async () => {
      configDir = await mkdtemp(path.join(tmpdir(), 'lightbox-nodes-'));
      const configFile = path.join(configDir, 'lightbox.json');
      await writeFile(
        configFile,
        JSON.stringify({ dicom: { nodes: { 'ct-scanner': { aet: 'CT01', host: '10.0.0.5', port: 104 } } } }),
      );
      lb = await startTestLightbox(dialect, { LIGHTBOX_CONFIG: configFile });
    });
    afterAll(async () => {
      await lb?.stop();
      await rm(configDir, { recursive: true, force: true });
    });
    const call = (method: string, name: string, body?: unknown, authorization = lb.authorization) =>
      fetch(`${lb.baseUrl}/api/dicom-nodes${name}`, {
        method,
        headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });

    it('creates (201), replaces (200), lists, reads and deletes (204) a node', async () => {
      const created = await call('PUT', '/orthanc', { aet: 'ORTHANC', host: 'pacs.example.org', port: 4242 });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({
        name: 'orthanc',
        aet: 'ORTHANC',
        host: 'pacs.example.org',
        port: 4242,
        tls: false,
        source: 'api',
      });
      const replaced = await call('PUT', '/orthanc', {
        aet: 'ORTHANC2',
        host: 'pacs.example.org',
        port: 4243,
        tls: true,
      });
      expect(replaced.status).toBe(200);
      const list = (await (await call('GET', '')).json()) as Array<{
        name: string;
        aet: string;
        source: string;
      }>;
      expect(list.map((n) => [n.name, n.aet, n.source])).toEqual([
        ['ct-scanner', 'CT01', 'config'],
        ['orthanc', 'ORTHANC2', 'api'],
      ]);
      expect(((await (await call('GET', '/orthanc')).json()) as { tls: boolean }).tls).toBe(true);
      expect((await call('DELETE', '/orthanc')).status).toBe(204);
      expect((await call('GET', '/orthanc')).status).toBe(404);
      expect((await call('DELETE', '/orthanc')).status).toBe(404);
    });

    it('refuses to change a node of the config file with 409, saying why', async () => {
      const response = await call('PUT', '/ct-scanner', { aet: 'CT02', host: '10.0.0.6', port: 104 });
      expect(response.status).toBe(409);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/configuration file/);
      expect((await call('DELETE', '/ct-scanner')).status).toBe(409);
    });

    it('answers invalid definitions with 400 problem+json naming the field', async () => {
      for (const [body, field] of [
        [{ aet: 'A\\B', host: 'h', port: 104 }, 'aet'],
        [{ aet: 'THIS_TITLE_IS_TOO_LONG', host: 'h', port: 104 }, 'aet'],
        [{ aet: 'OK', host: 'h', port: 70000 }, 'port'],
        [{ aet: 'OK', host: '', port: 104 }, 'host'],
      ] as const) {
        const response = await call('PUT', '/bad-node', body);
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(((await response.json()) as { detail: string }).detail).toContain(field);
      }
      expect((await call('PUT', '/bad-node', { aet: 'OK', host: 'h' })).status).toBe(400);
      expect((await call('PUT', '/bad%20name', { aet: 'OK', host: 'h', port: 104 })).status).toBe(400);
      // More instance UIDs than one identifier value can carry (Explicit VR: 64 KiB) are refused up front.
      await call('PUT', '/far-away', { aet: 'FAR', host: '127.0.0.1', port: 9 });
      const uids = Array.from({ length: 1001 }, (_, i) => `1.2.826.0.1.3680043.9.${i}`);
      for (const action of ['send', 'retrieve']) {
        const response = await call('POST', `/far-away/${action}`, {
          studyUid: '1.2.3',
          sopInstanceUids: uids,
        });
        expect(response.status, action).toBe(400);
        expect(((await response.json()) as { detail: string }).detail, action).toContain('sopInstanceUids');
      }
    });

    it('verifies a node with C-ECHO, and says why one cannot be reached', async () => {
      await call('PUT', '/myself', { aet: 'LIGHTBOX', host: '127.0.0.1', port: lb.dicomPort });
      const echo = await call('POST', '/myself/echo');
      expect(echo.status).toBe(200);
      expect(await echo.json()).toMatchObject({ ok: true, status: 0 });
      await call('PUT', '/nobody-home', { aet: 'NOBODY', host: '127.0.0.1', port: await freePort() });
      const down = (await (await call('POST', '/nobody-home/echo')).json()) as { ok: boolean; error: string };
      expect(down.ok).toBe(false);
      expect(down.error).toMatch(/cannot reach/);
      await call('PUT', '/wrong-ae', { aet: 'NOT_LIGHTBOX', host: '127.0.0.1', port: lb.dicomPort });
      const rejected = (await (await call('POST', '/wrong-ae/echo')).json()) as {
        ok: boolean;
        error: string;
      };
      expect(rejected.ok).toBe(false);
      expect(rejected.error).toMatch(/rejected/);
      expect((await call('POST', '/unknown/echo')).status).toBe(404);
    });

    it('needs authentication', async () => {
      expect((await call('GET', '', undefined, 'Basic bm9ib2R5Om5vdGhpbmc=')).status).toBe(401);
    });
  });
}

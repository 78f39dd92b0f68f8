import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/free-port.js';
import { selfSigned } from '../test-support/test-certificates.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

const run = promisify(execFile);
const dcmtkEnv = { ...process.env, TCP_NODELAY: '1' };

for (const dialect of DIALECTS) {
  describe(`DICOM TLS on ${dialect}`, () => {
    let lb: TestLightbox;
    let dir: string;
    let server: { key: string; cert: string };
    let client: { key: string; cert: string };
    let stranger: { key: string; cert: string };
    let tlsPort: number;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-tls-'));
      server = await selfSigned(dir, 'server', '/CN=localhost');
      client = await selfSigned(dir, 'client', '/CN=STORESCU');
      stranger = await selfSigned(dir, 'stranger', '/CN=STRANGER');
      lb = await startTestLightbox(dialect, {
        LIGHTBOX_TLS_CERT: server.cert,
        LIGHTBOX_TLS_KEY: server.key,
        LIGHTBOX_TLS_CA: client.cert, // client certificates are verified against it
        LIGHTBOX_DICOM_TLS_PORT: '0',
      });
      tlsPort = lb.running.dicomTls!.port;
    });
    afterAll(async () => {
      await lb?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('stores over TLS from a client with a trusted certificate', async () => {
      const file = path.join(dir, 'image.dcm');
      const uid = generateUid();
      await writeFile(file, syntheticImage({ sopInstanceUid: uid }));
      const tlsArgs = ['+tls', client.key, client.cert, '+cf', server.cert];
      await run('storescu', [...tlsArgs, '-aec', TEST_AE_TITLE, '127.0.0.1', String(tlsPort), file], {
        env: dcmtkEnv,
      });
      const found = await lb.fetch(`${lb.dicomweb}/instances?SOPInstanceUID=${uid}`, {
        headers: { authorization: lb.authorization },
      });
      expect(((await found.json()) as unknown[]).length).toBe(1);
    });

    it('refuses a client without a certificate, or with one the CA did not issue', async () => {
      for (const identity of [['+tla'], ['+tls', stranger.key, stranger.cert]]) {
        const failure = await run(
          'echoscu',
          [...identity, '+cf', server.cert, '-aec', TEST_AE_TITLE, '127.0.0.1', String(tlsPort)],
          { env: dcmtkEnv },
        ).then(
          () => 'succeeded',
          (error: { stderr: string }) => error.stderr,
        );
        expect(failure).not.toBe('succeeded');
      }
    });

    it('talks TLS to a node marked tls, presenting its own certificate', async () => {
      // A DCMTK storescp on TLS, holding the certificate Lightbox trusts and trusting Lightbox's.
      const port = await freePort();
      const received = await mkdtemp(path.join(dir, 'received-'));
      const scp = spawn(
        'storescp',
        [
          '+tls',
          client.key,
          client.cert,
          '+cf',
          server.cert,
          '-aet',
          'TLSSCP',
          '-od',
          received,
          String(port),
        ],
        { stdio: 'ignore', env: dcmtkEnv },
      );
      try {
        const headers = { authorization: lb.authorization, 'content-type': 'application/json' };
        const put = await lb.fetch(`${lb.baseUrl}/api/dicom-nodes/tls-scp`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ aet: 'TLSSCP', host: '127.0.0.1', port, tls: true }),
        });
        expect(put.status).toBe(201);
        let echo: { ok: boolean; error?: string } = { ok: false };
        for (let i = 0; i < 50 && !echo.ok; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          echo = (await (
            await lb.fetch(`${lb.baseUrl}/api/dicom-nodes/tls-scp/echo`, {
              method: 'POST',
              headers: { authorization: lb.authorization },
            })
          ).json()) as {
            ok: boolean;
          };
        }
        expect(echo).toMatchObject({ ok: true });
      } finally {
        scp.kill();
      }
    });

    it('keeps the plain DICOM port serving beside the TLS one', async () => {
      const { stderr } = await run(
        'echoscu',
        ['-v', '-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort)],
        {
          env: dcmtkEnv,
        },
      );
      expect(stderr).toContain('Success');
    });
  });
}

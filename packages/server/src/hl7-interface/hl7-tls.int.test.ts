import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectMllp } from '@lightbox/hl7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackOf, hl7Message, hl7Now } from '../test-support/hl7-peers.js';
import { selfSigned } from '../test-support/test-certificates.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

describe('MLLP over TLS (LIGHTBOX_HL7_TLS_PORT)', () => {
  let lb: TestLightbox;
  let dir: string;
  let server: { key: string; cert: string };
  let client: { key: string; cert: string };
  let stranger: { key: string; cert: string };

  const adt = (id: string) =>
    hl7Message(
      `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||ADT^A04|${id}|P|2.5.1`,
      `PID|1||TLS-${id}^^^HOSP^MR||Tls^Test`,
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lightbox-hl7-tls-'));
    server = await selfSigned(dir, 'server', '/CN=localhost');
    client = await selfSigned(dir, 'client', '/CN=EHR');
    stranger = await selfSigned(dir, 'stranger', '/CN=STRANGER');
    lb = await startTestLightbox('sqlite', {
      LIGHTBOX_TLS_CERT: server.cert,
      LIGHTBOX_TLS_KEY: server.key,
      LIGHTBOX_TLS_CA: client.cert,
      LIGHTBOX_DICOM_TLS_PORT: '0',
    });
  });

  afterAll(async () => {
    await lb?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes messages from a sender with a trusted certificate and refuses one without', async () => {
    const port = lb.running.hl7Tls!.port;
    const ca = await readFile(server.cert);
    const trusted = await connectMllp({
      host: '127.0.0.1',
      port,
      tls: {
        ca,
        cert: await readFile(client.cert),
        key: await readFile(client.key),
        servername: 'localhost',
      },
    });
    try {
      const reply = Buffer.from(await trusted.send(adt('T1'))).toString('latin1');
      expect(ackOf(reply).code).toBe('AA');
    } finally {
      await trusted.close();
    }
    const refused = connectMllp({
      host: '127.0.0.1',
      port,
      tls: {
        ca,
        cert: await readFile(stranger.cert),
        key: await readFile(stranger.key),
        servername: 'localhost',
      },
    }).then((c) => c.send(adt('T2')).finally(() => c.close()));
    await expect(refused).rejects.toThrow();
  });
});

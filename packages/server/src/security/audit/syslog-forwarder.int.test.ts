import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../../test-support/test-certificates.js';
import { DIALECTS } from '../../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../../test-support/test-lightbox.js';
import { basicAuth } from '../../test-support/test-users.js';

/** A syslog-TLS collector (RFC 5425 octet counting) that requires a client certificate from `ca`. */
class Collector {
  readonly messages: string[] = [];
  readonly clients: string[] = [];
  private server: tls.Server | undefined;
  constructor(private readonly material: { key: Buffer; cert: Buffer; ca: Buffer }) {}

  async listen(port = 0): Promise<number> {
    this.server = tls.createServer(
      { ...this.material, requestCert: true, rejectUnauthorized: true },
      (socket) => {
        this.clients.push(String(socket.getPeerCertificate().subject.CN));
        let buffer = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          buffer = Buffer.concat([buffer, chunk]);
          for (;;) {
            const space = buffer.indexOf(0x20);
            if (space < 0) break;
            const length = Number(buffer.subarray(0, space).toString('ascii'));
            if (buffer.length < space + 1 + length) break;
            this.messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
            buffer = buffer.subarray(space + 1 + length);
          }
        });
        socket.on('error', () => undefined);
      },
    );
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async waitFor(predicate: (m: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching syslog message among ${this.messages.length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

for (const dialect of DIALECTS) {
  describe(`audit forwarding over syslog-TLS on ${dialect} (issue #4 §3, PS3.15 A.6)`, () => {
    let lb: TestLightbox;
    let dir: string;
    let collector: Collector;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-syslog-'));
      const node = await selfSigned(dir, 'node', '/CN=lightbox-node');
      const repository = await selfSigned(dir, 'repository', '/CN=localhost');
      collector = new Collector({
        key: await readFile(repository.key),
        cert: await readFile(repository.cert),
        ca: await readFile(node.cert),
      });
      const port = await collector.listen();
      lb = await startTestLightbox(dialect, {
        LIGHTBOX_TLS_CERT: node.cert,
        LIGHTBOX_TLS_KEY: node.key,
        // The CA vouches for peers: here the collector's self-signed certificate.
        LIGHTBOX_TLS_CA: repository.cert,
        LIGHTBOX_DICOM_TLS_PORT: '0',
        LIGHTBOX_AUDIT_SYSLOG: `tls://127.0.0.1:${port}`,
      });
    });
    afterAll(async () => {
      await lb?.stop();
      await collector?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('sends each audit event as an RFC 5424 message holding a DICOM audit message, with node authentication', async () => {
      const refused = await lb.fetch(`${lb.baseUrl}/api/me`, {
        headers: { authorization: basicAuth('intruder', 'wrong-password') },
      });
      expect(refused.status).toBe(401);
      const message = await collector.waitFor((m) => m.includes('UserID="intruder"'));
      // Facility 10, severity 4 for a failure; version 1; MSGID DICOM+RFC3881; UTF-8 with BOM.
      expect(message).toMatch(
        /^<84>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ lightbox \d+ DICOM\+RFC3881 \[meta sequenceId="\d+"\] \u{FEFF}<\?xml/u,
      );
      expect(message).toContain(
        '<EventID csd-code="110114" codeSystemName="DCM" originalText="User Authentication"/>',
      );
      expect(message).toContain('EventOutcomeIndicator="4"');
      expect(message).toContain('<AuditSourceIdentification');
      expect(message.endsWith('</AuditMessage>')).toBe(true);
      expect(collector.clients).toContain('lightbox-node');
    });

    it('names the patient and study of an access as participant objects', async () => {
      await lb.fetch(`${lb.dicomweb}/studies?PatientID=NOBODY`, {
        headers: { authorization: lb.authorization },
      });
      const message = await collector.waitFor((m) => m.includes('csd-code="110112"'));
      expect(message).toMatch(/^<85>1 /);
      expect(message).toContain('UserID="admin"');
    });
  });
}

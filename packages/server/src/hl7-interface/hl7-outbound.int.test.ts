import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/free-port.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

const RECEIVER = fileURLToPath(new URL('../test-support/hl7-receiver.py', import.meta.url));

interface Receiver {
  received: string[];
  /** Connections it accepted. */
  connections: number;
  stop(): void;
}

/**
 * python-hl7's MLLP server (Debian python3-hl7) as the receiving system; collects what it received.
 * `closeEach`: it closes every connection after one message.
 */
async function startReceiver(port: number, ackCode = 'AA', closeEach = false): Promise<Receiver> {
  const args = [RECEIVER, String(port), ackCode, ...(closeEach ? ['close'] : [])];
  const child: ChildProcess = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const receiver: Receiver = { received: [], connections: 0, stop: () => child.kill() };
  const { received } = receiver;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line === 'READY') resolve();
      else if (line === 'CONNECTION') receiver.connections++;
      else received.push(JSON.parse(line) as string);
    });
    child.once('exit', (code) =>
      reject(new Error(`the HL7 receiver exited (${code}): ${stderr} — is Debian's python3-hl7 installed?`)),
    );
  });
  return receiver;
}

async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const segmentsOf = (message: string, id: string) =>
  message
    .split('\r')
    .filter((s) => s.startsWith(`${id}|`))
    .map((s) => s.split('|'));

for (const dialect of DIALECTS) {
  describe(`outbound HL7 order status on ${dialect}`, () => {
    let lb: TestLightbox;
    let work: string;
    let ehrPort: number;
    let risPort: number;
    let strictPort: number;
    const tag = Date.now().toString(36).toUpperCase();
    const receivers: Receiver[] = [];

    const call = async (method: string, url: string, body?: unknown) => {
      const response = await fetch(`${lb.baseUrl}${url}`, {
        method,
        headers: { authorization: lb.authorization, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };

    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-hl7out-'));
      ehrPort = await freePort();
      risPort = await freePort();
      strictPort = await freePort();
      const config = path.join(work, 'config.json');
      await writeFile(
        config,
        JSON.stringify({
          hl7: {
            retrySeconds: 0.2,
            facility: 'RADIOLOGY',
            destinations: {
              strict: { host: '127.0.0.1', port: strictPort, version: '2.5.1' },
              ehr: { host: '127.0.0.1', port: ehrPort, version: '2.5.1', application: 'EHR' },
              'old-ris': { host: '127.0.0.1', port: risPort, version: '2.3.1' },
            },
          },
        }),
      );
      lb = await startTestLightbox(dialect, { LIGHTBOX_CONFIG: config });
    });

    afterAll(async () => {
      for (const receiver of receivers) receiver.stop();
      await lb?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('tells each destination of every status change, as OMG^O19 (2.5.1) or ORM^O01 (2.3.1), in order', async () => {
      const ehr = await startReceiver(ehrPort);
      receivers.push(ehr);
      const placed = await call('POST', '/api/orders', {
        patient: { patientId: `OUT-${tag}`, issuer: 'HOSP', name: 'Müller^Jürgen', sex: 'M' },
        procedure: { code: 'CTABD', meaning: 'CT abdomen' },
        modality: 'CT',
        requestedDate: '20261124',
        requestedTime: '0900',
      });
      const accession = placed.json.accessionNumber as string;
      await call('POST', `/api/orders/${accession}/status`, { status: 'arrived' });
      await call('POST', `/api/orders/${accession}/status`, { status: 'in-progress' });
      await call('POST', `/api/orders/${accession}/status`, { status: 'completed' });

      await eventually(() => ehr.received.length >= 4, 'four messages at the EHR');
      const orcs = ehr.received.map((m) => segmentsOf(m, 'ORC')[0]!);
      expect(orcs.map((orc) => [orc[1], orc[5]])).toEqual([
        ['SC', 'SC'],
        ['SC', 'IP'],
        ['SC', 'IP'],
        ['SC', 'CM'],
      ]);
      const first = ehr.received[0]!;
      expect(segmentsOf(first, 'MSH')[0]![8]).toBe('OMG^O19^OMG_O19');
      expect(segmentsOf(first, 'MSH')[0]![11]).toBe('2.5.1');
      expect(segmentsOf(first, 'MSH')[0]![3]).toBe('RADIOLOGY');
      expect(segmentsOf(first, 'PID')[0]![3]).toBe(`OUT-${tag}^^^HOSP^MR`);
      expect(segmentsOf(first, 'PID')[0]![5]).toBe('Müller^Jürgen');
      expect(orcs[0]![3]).toBe(`${accession}^LIGHTBOX`);
      expect(segmentsOf(first, 'OBR')[0]![4]).toBe('CTABD^CT abdomen^L');
      // One connection, kept open between the messages.
      expect(ehr.connections).toBe(1);

      // The EHR has the last message before its acknowledgement is recorded: wait for the log to say so.
      const allSent = async () => {
        const log = (await fetch(`${lb.baseUrl}/api/hl7-messages?direction=out&limit=50`, {
          headers: { authorization: lb.authorization },
        }).then((r) => r.json())) as { peer: string; state: string; ackCode: string | null }[];
        return log.filter((m) => m.peer === 'ehr').every((m) => m.state === 'sent' && m.ackCode === 'AA');
      };
      await eventually(allSent, 'every message to the EHR sent and acknowledged');
    });

    it('holds the queue of a destination that is down and delivers it, in order, once it is back', async () => {
      // The old RIS was down during the first test: its messages wait, then go out in order.
      const pending = (await fetch(`${lb.baseUrl}/api/hl7-messages?direction=out&limit=50`, {
        headers: { authorization: lb.authorization },
      }).then((r) => r.json())) as { peer: string; state: string; attempts: number }[];
      const queued = pending.filter((m) => m.peer === 'old-ris');
      expect(queued.length).toBe(4);
      // Waiting: pending, or 'sending' while a retry is trying to connect at this very moment.
      expect(
        queued.map((m) => m.state).filter((state) => state !== 'pending' && state !== 'sending'),
      ).toEqual([]);

      // This one closes the connection after every message: each next message opens a new one.
      const ris = await startReceiver(risPort, 'AA', true);
      receivers.push(ris);
      await eventually(() => ris.received.length >= 4, 'the queued messages at the old RIS');
      expect(ris.connections).toBeGreaterThanOrEqual(4);
      const message = ris.received[3]!;
      expect(segmentsOf(message, 'MSH')[0]![8]).toBe('ORM^O01^ORM_O01');
      expect(segmentsOf(message, 'ORC')[0]![5]).toBe('CM');
      expect(segmentsOf(message, 'OBR')[0]![18]).toMatch(/^LB\d{8}$/);
      expect(segmentsOf(message, 'ZDS')[0]![1]).toMatch(/^[0-9.]+\^\^Application\^DICOM$/);
      expect(ris.received.map((m) => segmentsOf(m, 'ORC')[0]![5])).toEqual(['SC', 'IP', 'IP', 'CM']);
    });

    it('tells a cancellation with its reason', async () => {
      const placed = await call('POST', '/api/orders', {
        patient: { patientId: `OUT2-${tag}`, name: 'Lee^Kim' },
        modality: 'MR',
        requestedDate: '20261125',
        requestedTime: '1000',
      });
      const accession = placed.json.accessionNumber as string;
      const ehr = receivers[0]!;
      const before = ehr.received.length;
      await call('POST', `/api/orders/${accession}/status`, {
        status: 'cancelled',
        reason: 'Claustrophobia',
      });
      await eventually(() => ehr.received.length >= before + 2, 'the cancellation at the EHR');
      const orc = segmentsOf(ehr.received.at(-1)!, 'ORC')[0]!;
      expect([orc[1], orc[5], orc[16]]).toEqual(['OC', 'CA', '^Claustrophobia']);
    });

    it('marks messages a destination refuses as failed, and sends one again from the monitor', async () => {
      const log = async () =>
        (await fetch(`${lb.baseUrl}/api/hl7-messages?direction=out&limit=100`, {
          headers: { authorization: lb.authorization },
        }).then((r) => r.json())) as { id: number; peer: string; state: string; ackCode: string | null }[];
      const refusing = await startReceiver(strictPort, 'AE');
      await eventually(
        async () => (await log()).filter((m) => m.peer === 'strict').every((m) => m.state === 'failed'),
        'refusals',
      );
      refusing.stop();
      const failed = (await log()).filter((m) => m.peer === 'strict');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((m) => m.ackCode === 'AE')).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      const accepting = await startReceiver(strictPort, 'AA');
      receivers.push(accepting);
      const replay = (id: number) =>
        fetch(`${lb.baseUrl}/api/hl7-messages/${id}/replay`, {
          method: 'POST',
          headers: { authorization: lb.authorization },
        });
      expect(await (await replay(failed[0]!.id)).json()).toMatchObject({ requeued: true });
      await eventually(() => accepting.received.length === 1, 'the message sent again');
      expect((await log()).find((m) => m.id === failed[0]!.id)).toMatchObject({
        state: 'sent',
        ackCode: 'AA',
      });
      expect((await replay(failed[0]!.id)).status).toBe(409);
    });
  });
}

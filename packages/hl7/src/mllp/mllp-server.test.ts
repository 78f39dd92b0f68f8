import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAck } from '../ack/build-ack.js';
import { decodeMessageBytes, encodeMessageText } from '../message/character-set.js';
import { parseMessage } from '../message/parse-message.js';
import { frameMllp } from './frame-mllp.js';
import { connectMllp } from './mllp-client.js';
import { MllpDecoder } from './mllp-decoder.js';
import { startMllpServer, type MllpProblem, type MllpServer, type MllpServerOptions } from './mllp-server.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const message = (id: string, name = 'DOE^JANE'): string =>
  `MSH|^~\\&|HIS|HOSP|LB|RAD|20240101||ADT^A01^ADT_A01|${id}|P|2.5.1||||||UNICODE UTF-8\rPID|1||P1||${name}\r`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** MSA-2 of an ACK payload. */
const ackedId = (payload: Uint8Array): string => parseMessage(decodeMessageBytes(payload)).get('MSA-2');

let server: MllpServer | undefined;
const problems: MllpProblem[] = [];
const received: string[] = [];

async function start(overrides: Partial<MllpServerOptions> = {}): Promise<MllpServer> {
  server = await startMllpServer({
    host: '127.0.0.1',
    port: 0,
    onMessage: async (payload) => {
      const m = parseMessage(decodeMessageBytes(payload));
      received.push(m.controlId);
      return encodeMessageText(
        buildAck(m, 'AA', { sendingApplication: 'LB', controlId: `A${m.controlId}` }),
        m.characterSet,
      );
    },
    onProblem: (p) => problems.push(p),
    ...overrides,
  });
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
  problems.length = 0;
  received.length = 0;
});

/** A raw TCP connection that collects every reply frame. */
async function rawConnection(port: number): Promise<{
  socket: net.Socket;
  replies: Uint8Array[];
  closed: Promise<void>;
  waitFor(n: number): Promise<void>;
}> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const decoder = new MllpDecoder();
  const replies: Uint8Array[] = [];
  socket.on('data', (chunk: Buffer) => replies.push(...decoder.push(chunk)));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const waitFor = async (n: number): Promise<void> => {
    for (let i = 0; i < 500 && replies.length < n; i++) await sleep(10);
    expect(replies.length).toBe(n);
  };
  return { socket, replies, closed, waitFor };
}

describe('MLLP server and client over loopback', () => {
  it('answers several messages on one kept-open connection, strictly in order', async () => {
    let active = 0;
    let maxActive = 0;
    const s = await start({
      onMessage: async (payload) => {
        active++;
        maxActive = Math.max(maxActive, active);
        const m = parseMessage(decodeMessageBytes(payload));
        await sleep(Number(m.controlId) % 2 === 0 ? 30 : 1); // replies would overtake each other if run in parallel
        received.push(m.controlId);
        active--;
        return bytes(buildAck(m, 'AA', { sendingApplication: 'LB', controlId: `A${m.controlId}` }));
      },
    });
    const client = await connectMllp({ host: '127.0.0.1', port: s.port });
    for (const id of ['1', '2', '3']) expect(ackedId(await client.send(message(id)))).toBe(id);
    // Sent without waiting: the client queues them, the server handles them one after another.
    const replies = await Promise.all(['4', '5', '6', '7'].map((id) => client.send(message(id))));
    expect(replies.map(ackedId)).toEqual(['4', '5', '6', '7']);
    expect(received).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(maxActive).toBe(1);
    await client.close();
    expect(problems).toEqual([]);
  });

  it('answers two messages written in one TCP write, in order', async () => {
    const s = await start();
    const c = await rawConnection(s.port);
    c.socket.write(new Uint8Array([...frameMllp(bytes(message('10'))), ...frameMllp(bytes(message('11')))]));
    await c.waitFor(2);
    expect(c.replies.map(ackedId)).toEqual(['10', '11']);
    c.socket.destroy();
  });

  it('pauses reading while many messages are queued and answers them all in order', async () => {
    const s = await start({
      onMessage: async (payload) => {
        await sleep(5);
        const m = parseMessage(decodeMessageBytes(payload));
        received.push(m.controlId);
        return bytes(buildAck(m, 'AA', { sendingApplication: 'LB', controlId: 'X' }));
      },
    });
    const c = await rawConnection(s.port);
    const ids = Array.from({ length: 40 }, (_, i) => `Q${i}`);
    c.socket.write(new Uint8Array(ids.flatMap((id) => [...frameMllp(bytes(message(id)))])));
    await c.waitFor(40);
    expect(c.replies.map(ackedId)).toEqual(ids);
    expect(received).toEqual(ids);
    c.socket.destroy();
  });

  it('reads a message written one byte at a time', async () => {
    const s = await start();
    const c = await rawConnection(s.port);
    const frame = frameMllp(bytes(message('20', 'Zoë^Ünal')));
    for (let i = 0; i < frame.length; i++) {
      c.socket.write(frame.subarray(i, i + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await c.waitFor(1);
    expect(ackedId(c.replies[0]!)).toBe('20');
    c.socket.destroy();
  });

  it('drops garbage before a frame and still answers the message on a new connection', async () => {
    const s = await start();
    const c = await rawConnection(s.port);
    c.socket.write('hello\r\n');
    await sleep(50);
    c.socket.write(frameMllp(bytes(message('30'))));
    await c.waitFor(1);
    expect(ackedId(c.replies[0]!)).toBe('30');
    expect(problems).toMatchObject([
      { kind: 'garbage', bytes: 7, connection: { remoteAddress: '127.0.0.1', tls: false } },
    ]);
    c.socket.destroy();
  });

  it('reports a handler that throws, closes that connection, and keeps serving', async () => {
    const s = await start({
      onMessage: async (payload) => {
        const m = parseMessage(decodeMessageBytes(payload));
        if (m.controlId === 'BOOM') throw new Error('handler failed');
        return bytes(buildAck(m, 'AA', { sendingApplication: 'LB', controlId: 'X' }));
      },
    });
    const c = await rawConnection(s.port);
    c.socket.write(
      new Uint8Array([
        ...frameMllp(bytes(message('40'))),
        ...frameMllp(bytes(message('BOOM'))),
        ...frameMllp(bytes(message('41'))),
      ]),
    );
    await c.closed;
    expect(c.replies.map(ackedId)).toEqual(['40']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'handler-error', error: new Error('handler failed') });
    const client = await connectMllp({ host: '127.0.0.1', port: s.port });
    expect(ackedId(await client.send(message('42')))).toBe('42');
    await client.close();
  });

  it('closes a connection whose frame is larger than maxMessageBytes', async () => {
    const s = await start({ maxMessageBytes: 200 });
    const c = await rawConnection(s.port);
    c.socket.write(frameMllp(bytes(message('50', 'X'.repeat(300)))));
    await c.closed;
    expect(problems.map((p) => p.kind)).toEqual(['oversize']);
    const client = await connectMllp({ host: '127.0.0.1', port: s.port });
    expect(ackedId(await client.send(message('51')))).toBe('51');
    await client.close();
  });

  it('survives a peer that resets the connection while its message is handled', async () => {
    let release!: () => void;
    const handled = new Promise<void>((resolve) => (release = resolve));
    const s = await start({
      onMessage: async (payload) => {
        await sleep(50);
        release();
        return payload;
      },
    });
    const c = await rawConnection(s.port);
    c.socket.write(frameMllp(bytes(message('60'))));
    await sleep(10);
    c.socket.resetAndDestroy();
    await handled;
    await sleep(20);
    const client = await connectMllp({ host: '127.0.0.1', port: s.port });
    expect((await client.send(message('61'))).length).toBeGreaterThan(0);
    await client.close();
    expect(problems.every((p) => p.kind === 'socket-error')).toBe(true);
  });

  it('sends nothing when the handler resolves undefined; the client times out and closes', async () => {
    const s = await start({ onMessage: async () => undefined });
    const client = await connectMllp({ host: '127.0.0.1', port: s.port });
    await expect(client.send(message('70'), { timeoutMs: 100 })).rejects.toThrow(
      /No MLLP reply within 100 ms/,
    );
    await expect(client.send(message('71'))).rejects.toThrow(/No MLLP reply|closed/);
    await client.close();
  });

  it('closes connections idle for longer than idleTimeoutMs', async () => {
    const s = await start({ idleTimeoutMs: 100 });
    const c = await rawConnection(s.port);
    c.socket.write(frameMllp(bytes(message('80'))));
    await c.waitFor(1);
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
  });

  it('close() ends open connections and stops accepting', async () => {
    const s = await start();
    const c = await rawConnection(s.port);
    c.socket.write(frameMllp(bytes(message('90'))));
    await c.waitFor(1);
    await s.close();
    await c.closed;
    server = undefined;
    await expect(connectMllp({ host: '127.0.0.1', port: s.port, timeoutMs: 1000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('encodes string messages in the character set of their MSH-18', async () => {
    const payloads: Uint8Array[] = [];
    const s = await start({
      onMessage: async (p) => (payloads.push(p), bytes('MSH|^~\\&|X||||||ACK|1|P|2.5.1\r')),
    });
    const client = await connectMllp({ host: '127.0.0.1', port: s.port });
    const text = 'MSH|^~\\&|HIS||||20240101||ADT^A01|1|P|2.5.1||||||8859/1\rPID|1||P1||Gärtner\r';
    await client.send(text);
    await client.close();
    expect(payloads[0]!.includes(0xe4)).toBe(true);
    expect(decodeMessageBytes(payloads[0]!)).toBe(text);
  });

  it('fails to connect to a closed port', async () => {
    const s = await start();
    const port = s.port;
    await s.close();
    server = undefined;
    await expect(connectMllp({ host: '127.0.0.1', port })).rejects.toThrow();
  });
});

describe('MLLP over TLS', () => {
  let dir: string;
  let key: string;
  let cert: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lightbox-hl7-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost,IP:127.0.0.1',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'pipe' },
      );
    } catch (error) {
      throw new Error(
        `openssl could not make a test certificate (Debian package: openssl): ${String(error)}`,
      );
    }
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips messages with a self-signed certificate', async () => {
    const connections: boolean[] = [];
    const s = await start({
      tls: { key, cert },
      onMessage: async (payload, connection) => {
        connections.push(connection.tls);
        const m = parseMessage(decodeMessageBytes(payload));
        return bytes(buildAck(m, 'AA', { sendingApplication: 'LB', controlId: 'T' }));
      },
    });
    const client = await connectMllp({
      host: '127.0.0.1',
      port: s.port,
      tls: { ca: cert, servername: 'localhost' },
    });
    expect(ackedId(await client.send(message('T1')))).toBe('T1');
    expect(ackedId(await client.send(message('T2')))).toBe('T2');
    await client.close();
    expect(connections).toEqual([true, true]);
  });

  it('refuses a client that does not trust the certificate, and reports it', async () => {
    const s = await start({ tls: { key, cert } });
    await expect(connectMllp({ host: '127.0.0.1', port: s.port, tls: {} })).rejects.toThrow(
      /self-signed|certificate/i,
    );
    await sleep(50);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.kind === 'socket-error')).toBe(true);
  });
});

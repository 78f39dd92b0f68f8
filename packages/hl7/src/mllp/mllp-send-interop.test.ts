import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAck } from '../ack/build-ack.js';
import { decodeMessageBytes, encodeMessageText } from '../message/character-set.js';
import { parseMessage } from '../message/parse-message.js';
import { MllpDecoder } from './mllp-decoder.js';
import { startMllpServer, type MllpServer } from './mllp-server.js';

// Interop with a third-party MLLP client: `mllp_send` from Debian's python3-hl7 (python-hl7 0.4.5).
// Its stdin mode is broken on Python 3 (it concatenates str and bytes), so messages go through --file:
// plain mode splits the file on FS (0x1C) and strips VT/CR around each message; --loose splits on
// "MSH|^~\&|" and accepts CRLF. It prints every reply frame as received (VT … FS CR) plus a newline.

function requireMllpSend(): void {
  try {
    execFileSync('sh', ['-c', 'command -v mllp_send'], { stdio: 'pipe' });
  } catch {
    throw new Error(
      'mllp_send not found: install the Debian package python3-hl7 (apt-get install -y python3-hl7)',
    );
  }
}

function mllpSend(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('mllp_send', args, { encoding: 'buffer', timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`mllp_send failed: ${error.message}\n${stderr.toString()}`));
      else resolve(stdout);
    });
  });
}

describe('interop with mllp_send (python3-hl7)', () => {
  let server: MllpServer;
  let dir: string;
  const received: string[] = [];

  beforeAll(async () => {
    requireMllpSend();
    dir = mkdtempSync(join(tmpdir(), 'lightbox-hl7-mllp-send-'));
    server = await startMllpServer({
      host: '127.0.0.1',
      port: 0,
      onMessage: async (payload) => {
        const text = decodeMessageBytes(payload);
        received.push(text);
        const m = parseMessage(text);
        const ack = buildAck(m, 'AA', { sendingApplication: 'LIGHTBOX', controlId: `ACK-${m.controlId}` });
        return encodeMessageText(ack, m.characterSet);
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const replies = (stdout: Buffer): string[] =>
    new MllpDecoder().push(stdout).map((p) => decodeMessageBytes(p));

  it('receives FS-separated messages from a file and returns our ACKs', async () => {
    received.length = 0;
    const first =
      'MSH|^~\\&|HIS|HOSP|LB|RAD|20240101||ADT^A01^ADT_A01|PY1|P|2.5.1||||||UNICODE UTF-8\rPID|1||P1||Zoë^Ünal';
    const second = 'MSH|^~\\&|HIS|HOSP|LB|RAD|20240101||ORM^O01|PY2|P|2.3.1\rPID|1||P2||DOE^JOHN';
    const file = join(dir, 'messages.hl7');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(first, 'utf8'),
        Buffer.of(0x1c),
        Buffer.from(second, 'utf8'),
        Buffer.of(0x1c),
      ]),
    );
    const out = await mllpSend(['--port', String(server.port), '--file', file, '127.0.0.1']);
    expect(received).toEqual([first, second]);
    const acks = replies(out).map(parseMessage);
    expect(acks.map((a) => [a.get('MSA-1'), a.get('MSA-2'), a.controlId, a.version])).toEqual([
      ['AA', 'PY1', 'ACK-PY1', '2.5.1'],
      ['AA', 'PY2', 'ACK-PY2', '2.3.1'],
    ]);
  });

  it('receives a CRLF message with --loose', async () => {
    received.length = 0;
    const file = join(dir, 'loose.hl7');
    writeFileSync(
      file,
      'MSH|^~\\&|HIS|HOSP|LB|RAD|20240101||ADT^A08^ADT_A01|PY3|P|2.5.1\r\nPID|1||P3||DOE^JANE\r\n',
    );
    const out = await mllpSend(['--port', String(server.port), '--loose', '--file', file, '127.0.0.1']);
    expect(received).toHaveLength(1);
    expect(parseMessage(received[0]!).get('PID-5.2')).toBe('JANE');
    expect(replies(out).map((r) => parseMessage(r).get('MSA-2'))).toEqual(['PY3']);
  });
});

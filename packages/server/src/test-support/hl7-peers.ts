import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One HL7 message from its segments (CR-terminated, as on the wire). */
export function hl7Message(...segments: string[]): string {
  return segments.map((s) => `${s}\r`).join('');
}

/** An HL7 timestamp (YYYYMMDDHHMMSS) of a local time. */
export function hl7Now(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/**
 * Sends messages with `mllp_send` of Debian's python3-hl7 (a third-party MLLP client) and returns the
 * acknowledgements it printed, one text per message. In file mode it splits the file at FS (0x1C).
 */
export async function mllpSend(port: number, messages: readonly string[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-mllp-'));
  try {
    const file = path.join(dir, 'messages.hl7');
    await writeFile(file, Buffer.from(messages.map((m) => `${m}\x1c`).join(''), 'latin1'));
    const { stdout } = await run('mllp_send', ['-f', file, '-p', String(port), '127.0.0.1'], {
      encoding: 'latin1',
    }).catch((error: { code?: string; stdout?: string; stderr?: string }) => {
      if (error.code === 'ENOENT')
        throw new Error('mllp_send is missing: install Debian package python3-hl7');
      throw new Error(`mllp_send failed: ${error.stderr ?? ''}`);
    });
    return mllpFrames(stdout).frames;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The MSA-1 code and the ERR segments of an acknowledgement. */
export function ackOf(ack: string): { code: string; errors: string[]; text: string } {
  const segments = ack.split('\r').filter((s) => s !== '');
  const msa = segments.find((s) => s.startsWith('MSA'))?.split('|') ?? [];
  return {
    code: msa[1] ?? '',
    text: msa[3] ?? '',
    errors: segments.filter((s) => s.startsWith('ERR')),
  };
}

/** The complete MLLP frames (VT … FS) in received text, and what follows the last one. */
export function mllpFrames(text: string): { frames: string[]; rest: string } {
  const frames: string[] = [];
  let at = 0;
  for (;;) {
    const start = text.indexOf('\x0b', at);
    const end = start < 0 ? -1 : text.indexOf('\x1c', start);
    if (end < 0) return { frames, rest: text.slice(at) };
    frames.push(text.slice(start + 1, end));
    at = end + (text[end + 1] === '\r' ? 2 : 1);
  }
}

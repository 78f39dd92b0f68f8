import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

/** DCMTK's storescp, receiving into a temporary directory: a C-MOVE destination for tests. */
export interface StorescpPeer {
  aeTitle: string;
  port: number;
  /** The files received so far, by name. */
  received(): Promise<Map<string, Buffer>>;
  stop(): Promise<void>;
}

/**
 * Starts storescp on a free port; `acceptAll` accepts every transfer syntax it knows (+xa), else only
 * uncompressed; `profile` (a DCMTK association configuration file and a profile of it, -xf) decides the
 * SOP classes and syntaxes accepted instead, e.g. private classes that storescp does not know.
 */
export async function startStorescp(
  aeTitle: string,
  options: { acceptAll?: boolean; profile?: { file: string; name: string } } = {},
): Promise<StorescpPeer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-storescp-'));
  const port = await freePort();
  const args = [
    '-aet',
    aeTitle,
    '-od',
    dir,
    ...(options.acceptAll ? ['+xa'] : []),
    ...(options.profile !== undefined ? ['-xf', options.profile.file, options.profile.name] : []),
    String(port),
  ];
  const child: ChildProcess = spawn('storescp', args, {
    stdio: 'ignore',
    env: { ...process.env, TCP_NODELAY: '1' }, // Debian's DCMTK stalls ~45 ms per message without it
  });
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    await sleep(50);
  }
  return {
    aeTitle,
    port,
    async received() {
      const out = new Map<string, Buffer>();
      for (const name of await readdir(dir)) out.set(name, await readFile(path.join(dir, name)));
      return out;
    },
    async stop() {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

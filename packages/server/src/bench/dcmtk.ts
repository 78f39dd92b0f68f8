import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { freePort, startProgram } from './processes.js';

/**
 * The environment of every DCMTK process: TCP_NODELAY=1, without which Debian's DCMTK leaves Nagle's
 * algorithm on and waits ~45 ms per message.
 */
export const DCMTK_ENV: Readonly<Record<string, string>> = { TCP_NODELAY: '1' };

/** A DICOM application entity to associate with. */
export interface DimsePeer {
  aeTitle: string;
  host: string;
  port: number;
}

/** True when DCMTK's `storescu`, `storescp` and `findscu` are installed. */
export function dcmtkInstalled(): boolean {
  return ['storescu', 'storescp', 'findscu'].every(
    (tool) => spawnSync(tool, ['--version']).error === undefined,
  );
}

interface ToolRun {
  code: number;
  /** What the tool wrote on stderr (DCMTK logs there), the last 64 kB. */
  log: string;
}

function runTool(command: string, args: string[]): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...DCMTK_ENV },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (data: Buffer) => (log = (log + data.toString()).slice(-65_536)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, log }));
  });
}

function peerArgs(peer: DimsePeer): string[] {
  return ['-aec', peer.aeTitle, peer.host, String(peer.port)];
}

/** Splits `items` into `groups` contiguous groups of sizes differing by at most one. */
export function splitIntoGroups<T>(items: readonly T[], groups: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let g = 0; g < groups; g++) {
    const size = Math.floor(items.length / groups) + (g < items.length % groups ? 1 : 0);
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out.filter((group) => group.length > 0);
}

/** The outcome of sending files with `storescu` processes running at once. */
export interface StorescuRun {
  seconds: number;
  /** One line per storescu that exited with an error: its exit code and last error line. */
  failures: string[];
}

/**
 * Sends each group of files over an association of its own: one `storescu` process per group, all
 * started at once; the time runs from starting the first until the last has exited.
 */
export async function sendWithStorescu(peer: DimsePeer, groups: readonly string[][]): Promise<StorescuRun> {
  const started = performance.now();
  const runs = await Promise.all(groups.map((files) => runTool('storescu', [...peerArgs(peer), ...files])));
  const seconds = (performance.now() - started) / 1000;
  const failures = runs
    .filter((run) => run.code !== 0 || /^E: /m.test(run.log))
    .map((run) => `exit ${run.code}: ${lastErrorLine(run.log)}`);
  return { seconds, failures };
}

function lastErrorLine(log: string): string {
  const lines = log.split('\n').filter((l) => l.startsWith('E: ') || l.startsWith('F: '));
  return lines[lines.length - 1] ?? log.trim().split('\n').pop() ?? '';
}

/** One C-FIND run: its wall time, process start included, and the matches it received. */
export interface FindscuRun {
  ms: number;
  /** The identifiers of the pending responses, as `(gggg,eeee)` → value (trailing space or NUL padding removed). */
  matches: Array<Record<string, string>>;
  error?: string;
}

/** Runs `findscu` with the Study Root information model (`-S`) and `keys` (`-k` each). */
export async function runFindscu(peer: DimsePeer, keys: readonly string[]): Promise<FindscuRun> {
  const args = ['-S', ...keys.flatMap((key) => ['-k', key]), ...peerArgs(peer)];
  const started = performance.now();
  const run = await runTool('findscu', args);
  const ms = performance.now() - started;
  const matches = findResponses(run.log);
  const failed = run.code !== 0 || /^[EF]: /m.test(run.log);
  return { ms, matches, ...(failed ? { error: `exit ${run.code}: ${lastErrorLine(run.log)}` } : {}) };
}

/** The calling AE title of DCMTK's movescu, registered as a node where C-MOVE needs one. */
export const MOVESCU_AE_TITLE = 'MOVESCU';

/** One C-MOVE run: its wall time (process start included), or why it failed. */
export interface MovescuRun {
  seconds: number;
  error?: string;
}

/**
 * Runs `movescu` (Study Root, `-S`) asking `peer` to send what `keys` match to the AE title `destination`
 * (which the peer must know), and waits for the final response.
 */
export async function runMovescu(
  peer: DimsePeer,
  destination: string,
  keys: readonly string[],
): Promise<MovescuRun> {
  const args = ['-S', '-aet', MOVESCU_AE_TITLE, '-aem', destination, ...keys.flatMap((key) => ['-k', key])];
  const started = performance.now();
  const run = await runTool('movescu', [...args, ...peerArgs(peer)]);
  const seconds = (performance.now() - started) / 1000;
  const failed = run.code !== 0 || /^[EF]: /m.test(run.log);
  return { seconds, ...(failed ? { error: `exit ${run.code}: ${lastErrorLine(run.log)}` } : {}) };
}

/** The identifiers of the pending C-FIND responses that findscu logs (`I: Find Response: n (Pending)`). */
function findResponses(log: string): Array<Record<string, string>> {
  const responses: Array<Record<string, string>> = [];
  let current: Record<string, string> | undefined;
  for (const line of log.split('\n')) {
    if (/Find Response: \d+ \(Pending\)/.test(line)) {
      current = {};
      responses.push(current);
    } else if (/^I: -+$/.test(line) || /Final Find Response/.test(line)) {
      current = undefined;
    } else if (current !== undefined) {
      const element = /^I: \((\w{4},\w{4})\) \w\w \[([^\]]*)\]/.exec(line);
      if (element !== null) current[element[1]!.toUpperCase()] = element[2]!.replace(/[\s\0]+$/, '');
    }
  }
  return responses;
}

/** Resolves once something accepts TCP connections on `port` of `host`. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A DCMTK `storescp` started by the bench. */
export interface StorescpProcess {
  peer: DimsePeer;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts DCMTK's `storescp` writing what it receives to `dir` (`-od`, created if missing), one process per association
 * (`--fork`, so that several associations are served at once), on a free port; its AE title is
 * STORESCP (it accepts any called AE title).
 */
export async function startStorescp(dir: string): Promise<StorescpProcess> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const started = await startProgram('storescp', ['--fork', '-od', dir, String(port)], {
    env: { ...DCMTK_ENV },
    ready: () => accepts('127.0.0.1', port),
    timeoutMs: 10_000,
  });
  return { peer: { aeTitle: 'STORESCP', host: '127.0.0.1', port }, pid: started.pid, stop: started.stop };
}

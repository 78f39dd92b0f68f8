import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/server/dist/bench/processes.js once built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = path.join(REPO_ROOT, 'packages/server/dist/main.js');

/** A server process started by the bench. */
export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** Base URL of its HTTP port, e.g. http://127.0.0.1:40123. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * Starts the built server (`npm start` runs the same file) as a process of its own with the given
 * environment, its output going to `logFile` (as a deployment's log would), and waits for its banner
 * (as archive/durability.int.test.ts does).
 */
export async function startLightboxProcess(
  env: Record<string, string>,
  logFile: string,
  nodeArgs: readonly string[] = [],
): Promise<ServerProcess> {
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const output = () => readFileSync(logFile, 'utf8').slice(-20_000);
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /DICOMweb:\s+(http:\/\/\S+)\/dicomweb/.exec(output());
    if (match !== null) {
      return {
        child,
        pid: child.pid!,
        url: match[1]!.replace('localhost', '127.0.0.1'),
        output,
        stop: stopper(child),
      };
    }
    if (exitCode !== undefined) throw new Error(`Lightbox exited with ${exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Lightbox did not start:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a program and resolves once `ready()` answers true (polled), or rejects after `timeoutMs`. */
export async function startProgram(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; ready: () => Promise<boolean>; timeoutMs?: number },
): Promise<{ child: ChildProcess; pid: number; output(): string; stop(): Promise<void> }> {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (data: Buffer) => (output = (output + data.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${command} exited:\n${output}`);
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${command} did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, pid: child.pid!, output: () => output, stop: stopper(child) };
}

/** A free TCP port on 127.0.0.1 (for peers that need an explicit port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process from /proc/<pid>/status, in MiB: current (VmRSS) and peak (VmHWM). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Samples a process's resident memory and CPU while a phase runs. */
export class ResourceSampler {
  private timer: NodeJS.Timeout | undefined;
  private peakRssMb = 0;
  private readonly cpuStart: number;
  private readonly started = performance.now();

  constructor(
    private readonly pid: number,
    intervalMs = 50,
  ) {
    this.cpuStart = cpuSecondsOf(pid);
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const memory = memoryOf(this.pid);
    if (memory !== undefined) this.peakRssMb = Math.max(this.peakRssMb, memory.rssMb);
  }

  /** Stops sampling: the highest VmRSS seen, VmHWM now, and the process's CPU use in the phase. */
  stop(): { peakRssMb: number; hwmMb: number; cpuSeconds: number; cpuPercent: number } {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.started) / 1000;
    const cpuSeconds = cpuSecondsOf(this.pid) - this.cpuStart;
    return {
      peakRssMb: this.peakRssMb,
      hwmMb: memoryOf(this.pid)?.hwmMb ?? NaN,
      cpuSeconds,
      cpuPercent: (100 * cpuSeconds) / seconds,
    };
  }
}

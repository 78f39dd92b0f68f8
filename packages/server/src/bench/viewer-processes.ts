import { readFile, writeFile } from 'node:fs/promises';
import type { CDPSession } from 'playwright-core';

/** The processes of the tab: its renderer and the browser's GPU process. */
export interface TabProcesses {
  renderer: number;
  gpu: number | undefined;
}

type ProcessInfo = { type: string; id: number; cpuTime: number };

/** The browser's processes with the CPU time each has used (DevTools protocol, a browser session: not per page). */
export async function processCpuTimes(browserSession: CDPSession): Promise<ProcessInfo[]> {
  const { processInfo } = (await browserSession.send('SystemInfo.getProcessInfo')) as {
    processInfo: ProcessInfo[];
  };
  return processInfo;
}

/**
 * The tab's processes: the renderer that used the most CPU since `before` (the protocol does not say which
 * renderer runs which page; the viewer's parses the app and decodes, Chromium's spare renderers idle and a
 * closed context's are exiting) and the GPU process.
 */
export async function tabProcesses(browserSession: CDPSession, before: ProcessInfo[]): Promise<TabProcesses> {
  const now = await processCpuTimes(browserSession);
  const earlier = new Map(before.map((p) => [p.id, p.cpuTime]));
  const renderers = now
    .filter((p) => p.type === 'renderer')
    .map((p) => ({ id: p.id, used: p.cpuTime - (earlier.get(p.id) ?? 0) }))
    .sort((a, b) => b.used - a.used);
  if (renderers[0] === undefined) throw new Error('no renderer process');
  return { renderer: renderers[0].id, gpu: now.find((p) => p.type === 'GPU')?.id };
}

const NONE = { pss: Number.NaN, rss: Number.NaN };

/**
 * A process's proportional set size (shared pages split among their users, so processes add up) and
 * resident set, MiB, from /proc (kB there); NaN once it is gone. Reading it walks the process's page
 * tables (about 10 ms at 600 MiB), so it is read at chosen moments, not polled.
 */
export async function processMemory(pid: number | undefined): Promise<{ pss: number; rss: number }> {
  if (pid === undefined) return NONE;
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return { pss: kb('Pss') / 1024, rss: kb('Rss') / 1024 };
  } catch {
    return NONE;
  }
}

/**
 * Starts a process's peak resident set afresh (clear_refs 5: the kernel's high-water mark, VmHWM, becomes
 * the current RSS); false where that is not allowed.
 */
export async function resetPeakResident(pid: number | undefined): Promise<boolean> {
  if (pid === undefined) return false;
  return writeFile(`/proc/${pid}/clear_refs`, '5').then(
    () => true,
    () => false,
  );
}

/** The most a process has had resident since it started or since {@link resetPeakResident}, MiB. */
export async function peakResident(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

/// <reference lib="dom" />
// The functions given to page.evaluate run in the browser, where the DOM exists.
import { readFile } from 'node:fs/promises';
import type { CDPSession, Page } from 'playwright-core';

const MIB = 1024 ** 2;

/** What the viewer reports of its memory (`window.lightboxMemory()`, packages/web/src/viewer/cornerstone.ts). */
interface ViewerMemoryHook {
  budgetBytes: number;
  cacheBytes: number;
  cacheLimitBytes: number;
  volumes: { volumeId: string; slices: number; dataType: string }[];
}

/**
 * Memory of the tab, MiB: before a volume was asked for (the first image on screen), the most seen while
 * it loaded (peak), and once it was loaded.
 */
export interface TabMemory {
  /** The budget the viewer applied (its own figure, read from the page). */
  budgetMib: number;
  /** Decoded images and volumes in Cornerstone's cache. */
  cacheBeforeMib: number;
  cachePeakMib: number;
  cacheMib: number;
  /** Proportional set size (shared pages split among their users) of the renderer that runs the viewer. */
  rendererBeforeMib: number;
  rendererPeakMib: number;
  rendererMib: number;
  /** Resident set of the same renderer, for reference (counts shared pages whole). */
  rendererRssMib: number;
  /** Proportional set size of Chromium's GPU process, where SwiftShader keeps textures (the volume's too). */
  gpuBeforeMib: number;
  gpuPeakMib: number;
  gpuMib: number;
  /** The volumes in the viewer's cache: slices each was built from, and the voxel type. */
  volumes: { volumeId: string; slices: number; dataType: string }[];
}

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

/** Pss and Rss of a process from /proc (kB there), MiB; NaN once it is gone. */
async function processMemory(pid: number | undefined): Promise<{ pss: number; rss: number }> {
  if (pid === undefined) return { pss: Number.NaN, rss: Number.NaN };
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return { pss: kb('Pss') / 1024, rss: kb('Rss') / 1024 };
  } catch {
    return { pss: Number.NaN, rss: Number.NaN };
  }
}

async function viewerMemory(page: Page): Promise<ViewerMemoryHook> {
  return page.evaluate(() => {
    const hook = (window as unknown as { lightboxMemory?: () => ViewerMemoryHook }).lightboxMemory;
    if (hook === undefined) throw new Error('the viewer exposes no window.lightboxMemory');
    return hook();
  });
}

/**
 * Samples the tab's memory now and then every `intervalMs` until stopped: the renderer and GPU processes
 * from /proc, Cornerstone's cache from the page; `stop` takes a last sample and gives the three moments.
 */
export async function sampleTabMemory(
  page: Page,
  processes: TabProcesses,
  intervalMs = 500,
): Promise<{ stop(): Promise<TabMemory> }> {
  const peak = { cache: 0, renderer: 0, gpu: 0 };
  // A figure that could not be read (NaN) leaves a peak as it was.
  const most = (a: number, b: number) => (Number.isNaN(b) ? a : Math.max(a, b));
  const sample = async () => {
    const [renderer, gpu, viewer] = await Promise.all([
      processMemory(processes.renderer),
      processMemory(processes.gpu),
      // Nothing from a crashed tab.
      viewerMemory(page).catch(() => undefined),
    ]);
    peak.cache = most(peak.cache, (viewer?.cacheBytes ?? Number.NaN) / MIB);
    peak.renderer = most(peak.renderer, renderer.pss);
    peak.gpu = most(peak.gpu, gpu.pss);
    return { renderer, gpu, viewer };
  };
  const before = await sample();
  if (before.viewer === undefined) throw new Error('the viewer exposes no window.lightboxMemory');
  const { budgetBytes, cacheBytes: cacheBefore } = before.viewer;
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    // One sample at a time.
    pending = pending.then(async () => void (await sample()));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      const last = await sample();
      return {
        budgetMib: budgetBytes / MIB,
        cacheBeforeMib: cacheBefore / MIB,
        cachePeakMib: peak.cache,
        cacheMib: (last.viewer?.cacheBytes ?? Number.NaN) / MIB,
        rendererBeforeMib: before.renderer.pss,
        rendererPeakMib: peak.renderer,
        rendererMib: last.renderer.pss,
        rendererRssMib: last.renderer.rss,
        gpuBeforeMib: before.gpu.pss,
        gpuPeakMib: peak.gpu,
        gpuMib: last.gpu.pss,
        volumes: last.viewer?.volumes ?? [],
      };
    },
  };
}

/** The tab's memory once Chromium has been told memory is short, MiB. */
export interface TabMemoryUnderPressure {
  cacheMib: number;
  rendererMib: number;
  gpuMib: number;
}

/**
 * What the tab keeps when memory runs short: a critical memory-pressure notification (what the system sends
 * a low-memory device; Chromium then collects garbage and gives freed memory back) and a garbage
 * collection, then the figures again. The viewer itself does not listen for it: its cache stays.
 */
export async function tabMemoryUnderPressure(
  browserSession: CDPSession,
  page: Page,
  processes: TabProcesses,
): Promise<TabMemoryUnderPressure> {
  // Both ways: the browser's session and the page's (which reaches the renderer's own listeners).
  await browserSession.send('Memory.simulatePressureNotification', { level: 'critical' });
  const session = await page.context().newCDPSession(page);
  await session.send('Memory.simulatePressureNotification', { level: 'critical' });
  await session.send('HeapProfiler.collectGarbage');
  await session.detach();
  await page.waitForTimeout(2000);
  const [renderer, gpu, viewer] = await Promise.all([
    processMemory(processes.renderer),
    processMemory(processes.gpu),
    viewerMemory(page),
  ]);
  return { cacheMib: viewer.cacheBytes / MIB, rendererMib: renderer.pss, gpuMib: gpu.pss };
}

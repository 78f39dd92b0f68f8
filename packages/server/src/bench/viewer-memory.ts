/// <reference lib="dom" />
// The functions given to page.evaluate run in the browser, where the DOM exists.
import type { CDPSession, Page } from 'playwright-core';
import { peakResident, processMemory, resetPeakResident, type TabProcesses } from './viewer-processes.js';

const MIB = 1024 ** 2;

/** What the viewer reports of its memory (`window.lightboxMemory()`, packages/web/src/viewer/cornerstone.ts). */
interface ViewerMemoryHook {
  budgetBytes: number;
  cacheBytes: number;
  cacheLimitBytes: number;
  norm16Textures: boolean;
  volumes: { volumeId: string; slices: number; dataType: string }[];
}

/**
 * Memory of the tab, MiB: before a volume was asked for (the first image on screen), at its highest while
 * the volume loaded, and once it was loaded.
 */
export interface TabMemory {
  /** The budget the viewer applied (its own figure, read from the page). */
  budgetMib: number;
  /** Decoded images and volumes in Cornerstone's cache (peak: polled every half second). */
  cacheBeforeMib: number;
  cachePeakMib: number;
  cacheMib: number;
  /** Proportional set size of the renderer that runs the viewer. */
  rendererBeforeMib: number;
  rendererMib: number;
  /** Resident set of the renderer: before, and its high-water mark while the volume loaded. */
  rendererBeforeRssMib: number;
  rendererPeakRssMib: number;
  /** Proportional set size of Chromium's GPU process, where SwiftShader keeps textures (the volume's too). */
  gpuBeforeMib: number;
  gpuMib: number;
  gpuBeforeRssMib: number;
  gpuPeakRssMib: number;
  /** The volumes in the viewer's cache: slices each was built from, and the voxel type. */
  volumes: { volumeId: string; slices: number; dataType: string }[];
  /** The GPU kept 16-bit volumes as 16-bit textures (else 32-bit floats), as the viewer found. */
  norm16Textures: boolean;
}

async function viewerMemory(page: Page): Promise<ViewerMemoryHook> {
  return page.evaluate(() => {
    const hook = (window as unknown as { lightboxMemory?: () => ViewerMemoryHook }).lightboxMemory;
    if (hook === undefined) throw new Error('the viewer exposes no window.lightboxMemory');
    return hook();
  });
}

/**
 * Measures the tab's memory from now until stopped: the renderer and GPU processes from /proc at both ends
 * and their peaks from the kernel's high-water marks (restarted now), Cornerstone's cache from the page at
 * both ends and every `intervalMs` between (a cheap call on the page).
 */
export async function sampleTabMemory(
  page: Page,
  processes: TabProcesses,
  intervalMs = 500,
): Promise<{ stop(): Promise<TabMemory> }> {
  const [renderer, gpu, viewer] = await Promise.all([
    processMemory(processes.renderer),
    processMemory(processes.gpu),
    viewerMemory(page),
  ]);
  // Without a restarted mark (not allowed here) there is no peak: the GPU process's would be the browser's.
  const marked = (await resetPeakResident(processes.renderer)) && (await resetPeakResident(processes.gpu));
  let cachePeak = viewer.cacheBytes;
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    // One at a time; nothing from a crashed tab.
    pending = pending.then(() =>
      viewerMemory(page).then(
        (now) => void (cachePeak = Math.max(cachePeak, now.cacheBytes)),
        () => undefined,
      ),
    );
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      const [rendererPeak, gpuPeak] = await Promise.all([
        peakResident(processes.renderer),
        peakResident(processes.gpu),
      ]);
      const [rendererNow, gpuNow, viewerNow] = await Promise.all([
        processMemory(processes.renderer),
        processMemory(processes.gpu),
        viewerMemory(page).catch(() => undefined),
      ]);
      if (viewerNow !== undefined) cachePeak = Math.max(cachePeak, viewerNow.cacheBytes);
      return {
        budgetMib: viewer.budgetBytes / MIB,
        cacheBeforeMib: viewer.cacheBytes / MIB,
        cachePeakMib: cachePeak / MIB,
        cacheMib: (viewerNow?.cacheBytes ?? Number.NaN) / MIB,
        rendererBeforeMib: renderer.pss,
        rendererMib: rendererNow.pss,
        rendererBeforeRssMib: renderer.rss,
        rendererPeakRssMib: marked ? rendererPeak : Number.NaN,
        gpuBeforeMib: gpu.pss,
        gpuMib: gpuNow.pss,
        gpuBeforeRssMib: gpu.rss,
        gpuPeakRssMib: marked ? gpuPeak : Number.NaN,
        volumes: viewerNow?.volumes ?? [],
        norm16Textures: viewer.norm16Textures,
      };
    },
  };
}

/** The tab's memory once Chromium has been told memory is short, MiB (proportional set sizes). */
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

/// <reference lib="dom" />
// The functions given to page.evaluate run in the browser, where the DOM exists.
import { chromium, type Page } from 'playwright-core';
import { ctAttributes, seriesPlan } from './ct-series.js';
import { HttpClient, stowBody } from './http-client.js';
import type { ServerProcess } from './processes.js';
import { runStow, stowWorkload } from './scenarios.js';
import { syntheticCtPixels, syntheticPart10 } from './synthetic-ct.js';
import { BUDGET_CASE_SLICES, runBudgetCase, type ViewerBudgetCase } from './viewer-budget-case.js';
import { sampleTabMemory, type TabMemory } from './viewer-memory.js';
import { processCpuTimes, tabProcesses } from './viewer-processes.js';

/** Debian's Chromium; CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium; software WebGL unless the machine has a GPU Chromium can use (LIGHTBOX_BENCH_GPU=1). */
function chromiumFlags(): string[] {
  const gpu = process.env.LIGHTBOX_BENCH_GPU === '1';
  return [
    '--no-sandbox',
    ...(gpu
      ? ['--use-gl=angle', '--use-angle=vulkan', '--enable-features=Vulkan']
      : ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader']),
    '--ignore-gpu-blocklist',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--enable-precise-memory-info',
  ];
}

/** One opening of the CT in a fresh browser context (cold browser cache). */
export interface ViewerRun {
  /** Navigation start to the first image on screen (includes loading the app itself). */
  firstImageFromNavigationMs: number;
  /** Viewer page mounted to the first image (metadata request, first frame, decode, render). */
  firstImageFromViewerMs: number;
  /** A study opened from the study list (the app already loaded) to its first image. */
  firstImageFromListMs: number;
  /** MPR pressed (right after the first image) to every slice in the volume. */
  volumeReadyMs: number;
  /** Navigation start to the loaded volume. */
  volumeFromNavigationMs: number;
  /** Images rendered per second while stepping one image per animation frame through the loaded stack. */
  scrollFps: number;
  /** JS heap of the tab with the volume loaded, MB. */
  heapMb: number;
  /** The tab's memory before, while and after the volume loaded, against the viewer's budget. */
  memory: TabMemory;
}

/** What the viewer scenario measured. */
export interface ViewerReport {
  slices: number;
  renderer: string;
  runs: ViewerRun[];
  /** A CT larger than the viewer's smallest budget, opened on a browser that reports little memory. */
  budgetCase: ViewerBudgetCase;
}

async function mark(page: Page, name: string, timeoutMs = 60_000): Promise<number> {
  await page.waitForFunction((n) => performance.getEntriesByName(n, 'mark').length > 0, name, {
    timeout: timeoutMs,
  });
  return page.evaluate((n) => performance.getEntriesByName(n, 'mark')[0]!.startTime, name);
}

/** Steps the first viewport one image per animation frame for `ms`, counting renders. */
async function scrollFps(page: Page, ms: number): Promise<number> {
  return page.evaluate(async (duration) => {
    const element = document.querySelector('[data-viewport-id="viewport-0"] .viewport-element')!;
    let rendered = 0;
    const count = () => (rendered += 1);
    element.addEventListener('CORNERSTONE_IMAGE_RENDERED', count);
    let key = 'ArrowDown';
    const start = performance.now();
    while (performance.now() - start < duration) {
      const index = document.querySelector('[data-viewport-id="viewport-0"] .slice-index')?.textContent ?? '';
      const [, at = '1', of = '1'] = /Im (\d+)\/(\d+)/.exec(index) ?? [];
      if (at === of) key = 'ArrowUp';
      if (at === '1') key = 'ArrowDown';
      window.dispatchEvent(new KeyboardEvent('keydown', { key }));
      await new Promise((r) => requestAnimationFrame(r));
    }
    element.removeEventListener('CORNERSTONE_IMAGE_RENDERED', count);
    return (rendered * 1000) / (performance.now() - start);
  }, ms);
}

/**
 * The viewer targets of issue #5 in headless Chromium on this machine: a `slices`-slice 512×512 CT stored
 * by STOW-RS, opened `runs` times in fresh contexts: time to the first image, to a loaded MPR volume,
 * stack-scroll rate, the tab's JS heap and its memory against the viewer's budget; then a
 * {@link BUDGET_CASE_SLICES}-slice CT on a browser reporting little memory (the viewer's smallest budget).
 */
export async function runViewerPhase(
  start: () => Promise<ServerProcess>,
  credentials: { username: string; password: string; authorization: string },
  options: { slices: number; runs: number },
): Promise<ViewerReport> {
  const server = await start();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumFlags() });
  try {
    const pixels = syntheticCtPixels(512, 512);
    const client = new HttpClient(`${server.url}/dicomweb`, { authorization: credentials.authorization });
    const storeCt = async (slices: number, label: string) => {
      const plan = seriesPlan(slices);
      const stored = await runStow(
        { label: 'viewer', client },
        stowWorkload(
          1,
          slices,
          10,
          (_c, k) => syntheticPart10(ctAttributes(plan, k, label), pixels),
          stowBody,
        ),
      );
      if (stored.failures > 0) throw new Error(`storing the CT failed: ${stored.firstFailure}`);
      return plan;
    };
    const plan = await storeCt(options.slices, 'VIEWER');
    const cdp = await browser.newBrowserCDPSession();
    let renderer = '';
    const runs: ViewerRun[] = [];
    for (let run = 0; run < options.runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const signIn = await context.request.post(`${server.url}/api/session`, {
        data: { username: credentials.username, password: credentials.password },
      });
      if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
      const cpuBefore = await processCpuTimes(cdp);
      const page = await context.newPage();
      await page.goto(`${server.url}/viewer?StudyInstanceUIDs=${plan.studyUid}`);
      const firstImage = await mark(page, 'lightbox:first-image');
      const opened = await mark(page, 'lightbox:viewer-open');
      renderer ||= await page.evaluate(() => {
        const gl = document.createElement('canvas').getContext('webgl2');
        const info = gl?.getExtension('WEBGL_debug_renderer_info');
        return info !== null && info !== undefined && gl !== null
          ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL))
          : 'no WebGL 2';
      });
      // The volume for MPR, asked for as soon as the first image is up (the reading-room case).
      const sampler = await sampleTabMemory(page, await tabProcesses(cdp, cpuBefore));
      const mprPressed = await page.evaluate(() => performance.now());
      await page.getByRole('button', { name: 'MPR' }).click();
      const volumeReady = await mark(page, 'lightbox:volume-ready', 120_000);
      // The tab with the volume loaded and drawn (its textures are in place a moment after the last slice).
      await page.waitForTimeout(1000);
      const memory = await sampler.stop();
      await page.getByRole('button', { name: 'MPR' }).click();
      await page.locator('[data-viewport-id="viewport-0"] .slice-index').waitFor();
      // Warm the stack once (every image fetched and decoded), then measure stepping through it.
      await scrollFps(page, 3000);
      const fps = await scrollFps(page, 2000);
      const pageCdp = await context.newCDPSession(page);
      await pageCdp.send('Performance.enable');
      const { metrics } = await pageCdp.send('Performance.getMetrics');
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      // The reading-room case: the app is open on the study list, the radiologist opens the study.
      const list = await context.newPage();
      await list.goto(`${server.url}/`);
      await list.locator(`tr[data-study-uid="${plan.studyUid}"] a`).waitFor();
      // The pointer reaches the study before the click, as a reader's does (the app loads the viewer then).
      await list.locator(`tr[data-study-uid="${plan.studyUid}"] a`).hover();
      await list.waitForTimeout(1500);
      await list.locator(`tr[data-study-uid="${plan.studyUid}"] a`).click();
      const fromList = (await mark(list, 'lightbox:first-image')) - (await mark(list, 'lightbox:open-study'));
      runs.push({
        firstImageFromListMs: fromList,
        firstImageFromNavigationMs: firstImage,
        firstImageFromViewerMs: firstImage - opened,
        volumeReadyMs: volumeReady - mprPressed,
        volumeFromNavigationMs: volumeReady,
        scrollFps: fps,
        heapMb: heap / 1e6,
        memory,
      });
      await context.close();
    }
    const large = await storeCt(BUDGET_CASE_SLICES, 'VIEWERBUDGET');
    const { username, password } = credentials;
    const budgetCase = await runBudgetCase(
      browser,
      server.url,
      { username, password },
      {
        ...large,
        slices: BUDGET_CASE_SLICES,
        rows: 512,
        columns: 512,
      },
    );
    return { slices: options.slices, renderer, runs, budgetCase };
  } finally {
    await browser.close();
    await server.stop();
  }
}

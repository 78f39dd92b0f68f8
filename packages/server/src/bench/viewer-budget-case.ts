/// <reference lib="dom" />
// The functions given to page.evaluate run in the browser, where the DOM exists.
import type { Browser, Page } from 'playwright-core';
import {
  sampleTabMemory,
  tabMemoryUnderPressure,
  type TabMemory,
  type TabMemoryUnderPressure,
} from './viewer-memory.js';
import { processCpuTimes, tabProcesses } from './viewer-processes.js';

/**
 * The device the budget case pretends to be: Chromium reports `navigator.deviceMemory` (0.25–8 GB) and the
 * viewer keeps a quarter of it, at least 512 MiB (packages/web/src/viewer/memory-budget.ts). A 2 GB device
 * gets that smallest budget. The budget has no other setting, and this is how the browser tells the viewer.
 */
export const BUDGET_CASE_DEVICE_MEMORY_GB = 2;

/**
 * Slices of the budget case's 512×512 16-bit CT: 1.5 GiB as the viewer counts what the tab holds for a
 * volume with 32-bit float textures (10 bytes a voxel; 0.9 GiB, 6 bytes, with 16-bit textures), more than
 * the smallest budget, so the viewer must reduce it. (A 300-slice CT, 750 MiB, fits the 2 GB budget.)
 */
export const BUDGET_CASE_SLICES = 600;

/** A CT too large for the viewer's budget, opened in MPR: what the viewer built and what the tab held. */
export interface ViewerBudgetCase {
  slices: number;
  /** The emulated `navigator.deviceMemory`, GB. */
  deviceMemoryGb: number;
  /** The whole series as a volume, as the viewer counts it (packages/web/src/viewer/memory-budget.ts), MiB. */
  fullVolumeMib: number;
  /** Slices of the volume the viewer built (from its cache). */
  volumeSlices: number | undefined;
  /** Every k-th slice, as the viewer's notice says (1: no notice). */
  step: number;
  /** The viewer's notice, as shown. */
  notice: string;
  /** The MPR view's error message, or that the tab crashed; empty when the volume loaded. */
  error: string;
  /** MPR pressed to the volume loaded (absent when it did not load). */
  volumeMs: number | undefined;
  memory: TabMemory;
  /** The same tab after a critical memory-pressure notification (absent when the tab crashed). */
  underPressure: TabMemoryUnderPressure | undefined;
}

const TAB_CRASHED = 'the tab crashed';

/** Resolves with the time of a performance mark once the page has it. */
async function markTime(page: Page, name: string, timeoutMs: number): Promise<number> {
  await page.waitForFunction((n) => performance.getEntriesByName(n, 'mark').length > 0, name, {
    timeout: timeoutMs,
  });
  return page.evaluate((n) => performance.getEntriesByName(n, 'mark')[0]!.startTime, name);
}

/**
 * Opens the series in a fresh context whose browser says it has {@link BUDGET_CASE_DEVICE_MEMORY_GB} of
 * memory, presses MPR and waits for the volume, an error or a crash, sampling the tab's memory meanwhile.
 */
export async function runBudgetCase(
  browser: Browser,
  serverUrl: string,
  credentials: { username: string; password: string },
  study: { studyUid: string; seriesUid: string; slices: number; rows: number; columns: number },
): Promise<ViewerBudgetCase> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    // Chromium has no DevTools emulation of deviceMemory: the getter is replaced before the app runs.
    await context.addInitScript((gb) => {
      Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => gb, configurable: true });
    }, BUDGET_CASE_DEVICE_MEMORY_GB);
    const signIn = await context.request.post(`${serverUrl}/api/session`, { data: credentials });
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
    const session = await browser.newBrowserCDPSession();
    const cpuBefore = await processCpuTimes(session);
    const page = await context.newPage();
    const crashed = new Promise<string>((resolve) => page.on('crash', () => resolve(TAB_CRASHED)));
    await page.goto(`${serverUrl}/viewer?StudyInstanceUIDs=${study.studyUid}`);
    await markTime(page, 'lightbox:first-image', 60_000);
    const processes = await tabProcesses(session, cpuBefore);
    const sampler = await sampleTabMemory(page, processes);
    const pressed = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'MPR' }).click();
    const outcome = await Promise.race([
      markTime(page, 'lightbox:volume-ready', 180_000).then(
        (at) => ({ at, error: '' }),
        (e: unknown) => ({
          at: undefined,
          error: `no volume: ${e instanceof Error ? e.message : String(e)}`,
        }),
      ),
      page
        .locator('.mpr [role="alert"]')
        .waitFor()
        .then(async () => ({
          at: undefined,
          error: (await page.locator('.mpr [role="alert"]').textContent()) ?? '',
        })),
      crashed.then((error) => ({ at: undefined, error })),
    ]);
    // What is drawn is drawn once the volume is in: its textures are in place a moment later.
    await page.waitForTimeout(1000);
    const memory = await sampler.stop();
    const notice =
      (await page
        .locator('.mpr [role="note"]')
        .textContent({ timeout: 1000 })
        .catch(() => '')) ?? '';
    const underPressure =
      outcome.error === TAB_CRASHED ? undefined : await tabMemoryUnderPressure(session, page, processes);
    return {
      slices: study.slices,
      deviceMemoryGb: BUDGET_CASE_DEVICE_MEMORY_GB,
      // A 16-bit CT: 2 bytes a voxel in the cache, and the texture (2 or 4 bytes) twice.
      fullVolumeMib:
        (study.rows * study.columns * study.slices * (memory.norm16Textures ? 6 : 10)) / 1024 ** 2,
      volumeSlices: memory.volumes.find((v) => v.volumeId.includes(study.seriesUid))?.slices,
      step: Number(/every (\d+)/.exec(notice)?.[1] ?? 1),
      notice: notice.replace(/\s+/g, ' ').trim(),
      error: outcome.error,
      volumeMs: outcome.at !== undefined ? outcome.at - pressed : undefined,
      memory,
      underPressure,
    };
  } finally {
    await context.close();
  }
}

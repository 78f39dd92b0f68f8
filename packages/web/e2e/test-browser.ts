import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

/** Debian's Chromium (installed by the test command); CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots of each step are kept (a CI artifact). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../test-results/browser');

/**
 * Flags for headless Chromium on a machine without a GPU (DESIGN §3): WebGL through SwiftShader, which
 * Chrome 137+ enables only when asked, and no background network traffic on a closed network.
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** A headless Chromium (a fresh profile per launch); each page gets its own context, so its own cookies. */
export interface TestBrowser {
  newPage(
    viewport?: { width: number; height: number },
    device?: { hasTouch?: boolean; isMobile?: boolean },
  ): Promise<Page>;
  close(): Promise<void>;
}

/** Starts Debian's Chromium through playwright-core. */
export async function startTestBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    async newPage(viewport = { width: 1280, height: 800 }, device = {}) {
      const context = await browser.newContext({ viewport, ...device });
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error('page error:', error.message));
      page.on('console', (message) => {
        if (message.type() === 'error')
          console.error('page console:', message.text(), message.location().url);
      });
      return page;
    },
    async close() {
      await browser.close();
    },
  };
}

/** Keeps a screenshot of the page under {@link SCREENSHOT_DIR}. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

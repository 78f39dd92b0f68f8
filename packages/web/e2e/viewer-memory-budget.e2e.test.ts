import { generateUid, TransferSyntaxUid } from '@lightbox/dicom';
import { rleEncodeFrame, syntheticImage } from '@lightbox/dicom/test-support';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import {
  startTestLightbox,
  TEST_ADMIN_PASSWORD,
  type TestLightbox,
} from '../../server/src/test-support/test-lightbox.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';

/**
 * A 2 GB device: the viewer keeps a quarter, 512 MiB, its smallest budget. 520 slices of 512 × 512 make
 * 1.3 GiB as the viewer counts what the tab holds for a 16-bit volume with 32-bit float textures (10 bytes
 * a voxel, software WebGL), 0.8 GiB with 16-bit textures (6 bytes): too much, so it builds it from every
 * 3rd or every 2nd slice.
 */
const DEVICE_MEMORY_GB = 2;
const SLICES = 520;
const SIZE = 512;

/** What the viewer says of its memory (`window.lightboxMemory()`, viewer/cornerstone.ts). */
interface ViewerMemory {
  budgetBytes: number;
  cacheBytes: number;
  norm16Textures: boolean;
  volumes: { volumeId: string; slices: number }[];
}

/**
 * A CT of `SLICES` axial slices 1 mm apart (the synthetic CT's geometry), a water disc in air, stored RLE
 * Lossless: a few kilobytes a slice rather than half a megabyte.
 */
function longCt(studyInstanceUid: string, seriesInstanceUid: string): Uint8Array[] {
  let frame: Uint8Array | undefined;
  return Array.from({ length: SLICES }, (_, slice) =>
    syntheticImage({
      transferSyntaxUid: TransferSyntaxUid.RLELossless,
      rows: SIZE,
      columns: SIZE,
      patientId: 'BUDGET1',
      patientName: 'Budget^Long CT',
      studyInstanceUid,
      seriesInstanceUid,
      instanceNumber: slice + 1,
      // Stored value = HU + 1024: water (0 HU) inside 100 mm, air outside.
      pixelValue: (_f, row, column) => (Math.hypot(row - SIZE / 2, column - SIZE / 2) < 200 ? 1024 : 24),
      // Every slice is the same picture: encoded once.
      encodeFrame: (native) => (frame ??= rleEncodeFrame(native, SIZE, SIZE, 1, 16)),
    }),
  );
}

async function signIn(page: Page, baseUrl: string, path: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the viewer within its memory budget', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  const studyUid = generateUid();
  const seriesUid = generateUid();

  beforeAll(async () => {
    lightbox = await startTestLightbox('sqlite');
    expect(await stowObjects(lightbox, longCt(studyUid, seriesUid))).toBe(200);
    browser = await startTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await lightbox?.stop();
  });

  it(
    'builds a volume too large for the budget from every k-th slice, and says so',
    { timeout: 180_000 },
    async () => {
      const page = await browser.newPage();
      // How the browser tells the viewer the device's memory; Chromium has no emulation of it.
      await page.context().addInitScript((gb) => {
        Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => gb, configurable: true });
      }, DEVICE_MEMORY_GB);
      await signIn(page, lightbox.baseUrl, `/viewer?StudyInstanceUIDs=${studyUid}`);
      await page
        .locator('.slice-index')
        .filter({ hasText: `Im 1/${SLICES}` })
        .first()
        .waitFor();

      await page.getByRole('button', { name: 'MPR' }).click();
      await page.locator('[data-viewport-id="mpr-sagittal"] canvas').waitFor();
      await expect
        .poll(() => page.locator('.mpr .progress').count(), { timeout: 120_000, interval: 500 })
        .toBe(0);
      await screenshot(page, 'memory-budget-mpr');
      expect(await page.locator('.mpr [role="alert"]').count()).toBe(0);
      const memory = await page.evaluate(() =>
        (window as unknown as { lightboxMemory: () => ViewerMemory }).lightboxMemory(),
      );
      expect(memory.budgetBytes).toBe(512 * 1024 ** 2);
      const step = memory.norm16Textures ? 2 : 3;
      expect(await page.locator('.mpr [role="note"]').textContent()).toMatch(
        new RegExp(
          `every ${step === 2 ? '2nd' : '3rd'} slice, to stay within the viewer's memory budget of 512 MB`,
        ),
      );
      expect(memory.volumes.filter((v) => v.volumeId.includes(seriesUid)).map((v) => v.slices)).toEqual([
        Math.ceil(SLICES / step),
      ]);
      expect(memory.cacheBytes).toBeLessThanOrEqual(memory.budgetBytes);
      await page.context().close();
    },
  );
});

import { readFileSync } from 'node:fs';
import { getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../../server/src/test-support/dicomweb-client.js';
import {
  startTestLightbox,
  TEST_ADMIN_PASSWORD,
  type TestLightbox,
} from '../../server/src/test-support/test-lightbox.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';

// Debian's python3-pydicom ships one MR slice uncompressed and in compressed syntaxes: third-party data that
// the browser must decode to the same pixels (all are lossless).
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const VARIANTS = [
  ['MR_small.dcm', TransferSyntaxUid.ExplicitVRLittleEndian, 'application/octet-stream'],
  ['MR_small_RLE.dcm', TransferSyntaxUid.RLELossless, 'image/dicom-rle'],
  ['MR_small_jpeg_ls_lossless.dcm', TransferSyntaxUid.JPEGLSLossless, 'image/jls'],
  ['MR_small_jp2klossless.dcm', TransferSyntaxUid.JPEG2000Lossless, 'image/jp2'],
] as const;

/** Points of the 64×64 slice where the greys are compared. */
const POINTS = [8, 20, 32, 44, 56].flatMap((row) =>
  [8, 20, 32, 44, 56].map((column) => [column, row] as const),
);

interface ViewerAutomation {
  imageToClient(cell: number, column: number, row: number): [number, number];
}

async function greys(page: Page): Promise<number[]> {
  return page.evaluate((points) => {
    const viewer = (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer;
    const canvas = document.querySelector<HTMLCanvasElement>('[data-viewport-id="viewport-0"] canvas')!;
    const rect = canvas.getBoundingClientRect();
    const scale = canvas.width / rect.width;
    const context = canvas.getContext('2d')!;
    return points.map(([column, row]) => {
      const [x, y] = viewer.imageToClient(0, column, row);
      return context.getImageData(
        Math.floor((x - rect.left) * scale),
        Math.floor((y - rect.top) * scale),
        1,
        1,
      ).data[0]!;
    });
  }, POINTS);
}

describe('compressed transfer syntaxes decoded in the browser', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  let reference: number[] | undefined;

  beforeAll(async () => {
    // The variants share their UIDs: each upload replaces the one before.
    lightbox = await startTestLightbox('sqlite', { LIGHTBOX_DUPLICATE_POLICY: 'overwrite' });
    browser = await startTestBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await lightbox?.stop();
  });

  for (const [file, syntax, mediaType] of VARIANTS) {
    it(`shows ${file} (${syntax}) with the pixels of the uncompressed slice, decoded by the browser`, async () => {
      const bytes = readFileSync(`${PYDICOM}/${file}`);
      const object = await readPart10(bytes);
      expect(object.transferSyntaxUid).toBe(syntax);
      const { body, contentType } = multipartBody([{ bytes }]);
      const stored = await fetch(`${lightbox.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lightbox.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);

      const page = await browser.newPage({ width: 800, height: 800 });
      const frameTypes: string[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/frames/')) frameTypes.push(response.headers()['content-type'] ?? '');
      });
      await page.goto(
        `${lightbox.baseUrl}/viewer?StudyInstanceUIDs=${getString(object.dataSet, Tag.StudyInstanceUID)}`,
      );
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page
        .locator('[data-viewport-id="viewport-0"] .slice-index')
        .filter({ hasText: 'Im 1/1' })
        .waitFor();
      await page.waitForFunction(() => 'lightboxViewer' in window);
      await page.waitForTimeout(300);
      // The frame travelled as stored (PS3.18 media type of its syntax): the browser, not the server, decoded it.
      expect(frameTypes.join(' ')).toContain(`type="${mediaType}"`);
      const shown = await greys(page);
      await screenshot(page, `codec-${file.replace('.dcm', '')}`);
      if (reference === undefined) {
        reference = shown;
        expect(new Set(shown).size).toBeGreaterThan(5);
      } else {
        expect(shown.map((g, i) => Math.abs(g - reference![i]!) <= 1)).not.toContain(false);
      }
      await page.context().close();
    });
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateUid, Tag } from '@lightbox/dicom';
import { bytesElement, numberElement, syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { screenshot } from './test-browser.js';
import path from 'node:path';
import { clientPoint, exportedViewport, shownColours } from './viewer-automation.js';
import { openStudy, startViewerSession, stopViewerSession, type ViewerSession } from './viewer-session.js';

/** A 128 × 128 image of grey 100 under a window that shows it mid-grey. */
const SIZE = 128;
/** The overlay: a square on at rows 20–39, columns 60–79, placed by an origin of (11, 51), 1-based. */
const OVERLAY = { rows: 40, columns: 80, originRow: 11, originColumn: 51, on: [10, 30, 10, 30] } as const;

/** Overlay Data packed a bit a pixel, lowest bit first (PS3.5 §8.1.2); 400 bytes, sent as bulk data. */
function overlayData(): Uint8Array {
  const bytes = new Uint8Array(Math.ceil((OVERLAY.rows * OVERLAY.columns) / 8) + 1);
  const [top, bottom, left, right] = OVERLAY.on;
  for (let row = top; row < bottom; row++)
    for (let column = left; column < right; column++) {
      const bit = row * OVERLAY.columns + column;
      bytes[bit >> 3]! |= 1 << (bit & 7);
    }
  return bytes.subarray(0, bytes.length - (bytes.length % 2)); // even length
}

function imageWithOverlay(studyInstanceUid: string): Uint8Array {
  return syntheticImage({
    rows: SIZE,
    columns: SIZE,
    bitsAllocated: 16,
    bitsStored: 12,
    patientId: 'OVERLAY1',
    patientName: 'Overlay^Plane',
    studyInstanceUid,
    pixelValue: () => 100,
    extra: [
      textElement(Tag.WindowCenter, 'DS', ['100']),
      textElement(Tag.WindowWidth, 'DS', ['400']),
      numberElement(0x60000010, 'US', [OVERLAY.rows]),
      numberElement(0x60000011, 'US', [OVERLAY.columns]),
      textElement(0x60000040, 'CS', 'G'),
      numberElement(0x60000050, 'SS', [OVERLAY.originRow, OVERLAY.originColumn]),
      numberElement(0x60000100, 'US', [1]),
      numberElement(0x60000102, 'US', [0]),
      bytesElement(0x60003000, 'OW', overlayData()),
    ],
  });
}

/** Image pixels (column, row) inside the overlay's square, and outside it. */
const INSIDE: [number, number][] = [
  [61, 21],
  [70, 30],
  [79, 39],
];
const OUTSIDE: [number, number][] = [
  [59, 30],
  [80, 30],
  [70, 19],
  [70, 40],
  [10, 10],
];

/** The grey shown at each image pixel's centre (column, row) of viewport 0. */
async function greys(page: Page, points: readonly [number, number][]): Promise<number[]> {
  const colours = await shownColours(
    page,
    points.map(([column, row]) => [column + 0.5, row + 0.5] as const),
  );
  return colours.map(([red]) => red);
}

describe('overlay planes in the viewer (PS3.3 C.9)', () => {
  let session: Partial<ViewerSession> = {};
  const study = generateUid();

  beforeAll(async () => {
    session = await startViewerSession([imageWithOverlay(study)]);
  }, 60_000);
  afterAll(async () => {
    await stopViewerSession(session);
  });

  it('draws the overlay where its origin puts it on the image, follows flips and rotation, goes into an export, and hides on request', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, study, 1);
    // The overlay's bits come from the archive as bulk data: wait until they are drawn.
    await expect.poll(async () => Math.min(...(await greys(page, INSIDE))), { timeout: 15_000 }).toBe(255);
    const around = await greys(page, OUTSIDE);
    expect(Math.max(...around), 'outside the square the image shows').toBeLessThan(200);
    await screenshot(page, 'viewer-overlay-plane');

    await page.getByRole('button', { name: 'Overlays' }).click();
    await expect.poll(async () => Math.max(...(await greys(page, INSIDE)))).toBeLessThan(200);
    expect(await greys(page, INSIDE)).toEqual(
      await greys(page, [
        [20, 20],
        [21, 21],
        [22, 22],
      ]),
    );
    await page.keyboard.press('o');
    await expect.poll(async () => Math.min(...(await greys(page, INSIDE)))).toBe(255);

    // It stays on the same image pixels when the image is flipped and rotated.
    await page.keyboard.press('h');
    await page.getByRole('button', { name: 'Rotate 90°' }).click();
    await expect.poll(async () => Math.min(...(await greys(page, INSIDE)))).toBe(255);
    expect(Math.max(...(await greys(page, OUTSIDE)))).toBeLessThan(200);

    // An exported image shows the overlay as the viewport does.
    const exportedAt = await exportedViewport(page, path.join(lightbox.dataDir, 'overlay-export.png'));
    const exportedGreys = async (points: readonly [number, number][]) => {
      const values: number[] = [];
      for (const [column, row] of points)
        values.push(exportedAt(await clientPoint(page, column + 0.5, row + 0.5))[0]);
      return values;
    };
    expect(Math.min(...(await exportedGreys(INSIDE)))).toBe(255);
    expect(Math.max(...(await exportedGreys(OUTSIDE)))).toBeLessThan(200);
  });
});

import type { Page } from 'playwright-core';
import sharp from 'sharp';

/** The viewer's automation surface, `window.lightboxViewer` (viewer-page.tsx), as the tests use it. */
export interface ViewerAutomation {
  imageToClient(cell: number, column: number, row: number): [number, number];
  worldToClient(viewportId: string, world: readonly [number, number, number]): [number, number];
  currentImageIndex(cell: number): number;
  renderingCanvas(cell: number | string): HTMLCanvasElement | null;
  volumeView(viewportId: string): VolumeView | null;
}

/** The plane an MPR viewport shows, its window and slab. */
export interface VolumeView {
  focalPoint: [number, number, number];
  viewPlaneNormal: [number, number, number];
  voiRange?: { lower: number; upper: number };
  slabThickness: number;
}

/** Where an image pixel of viewport 0 is on the page. */
export async function clientPoint(page: Page, column: number, row: number): Promise<[number, number]> {
  return page.evaluate(
    ([c, r]) =>
      (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer.imageToClient(0, c, r),
    [column, row] as const,
  );
}

/** The grey shown at a point of the page in a viewport (red channel of its canvas). */
export async function greyAtClient(page: Page, viewportId: string, at: [number, number]): Promise<number> {
  return page.evaluate(
    ([id, [x, y]]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-viewport-id="${id}"] canvas`)!;
      const rect = canvas.getBoundingClientRect();
      const scale = canvas.width / rect.width;
      return canvas
        .getContext('2d')!
        .getImageData(Math.floor((x - rect.left) * scale), Math.floor((y - rect.top) * scale), 1, 1).data[0]!;
    },
    [viewportId, at] as const,
  );
}

/** The grey shown where an image pixel is in viewport 0. */
export async function displayedGrey(page: Page, column: number, row: number): Promise<number> {
  return greyAtClient(page, 'viewport-0', await clientPoint(page, column, row));
}

/** Drags the chosen tool from one point of the page to another, through their midpoint. */
export async function drag(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  await page.mouse.move(from[0], from[1]);
  await page.mouse.down();
  await page.mouse.move((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, { steps: 4 });
  await page.mouse.move(to[0], to[1], { steps: 4 });
  await page.mouse.up();
}

/** The measurements the viewer lists, in its order. */
export async function measurementTexts(page: Page): Promise<string[]> {
  return page.locator('.measurements li').allTextContents();
}

/**
 * The colour (red, green, blue) the page shows at image points (column, row) of viewport 0, from a
 * screenshot: what the user sees, layers drawn over the image's canvas (overlays, annotations) included.
 */
export async function shownColours(
  page: Page,
  points: readonly (readonly [number, number])[],
): Promise<[number, number, number][]> {
  const values: [number, number, number][] = [];
  for (const [column, row] of points) {
    const [x, y] = await clientPoint(page, column, row);
    const png = await page.screenshot({ clip: { x: Math.floor(x), y: Math.floor(y), width: 1, height: 1 } });
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    values.push([data[0]!, data[1]!, data[2]!]);
  }
  return values;
}

/**
 * Exports viewport 0 with the viewer's PNG button and gives the colour of the saved file at a point of
 * the page (the export is the viewport's canvas in device pixels).
 */
export async function exportedViewport(
  page: Page,
  file: string,
): Promise<(at: readonly [number, number]) => [number, number, number]> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'PNG' }).click(),
  ]);
  await download.saveAs(file);
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const canvas = await page.evaluate(() => {
    const element = document.querySelector<HTMLCanvasElement>('[data-viewport-id="viewport-0"] canvas')!;
    const rect = element.getBoundingClientRect();
    return { left: rect.left, top: rect.top, scale: element.width / rect.width };
  });
  return ([x, y]) => {
    const px = Math.floor((x - canvas.left) * canvas.scale);
    const py = Math.floor((y - canvas.top) * canvas.scale);
    const at = (py * info.width + px) * info.channels;
    return [data[at]!, data[at + 1]!, data[at + 2]!];
  };
}

/** The colour (red, green, blue) the page shows at points of the page, from a screenshot. */
export async function coloursAtClient(
  page: Page,
  points: readonly (readonly [number, number])[],
): Promise<[number, number, number][]> {
  const values: [number, number, number][] = [];
  for (const [x, y] of points) {
    const png = await page.screenshot({ clip: { x: Math.floor(x), y: Math.floor(y), width: 1, height: 1 } });
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    values.push([data[0]!, data[1]!, data[2]!]);
  }
  return values;
}

/** Every colour the page shows in a box of the page (a screenshot of it), row by row. */
export async function coloursInBox(
  page: Page,
  box: { x: number; y: number; width: number; height: number },
): Promise<[number, number, number][]> {
  const clip = {
    x: Math.floor(box.x),
    y: Math.floor(box.y),
    width: Math.max(1, Math.ceil(box.width)),
    height: Math.max(1, Math.ceil(box.height)),
  };
  const { data, info } = await sharp(await page.screenshot({ clip }))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const values: [number, number, number][] = [];
  for (let at = 0; at + 2 < data.length; at += info.channels)
    values.push([data[at]!, data[at + 1]!, data[at + 2]!]);
  return values;
}

/** The box of viewport 0's element on the page, where its image is drawn. */
export async function viewportBox(
  page: Page,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('[data-viewport-id="viewport-0"] > .viewport-element').boundingBox();
  if (box === null) throw new Error('viewport 0 is not shown');
  return box;
}

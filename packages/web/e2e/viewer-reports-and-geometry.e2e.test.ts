import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { generateUid, Tag, type DataElement } from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';
import type { TestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { ctPhantom, PHANTOM } from './ct-phantom.js';
import { screenshot, type TestBrowser } from './test-browser.js';
import { clientPoint } from './viewer-automation.js';
import {
  openStudy,
  reportSeries,
  retrieveFirstInstance,
  showStudy,
  signIn,
  startViewerSession,
  stopViewerSession,
} from './viewer-session.js';

/**
 * Issue #5: region statistics in saved reports and on reopening, the user's date format in the viewer and
 * on paper, orientation labels of images without Image Orientation (Patient), and pixels that are not
 * square.
 */

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const COMPUTED_RADIOGRAPHY = '1.2.840.10008.5.1.4.1.1.1';
const DIGITAL_XRAY = '1.2.840.10008.5.1.4.1.1.1.1';

/** The scanned film of the calibration tests: 400 × 300, a bar 200 pixels long at rows 140–159. */
const FILM = { rows: 300, columns: 400, barStart: 100, barEnd: 300, barRow: 150 } as const;

/**
 * An image of 100 rows × 200 columns with a bright block of 40 rows × 80 columns (rows 30–69, columns
 * 60–139): square on the patient when a pixel is twice as tall as it is wide.
 */
const TALL_PIXELS = { rows: 100, columns: 200, top: 30, bottom: 70, left: 60, right: 140 } as const;

function image(
  studyInstanceUid: string,
  sopClassUid: string,
  modality: string,
  size: { rows: number; columns: number },
  bright: (row: number, column: number) => boolean,
  extra: DataElement[],
) {
  return syntheticImage({
    ...size,
    bitsAllocated: 16,
    bitsStored: 12,
    sopClassUid,
    modality,
    patientId: `GEO-${modality}`,
    patientName: 'Geometry^Film',
    studyInstanceUid,
    studyDescription: `${modality} geometry`,
    pixelValue: (_frame, row, column) => (bright(row, column) ? 4000 : 200),
    extra: [
      textElement(Tag.WindowCenter, 'DS', ['2000']),
      textElement(Tag.WindowWidth, 'DS', ['4000']),
      ...extra,
    ],
  });
}

const filmBar = (row: number, column: number) =>
  row >= 140 && row < 160 && column >= FILM.barStart && column < FILM.barEnd;
const tallBlock = (row: number, column: number) =>
  row >= TALL_PIXELS.top &&
  row < TALL_PIXELS.bottom &&
  column >= TALL_PIXELS.left &&
  column < TALL_PIXELS.right;

/** Drags the chosen tool through image pixels (a line, a rectangle's or an ellipse's corners, an outline). */
async function drawThrough(page: Page, ...points: [number, number][]): Promise<void> {
  const client = await Promise.all(points.map(([c, r]) => clientPoint(page, c, r)));
  await page.mouse.move(client[0]![0], client[0]![1]);
  await page.mouse.down();
  for (const [x, y] of client.slice(1)) await page.mouse.move(x, y, { steps: 8 });
  await page.mouse.up();
}

/** The measurements listed, in alphabetical order rather than the viewer's. */
async function measurementTexts(page: Page): Promise<string[]> {
  return (await page.locator('.measurements li').allTextContents()).sort();
}

/** Draws a rectangle, an ellipse and a closed freehand outline with the tools of the toolbar. */
async function drawRegions(
  page: Page,
  rectangle: [[number, number], [number, number]],
  ellipse: [[number, number], [number, number]],
  outline: [number, number][],
): Promise<void> {
  await page.getByRole('button', { name: 'Rectangle' }).click();
  await drawThrough(page, ...rectangle);
  await page.getByRole('button', { name: 'Ellipse' }).click();
  await drawThrough(page, ...ellipse);
  await page.getByRole('button', { name: 'Freehand' }).click();
  await drawThrough(page, ...outline, outline[0]!);
  await expect.poll(async () => (await measurementTexts(page)).length).toBe(3);
}

async function saveAndReopen(page: Page, count: number): Promise<void> {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved 3 measurements');
  await page.reload();
  await showStudy(page, count);
}

/** The numeric items of a study's measurement report, as DCMTK's dsrdump shows them: `Minimum=91 [hnsf'U]`. */
async function reportNumbers(lightbox: TestLightbox, studyUid: string): Promise<string[]> {
  const [series] = await reportSeries(lightbox, studyUid);
  const file = await retrieveFirstInstance(lightbox, studyUid, series!, `report-${studyUid}.dcm`);
  return execFileSync('dsrdump', ['-Ec', file], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const num = /<contains NUM:\(,,"([^"]+)"\)="([^"]+)" \(([^,]*),UCUM[^,]*,/.exec(line);
      return num === null ? [] : [`${num[1]}=${num[2]} ${num[3]}`];
    });
}

/** The outlines (SCOORD POLYLINE) of a study's measurement report, as dsrdump shows them: image (column, row) points. */
async function reportOutlines(lightbox: TestLightbox, studyUid: string): Promise<[number, number][][]> {
  const [series] = await reportSeries(lightbox, studyUid);
  const file = await retrieveFirstInstance(lightbox, studyUid, series!, `outlines-${studyUid}.dcm`);
  // +Pl: every coordinate, not the first only.
  return execFileSync('dsrdump', ['-Ec', '+Pl', file], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const outline = /SCOORD:[^=]*=\(POLYLINE,([^)]*)\)/.exec(line);
      return outline === null
        ? []
        : [outline[1]!.split(',').map((point) => point.split('/').map(Number) as [number, number])];
    });
}

/** The lines of the length measurements drawn on viewport 0, as page points (start and end of each). */
async function lengthLines(page: Page): Promise<[number, number][][]> {
  return page.evaluate(() =>
    Array.from(
      document.querySelectorAll<SVGLineElement>('[data-viewport-id="viewport-0"] line[data-id$="-line"]'),
    ).map((line) => {
      const svg = line.ownerSVGElement!.getBoundingClientRect();
      const at = (x: string, y: string): [number, number] => [
        svg.left + Number(line.getAttribute(x)),
        svg.top + Number(line.getAttribute(y)),
      ];
      return [at('x1', 'y1'), at('x2', 'y2')];
    }),
  );
}

/** Whether two lists of lines hold the same lines, in any order, to within `tolerance` each way. */
function sameLines(actual: [number, number][][], expected: [number, number][][], tolerance: number): boolean {
  const near = (a: [number, number][], b: [number, number][]) =>
    a.length === b.length &&
    a.every(([x, y], i) => Math.abs(x - b[i]![0]) <= tolerance && Math.abs(y - b[i]![1]) <= tolerance);
  return (
    actual.length === expected.length && expected.every((line) => actual.some((other) => near(other, line)))
  );
}

/** How many canvas pixels of viewport 0 are bright along a screen row and a screen column through a point. */
async function brightExtent(page: Page, centre: [number, number]): Promise<{ across: number; down: number }> {
  return page.evaluate(([x, y]) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-viewport-id="viewport-0"] canvas')!;
    const rect = canvas.getBoundingClientRect();
    const scale = canvas.width / rect.width;
    const context = canvas.getContext('2d')!;
    const cx = Math.floor((x - rect.left) * scale);
    const cy = Math.floor((y - rect.top) * scale);
    const row = context.getImageData(0, cy, canvas.width, 1).data;
    const column = context.getImageData(cx, 0, 1, canvas.height).data;
    const bright = (data: Uint8ClampedArray) => {
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! > 128) count += 1;
      return count;
    };
    return { across: bright(row) / scale, down: bright(column) / scale };
  }, centre);
}

describe('region reports, dates and image geometry in Chromium (issue #5)', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  const ctStudy = generateUid();
  const calibratedFilm = generateUid();
  const scannedFilm = generateUid();
  const orientedRadiograph = generateUid();
  const aspectFilm = generateUid();
  const unequalSpacing = generateUid();

  beforeAll(async () => {
    ({ lightbox, browser } = await startViewerSession([
      ...ctPhantom({
        patientId: 'GEO-CT',
        patientName: 'Phantom^Regions',
        studyInstanceUid: ctStudy,
        seriesInstanceUid: generateUid(),
        frameOfReferenceUid: generateUid(),
      }),
      image(calibratedFilm, SECONDARY_CAPTURE, 'OT', FILM, filmBar, []),
      // A scanned film that says nothing of how it lies (Patient Orientation empty, no orientation).
      image(scannedFilm, SECONDARY_CAPTURE, 'OT', FILM, filmBar, []),
      // A radiograph placed only by Patient Orientation: the patient's left to the right, feet down.
      image(orientedRadiograph, COMPUTED_RADIOGRAPHY, 'CR', FILM, filmBar, [
        textElement(Tag.PatientOrientation, 'CS', ['L', 'F']),
      ]),
      // Pixels twice as tall as wide: by Pixel Aspect Ratio only, and by Pixel Spacing without orientation.
      image(aspectFilm, SECONDARY_CAPTURE, 'OT', TALL_PIXELS, tallBlock, [
        textElement(Tag.PixelAspectRatio, 'IS', ['2', '1']),
      ]),
      image(unequalSpacing, DIGITAL_XRAY, 'DX', TALL_PIXELS, tallBlock, [
        textElement(Tag.PixelSpacing, 'DS', ['0.2', '0.1']),
      ]),
    ]));
  });

  afterAll(() => stopViewerSession({ lightbox, browser }));

  it('saves every statistic of rectangles, ellipses and freehand regions, and reopens them as they read (HU, mm²)', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, ctStudy, PHANTOM.slices);
    const c = PHANTOM.centre;
    // Each region straddles the 100 HU disc and the water around it: minimum and maximum differ.
    await drawRegions(
      page,
      [
        [c - 44, c - 34],
        [c - 4, c - 14],
      ],
      [
        [c, c],
        [c + 28, c + 8],
      ],
      [
        [c - 10, c + 16],
        [c + 10, c + 16],
        [c + 10, c + 36],
        [c - 10, c + 36],
      ],
    );
    // Each region's statistics, once computed (Cornerstone computes them when it draws the region).
    const region =
      /^(Ellipse|Freehand|Rectangle) mean -?[\d.]+ HU SD [\d.]+ min -?\d+ max -?\d+ area [\d.]+ mm²$/;
    // The list follows Cornerstone's events (a freehand region is computed again once completed): read it
    // when it has settled.
    let drawn: string[] = [];
    const settled = async () => {
      drawn = await measurementTexts(page);
      return drawn.map((text) => region.exec(text)?.[1] ?? `not computed: ${text}`);
    };
    await expect.poll(settled).toEqual(['Ellipse', 'Freehand', 'Rectangle']);
    await page.waitForTimeout(1000);
    await expect.poll(settled).toEqual(['Ellipse', 'Freehand', 'Rectangle']);
    await screenshot(page, 'regions-1-drawn');

    await saveAndReopen(page, PHANTOM.slices);
    // The same values in the same units, each statistic (a minimum the adapters did not save read `min –`).
    await expect.poll(() => measurementTexts(page)).toEqual(drawn);
    await screenshot(page, 'regions-2-reopened');

    // Every region's minimum is in the report, in HU.
    const numbers = await reportNumbers(lightbox, ctStudy);
    expect(numbers.filter((n) => n.startsWith('Minimum=')).map((n) => n.split(' ')[1])).toEqual([
      "[hnsf'U]",
      "[hnsf'U]",
      "[hnsf'U]",
    ]);
    expect(numbers.filter((n) => n.startsWith('Area=')).map((n) => n.split(' ')[1])).toEqual([
      'mm2',
      'mm2',
      'mm2',
    ]);
    await page.context().close();
  });

  it('reopens ellipses and freehand regions measured on a calibration of the user as they read, not again in px', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, calibratedFilm, 1);
    await drawRegions(
      page,
      [
        [100, 40],
        [200, 90],
      ],
      [
        [150, 220],
        [190, 250],
      ],
      [
        [220, 20],
        [300, 20],
        [300, 100],
        [220, 100],
      ],
    );
    // The 200-pixel bar is 50 mm.
    await page.getByRole('button', { name: 'Calibrate' }).click();
    await drawThrough(page, [FILM.barStart, FILM.barRow], [FILM.barEnd, FILM.barRow]);
    const dialog = page.getByRole('dialog', { name: 'Calibrate' });
    await dialog.waitFor();
    await page.keyboard.type('50');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(
        async () =>
          (await measurementTexts(page)).filter((t) => t.endsWith('mm² (calibrated by user)')).length,
      )
      .toBe(3);
    const calibrated = await measurementTexts(page);

    await saveAndReopen(page, 1);
    // The image is measured in px again (the calibration is not kept), the regions as they were saved.
    expect(await page.locator('[data-viewport-id="viewport-0"] .spacing-note').textContent()).toBe(
      'Uncalibrated: lengths in px',
    );
    await expect.poll(() => measurementTexts(page)).toEqual(calibrated);
    await page.context().close();
  });

  it('labels the edges from Patient Orientation when there is no orientation, and not at all without either', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, orientedRadiograph, 1);
    const labels = async () =>
      Object.fromEntries(
        await Promise.all(
          ['top', 'bottom', 'left', 'right'].map(async (edge) => [
            edge,
            await page.locator(`[data-viewport-id="viewport-0"] .edge.${edge}`).textContent(),
          ]),
        ),
      );
    await expect.poll(labels).toEqual({ top: 'S', bottom: 'I', left: 'R', right: 'L' });
    await page.keyboard.press('h');
    await expect.poll(labels).toEqual({ top: 'S', bottom: 'I', left: 'L', right: 'R' });
    await screenshot(page, 'orientation-1-patient-orientation');
    await page.context().close();

    const film = await browser.newPage();
    await openStudy(film, lightbox.baseUrl, scannedFilm, 1);
    expect(await film.locator('[data-viewport-id="viewport-0"] .edge').count()).toBe(0);
    await film.context().close();
  });

  it('draws pixels that are not square in their proportions, and measures lengths across and down alike', async () => {
    for (const [study, unit, length] of [
      // Pixel Aspect Ratio 2:1 and no pixel size: px count pixel widths.
      [aspectFilm, 'px \\(uncalibrated\\)', 80],
      // Pixel Spacing 0.2 mm down, 0.1 mm across, without orientation (a radiograph): 8 mm each way.
      [unequalSpacing, 'mm \\(calibration unknown\\)', 8],
    ] as const) {
      const page = await browser.newPage();
      await openStudy(page, lightbox.baseUrl, study, 1);
      const centre = await clientPoint(
        page,
        (TALL_PIXELS.left + TALL_PIXELS.right) / 2,
        (TALL_PIXELS.top + TALL_PIXELS.bottom) / 2,
      );
      // The block is square on screen: 80 columns across as long as 40 rows down.
      await screenshot(page, `aspect-${study === aspectFilm ? 'ratio' : 'spacing'}`);
      const { across, down } = await brightExtent(page, centre);
      expect(across).toBeGreaterThan(50);
      expect(Math.abs(across / down - 1), `${across} across, ${down} down`).toBeLessThan(0.05);

      await page.getByRole('button', { name: 'Length' }).click();
      await drawThrough(page, [TALL_PIXELS.left, 20], [TALL_PIXELS.right, 20]);
      await drawThrough(page, [170, TALL_PIXELS.top], [170, TALL_PIXELS.bottom]);
      const pattern = new RegExp(`^Length ([\\d.]+) ${unit}$`);
      await expect
        .poll(async () =>
          (await measurementTexts(page)).map((text) => {
            const match = pattern.exec(text);
            return match !== null && Math.abs(Number(match[1]) - length) <= 0.02 * length ? 'right' : text;
          }),
        )
        .toEqual(['right', 'right']);
      await page.context().close();
    }
  });

  it('saves lengths on pixels that are not square at their true image coordinates, and draws them back there', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, unequalSpacing, 1);
    // Across and down the 0.1 × 0.2 mm pixels: image (column, row) points, as SCOORDs give them.
    const lines: [[number, number], [number, number]][] = [
      [
        [TALL_PIXELS.left, 20],
        [TALL_PIXELS.right, 20],
      ],
      [
        [170, TALL_PIXELS.top],
        [170, TALL_PIXELS.bottom],
      ],
    ];
    await page.getByRole('button', { name: 'Length' }).click();
    for (const line of lines) await drawThrough(page, ...line);
    await expect.poll(async () => (await measurementTexts(page)).length).toBe(2);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved 2 measurements');

    // Where they were drawn, to within half a pixel (the mouse moves by whole screen pixels); the adapters
    // alone would write them tens of pixels away (the first at 30.1\39.4 for 60\20).
    const outlines = await reportOutlines(lightbox, unequalSpacing);
    expect(sameLines(outlines, lines, 0.5), JSON.stringify(outlines)).toBe(true);

    await page.reload();
    await showStudy(page, 1);
    const onScreen = await Promise.all(
      lines.map((line) => Promise.all(line.map(([column, row]) => clientPoint(page, column, row)))),
    );
    await expect
      .poll(async () => {
        const drawnBack = await lengthLines(page);
        return sameLines(drawnBack, onScreen, 2) ? 'where drawn' : JSON.stringify({ drawnBack, onScreen });
      })
      .toBe('where drawn');
    await screenshot(page, 'aspect-spacing-lengths-reopened');
    await page.context().close();
  });

  it("writes the study date in the viewer's overlays and on paper as the user chose to read dates", async () => {
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl, '/settings');
    const form = page.getByRole('form', { name: 'Settings' });
    await form.getByRole('radio', { name: /As your browser writes them/ }).check();
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Settings saved');

    await page.goto(`${lightbox.baseUrl}/viewer?StudyInstanceUIDs=${ctStudy}`);
    await showStudy(page, PHANTOM.slices);
    // The phantom's study date, 2024-03-01, as the browser writes dates.
    const localDate = await page.evaluate(() =>
      new Date(Date.UTC(2024, 2, 1, 12)).toLocaleDateString(undefined, { timeZone: 'UTC' }),
    );
    expect(localDate).not.toBe('2024-03-01');
    await expect
      .poll(() => page.locator('[data-viewport-id="viewport-0"] .study-date').textContent())
      .toBe(localDate);
    expect(await page.locator('.study-header').first().textContent()).toContain(localDate);

    await page.getByRole('button', { name: 'Print…' }).click();
    await page.getByLabel('Images per page').selectOption('1');
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Create PDF' }).click(),
    ]);
    const pdfFile = path.join(lightbox.dataDir, 'dates.pdf');
    await pdf.saveAs(pdfFile);
    const header = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(header).toContain(localDate);
    expect(header).not.toContain('2024-03-01');
    await page.context().close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateUid, Tag, type DataElement } from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';
import type { TestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { ctPhantom, PHANTOM, phantomHu } from './ct-phantom.js';
import { screenshot, type TestBrowser } from './test-browser.js';
import {
  clientPoint,
  displayedGrey,
  drag,
  measurementTexts,
  type ViewerAutomation,
  type VolumeView,
} from './viewer-automation.js';
import {
  openStudy,
  reopenStudy,
  reportSeries,
  retrieveFirstInstance,
  startViewerSession,
  stopViewerSession,
} from './viewer-session.js';

/** SOP classes of the films: Secondary Capture (a scanned film) and Digital X-Ray for Presentation. */
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const DIGITAL_XRAY = '1.2.840.10008.5.1.4.1.1.1.1';
/** Imager Pixel Spacing (0018,1164), not in the dictionary's short list of tags. */
const IMAGER_PIXEL_SPACING = 0x00181164;

/** The film: 400 × 300 pixels, a bright bar exactly 200 pixels long (columns 100–299, rows 140–159). */
const FILM = { rows: 300, columns: 400, barStart: 100, barEnd: 300, barRow: 150 } as const;

/** A single film image whose pixel size is only what `spacing` says (nothing when empty). */
function film(studyInstanceUid: string, sopClassUid: string, modality: string, spacing: DataElement[]) {
  return syntheticImage({
    rows: FILM.rows,
    columns: FILM.columns,
    bitsAllocated: 16,
    bitsStored: 12,
    sopClassUid,
    modality,
    patientId: 'FILM1',
    patientName: 'Film^Scanned',
    studyInstanceUid,
    studyDescription: `${modality} film`,
    pixelValue: (_frame, row, column) =>
      row >= 140 && row < 160 && column >= FILM.barStart && column < FILM.barEnd ? 4000 : 200,
    extra: [
      textElement(Tag.WindowCenter, 'DS', ['2000']),
      textElement(Tag.WindowWidth, 'DS', ['4000']),
      ...spacing,
    ],
  });
}

/** Draws with the chosen tool from one image pixel to another. */
async function drawLine(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  await drag(page, await clientPoint(page, ...from), await clientPoint(page, ...to));
}

/** Measures a film: 100 pixels along the bar (below it), and a 100 × 50 pixel rectangle above it. */
async function drawLengthAndRectangle(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Length' }).click();
  await drawLine(page, [100, 200], [200, 200]);
  await page.getByRole('button', { name: 'Rectangle' }).click();
  await drawLine(page, [100, 50], [200, 100]);
}

/** What {@link drawLengthAndRectangle} reads on a film without a pixel size (see {@link measurementsRead}). */
const UNCALIBRATED: [RegExp, number][] = [
  [/^Length ([\d.]+) px \(uncalibrated\)$/, 100],
  [/^Rectangle mean [\d.]+ SD [\d.]+ min \d+ max \d+ area ([\d.]+) px² \(uncalibrated\)$/, 5000],
];

/** What it reads once the user calibrates the 200-pixel bar as 50 mm: 4 pixels a millimetre. */
const CALIBRATED: [RegExp, number][] = [
  [/^Length ([\d.]+) mm \(calibrated by user\)$/, 25],
  [/^Rectangle mean [\d.]+ SD [\d.]+ min \d+ max \d+ area ([\d.]+) mm² \(calibrated by user\)$/, 5000 / 16],
];

/**
 * Whether the measurements listed are the expected ones, in any order, each reading its value (within a
 * relative tolerance) in the expected words: `[/^Length ([\d.]+) px \(uncalibrated\)$/, 100]`. Gives the
 * texts when not, for the failure message.
 */
async function measurementsRead(
  page: Page,
  expected: [RegExp, number][],
  tolerance = 0.01,
): Promise<true | string> {
  const texts = await measurementTexts(page);
  const unmatched = [...texts];
  for (const [pattern, value] of expected) {
    const index = unmatched.findIndex((text) => {
      const match = pattern.exec(text);
      return match !== null && Math.abs(Number(match[1]) - value) <= tolerance * value;
    });
    if (index < 0) break;
    unmatched.splice(index, 1);
  }
  return texts.length === expected.length && unmatched.length === 0 ? true : texts.join(' | ');
}

/** Saves what is drawn and waits for the viewer to say so. */
async function saveMeasurements(page: Page, count: number): Promise<void> {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => page.getByRole('status').textContent()).toBe(`Saved ${count} measurements`);
}

/** A numeric content item of a measurement report, as DCMTK's dsrdump shows it. */
interface ReportNumber {
  concept: string;
  value: number;
  /** Code value and meaning of its unit: `{pixels} pixels`. */
  unit: string;
  /** Its concept modifiers (`Measurement Method = Calibration Object Used`). */
  modifiers: string[];
}

/**
 * The numbers of the newest measurement report of a study, as the archive gives the file back (WADO-RS)
 * and DCMTK's dsrdump reads its content tree, with what dciodvfy finds wrong with it.
 */
async function storedReport(
  lightbox: TestLightbox,
  studyUid: string,
): Promise<{ numbers: ReportNumber[]; errors: string[] }> {
  const series = await reportSeries(lightbox, studyUid);
  expect(series).toHaveLength(1);
  const file = await retrieveFirstInstance(lightbox, studyUid, series[0]!, `report-${studyUid}.dcm`);
  // dsrdump shows a content item a line, its children indented below it (+Pl: texts in full).
  const lines = execFileSync('dsrdump', ['-Ec', '+Pl', file], { encoding: 'utf8' }).split('\n');
  const indent = (line: string) => line.length - line.trimStart().length;
  const numbers = lines.flatMap((line, index): ReportNumber[] => {
    const num = /<contains NUM:\(,,"([^"]+)"\)="([^"]+)" \(([^,]*),UCUM,"([^"]*)"\)>/.exec(line);
    if (num === null) return [];
    const below = lines.slice(index + 1);
    const end = below.findIndex((child) => indent(child) <= indent(line));
    const modifiers = below.slice(0, end < 0 ? undefined : end).flatMap((child) => {
      // A coded modifier shows its code's meaning; a text modifier, its text.
      const modifier =
        /<has concept mod (?:CODE|TEXT):\(,,"([^"]+)"\)=(?:\([^,]*,[^,]*,"([^"]*)"\)|"([^"]*)")>/.exec(child);
      return modifier === null ? [] : [`${modifier[1]} = ${modifier[2] ?? modifier[3]}`];
    });
    return [{ concept: num[1]!, value: Number(num[2]), unit: `${num[3]} ${num[4]}`, modifiers }];
  });
  const validation = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const errors = `${validation.stdout}${validation.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
  return { numbers, errors };
}

/**
 * Takes the WebGL context of a viewport (viewport 0 unless named) away, as a GPU reset does (kept on the
 * page to give it back), and blacks the viewports out as a reset leaves them: headless Chromium keeps the
 * last picture, so only a new drawing brings the images back.
 */
async function loseGraphics(page: Page, viewportIds: string[] = ['viewport-0']): Promise<void> {
  await page.evaluate((ids) => {
    const viewer = (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer;
    const canvas = viewer.renderingCanvas(ids[0]!)!;
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    const extension = gl!.getExtension('WEBGL_lose_context')!;
    (window as unknown as { lostGraphics: WEBGL_lose_context }).lostGraphics = extension;
    extension.loseContext();
    for (const id of ids) {
      const shown = document.querySelector<HTMLCanvasElement>(`[data-viewport-id="${id}"] canvas`)!;
      const context = shown.getContext('2d')!;
      context.fillStyle = '#000';
      context.fillRect(0, 0, shown.width, shown.height);
    }
  }, viewportIds);
}

/** The greys (red channel) a viewport's canvas shows, on a 24 × 24 grid. */
async function shownGreys(page: Page, viewportId: string): Promise<number[]> {
  return page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-viewport-id="${id}"] canvas`)!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const greys: number[] = [];
    for (let i = 0; i < 24; i++)
      for (let j = 0; j < 24; j++) {
        const x = Math.floor(((j + 0.5) * canvas.width) / 24);
        const y = Math.floor(((i + 0.5) * canvas.height) / 24);
        greys.push(data[(y * canvas.width + x) * 4]!);
      }
    return greys;
  }, viewportId);
}

/** The mean difference between two pictures' greys. */
function meanDifference(a: number[], b: number[]): number {
  return a.reduce((sum, grey, i) => sum + Math.abs(grey - (b[i] ?? 0)), 0) / a.length;
}

describe('calibration and lost graphics in Chromium', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  const scannedFilm = generateUid();
  const detectorFilm = generateUid();
  const unplacedRadiograph = generateUid();
  const ctStudy = generateUid();
  const pixelReportFilm = generateUid();
  const calibratedReportFilm = generateUid();

  beforeAll(async () => {
    ({ lightbox, browser } = await startViewerSession([
      // A scanned film: neither Pixel Spacing nor Imager Pixel Spacing.
      film(scannedFilm, SECONDARY_CAPTURE, 'OT', []),
      // A radiograph measured at the detector: 0.2 mm pixels there.
      film(detectorFilm, DIGITAL_XRAY, 'DX', [textElement(IMAGER_PIXEL_SPACING, 'DS', ['0.2', '0.2'])]),
      // A radiograph with Pixel Spacing but, as radiographs go, no position in the patient.
      film(unplacedRadiograph, DIGITAL_XRAY, 'DX', [textElement(Tag.PixelSpacing, 'DS', ['0.25', '0.25'])]),
      // Scanned films whose measurements are saved: one measured in px, one calibrated first.
      film(pixelReportFilm, SECONDARY_CAPTURE, 'OT', []),
      film(calibratedReportFilm, SECONDARY_CAPTURE, 'OT', []),
      ...ctPhantom({
        patientId: 'PH002',
        patientName: 'Phantom^Graphics',
        studyInstanceUid: ctStudy,
        seriesInstanceUid: generateUid(),
        frameOfReferenceUid: generateUid(),
      }),
    ]));
  });

  afterAll(() => stopViewerSession({ lightbox, browser }));

  it('measures an image without pixel spacing in px, uncalibrated, until a line of known length calibrates it', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, scannedFilm, 1);
    const overlay = page.locator('[data-viewport-id="viewport-0"] .spacing-note');
    expect(await overlay.textContent()).toBe('Uncalibrated: lengths in px');

    await drawLengthAndRectangle(page);
    await expect.poll(() => measurementsRead(page, UNCALIBRATED, 0.02)).toBe(true);
    await screenshot(page, 'calibration-1-uncalibrated');

    // A calibration line over the 200-pixel bar asks for its true length, in a keyboard-driven dialog.
    await page.getByRole('button', { name: 'Calibrate' }).click();
    await drawLine(page, [FILM.barStart, FILM.barRow], [FILM.barEnd, FILM.barRow]);
    const dialog = page.getByRole('dialog', { name: 'Calibrate' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/The line measures (199\.\d\d|200\.\d\d) px \(uncalibrated\)/);
    const field = dialog.getByLabel('True length (mm)');
    expect(await field.evaluate((input) => input === document.activeElement)).toBe(true);
    // Nothing usable: the dialog says why and stays.
    await page.keyboard.type('0');
    await page.keyboard.press('Enter');
    await dialog.getByText('The length must be more than 0 mm.').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    // Tab stays inside the dialog.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await field.evaluate((input) => input === document.activeElement)).toBe(true);
    await page.keyboard.press('Backspace');
    await page.keyboard.type('50');
    await screenshot(page, 'calibration-2-dialog');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });

    // 4 pixels a millimetre now: what was measured reads again in mm, and says who calibrated it.
    await expect.poll(() => measurementsRead(page, CALIBRATED, 0.02)).toBe(true);
    expect(await overlay.textContent()).toBe('Calibrated by user');

    // The length tool is back; a new 100-pixel line reads 25 mm.
    expect(await page.getByRole('button', { name: 'Length' }).getAttribute('aria-pressed')).toBe('true');
    await drawLine(page, [100, 250], [200, 250]);
    const withNewLength: [RegExp, number][] = [
      ...CALIBRATED,
      [/^Length ([\d.]+) mm \(calibrated by user\)$/, 25],
    ];
    await expect.poll(() => measurementsRead(page, withNewLength, 0.01)).toBe(true);
    await screenshot(page, 'calibration-3-calibrated');

    // Escape drops a calibration line without changing the scale.
    await page.getByRole('button', { name: 'Calibrate' }).click();
    await drawLine(page, [100, 20], [150, 20]);
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForTimeout(300);
    expect(await measurementsRead(page, withNewLength, 0.01)).toBe(true);
    await page.context().close();
  });

  it('saves lengths and areas measured in px as pixels in the SR (not mm), and reads them in px when the study reopens', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, pixelReportFilm, 1);
    await drawLengthAndRectangle(page);
    await expect.poll(() => measurementsRead(page, UNCALIBRATED, 0.02)).toBe(true);
    await saveMeasurements(page, 2);

    // The archived report says pixels: {pixels} and square pixels, never mm; the film's grey values
    // have no unit. No calibration is claimed.
    const { numbers, errors } = await storedReport(lightbox, pixelReportFilm);
    expect(errors).toEqual([]);
    const length = numbers.find((n) => n.concept === 'Length');
    const area = numbers.find((n) => n.concept === 'Area');
    expect(length).toMatchObject({ unit: '{pixels} pixels', modifiers: [] });
    expect(Math.abs(length!.value - 100)).toBeLessThanOrEqual(2);
    expect(area).toMatchObject({ unit: '{pixels2} square pixels', modifiers: [] });
    expect(Math.abs(area!.value - 5000)).toBeLessThanOrEqual(100);
    expect(numbers.find((n) => n.concept === 'Mean')).toMatchObject({ unit: '1 no units' });
    expect(numbers.filter((n) => n.unit.startsWith('mm'))).toEqual([]);

    // Reopened: the same values (the rectangle's minimum too), still in px.
    await reopenStudy(page, 1);
    await expect.poll(() => measurementsRead(page, UNCALIBRATED, 0.02)).toBe(true);
    await screenshot(page, 'calibration-4-reopened-px');
    await page.context().close();
  });

  it('saves calibrated lengths and areas in mm with the user calibration noted, and reads them so when the study reopens', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, calibratedReportFilm, 1);
    await drawLengthAndRectangle(page);
    // The 200-pixel bar is 50 mm: 4 pixels a millimetre.
    await page.getByRole('button', { name: 'Calibrate' }).click();
    await drawLine(page, [FILM.barStart, FILM.barRow], [FILM.barEnd, FILM.barRow]);
    const dialog = page.getByRole('dialog', { name: 'Calibrate' });
    await dialog.waitFor();
    await page.keyboard.type('50');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => measurementsRead(page, CALIBRATED, 0.02)).toBe(true);
    await saveMeasurements(page, 2);

    // mm and mm2, each with its measurement method: calibrated from an object of known size.
    const { numbers, errors } = await storedReport(lightbox, calibratedReportFilm);
    expect(errors).toEqual([]);
    const calibration = [
      'Measurement Method = Calibration Object Used',
      expect.stringMatching(/^Equivalent Meaning of Concept Name = .*calibrated by the user/),
    ];
    const length = numbers.find((n) => n.concept === 'Length');
    const area = numbers.find((n) => n.concept === 'Area');
    expect(length).toMatchObject({ unit: 'mm millimeter', modifiers: calibration });
    expect(Math.abs(length!.value - 25)).toBeLessThanOrEqual(0.5);
    expect(area).toMatchObject({ unit: 'mm2 square millimeter', modifiers: calibration });
    expect(Math.abs(area!.value - 5000 / 16)).toBeLessThanOrEqual(6);
    // Grey values do not rest on the calibration.
    expect(numbers.find((n) => n.concept === 'Mean')).toMatchObject({ unit: '1 no units', modifiers: [] });

    // Reopened: the calibration itself is not kept, but what was measured with it still reads so.
    await reopenStudy(page, 1);
    await expect.poll(() => measurementsRead(page, CALIBRATED, 0.02)).toBe(true);
    expect(await page.locator('[data-viewport-id="viewport-0"] .spacing-note').textContent()).toBe(
      'Uncalibrated: lengths in px',
    );
    await screenshot(page, 'calibration-5-reopened-calibrated');
    await page.context().close();
  });

  it('measures a radiograph at the detector from Imager Pixel Spacing, and in mm from Pixel Spacing without a position', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, detectorFilm, 1);
    expect(await page.locator('[data-viewport-id="viewport-0"] .spacing-note').textContent()).toBe(
      'Lengths at detector',
    );
    await page.getByRole('button', { name: 'Length' }).click();
    await drawLine(page, [FILM.barStart, FILM.barRow], [FILM.barEnd, FILM.barRow]);
    // 200 pixels of 0.2 mm.
    await expect
      .poll(() => measurementsRead(page, [[/^Length ([\d.]+) mm \(at detector\)$/, 40]]))
      .toBe(true);

    await page.context().close();

    const unplaced = await browser.newPage();
    await openStudy(unplaced, lightbox.baseUrl, unplacedRadiograph, 1);
    await unplaced.getByRole('button', { name: 'Length' }).click();
    await drawLine(unplaced, [FILM.barStart, FILM.barRow], [FILM.barEnd, FILM.barRow]);
    // 200 pixels of 0.25 mm; a radiograph's Pixel Spacing does not say where it was measured.
    await expect
      .poll(() => measurementsRead(unplaced, [[/^Length ([\d.]+) mm \(calibration unknown\)$/, 50]]))
      .toBe(true);
    await unplaced.context().close();
  });

  it('draws the images again after the browser takes the WebGL context away, on the CPU when it keeps failing', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, ctStudy, PHANTOM.slices);
    // The fifth image, in the lung window: water shows light grey (it is dark in the file's own window).
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await page
      .locator('.slice-index')
      .filter({ hasText: `Im 5/${PHANTOM.slices}` })
      .waitFor();
    await page.keyboard.press('2');
    const water = [PHANTOM.centre, PHANTOM.centre - 30] as const;
    expect(phantomHu(PHANTOM.slices - 5, water[1], water[0])).toBe(0);
    const lungWindowGrey = Math.round(((0 - (-600 - 1500 / 2)) / 1500) * 255);
    const showsWaterInLungWindow = async () =>
      Math.abs((await displayedGrey(page, ...water)) - lungWindowGrey) <= 6;
    await expect.poll(showsWaterInLungWindow).toBe(true);
    const status = page.locator('.graphics-status');
    expect(await status.textContent()).toBe('');

    await loseGraphics(page);
    await expect.poll(() => status.textContent()).toBe('Graphics were reset; restoring the display…');
    expect(await displayedGrey(page, ...water)).toBe(0);
    await screenshot(page, 'graphics-1-lost');
    await page.evaluate(() =>
      (window as unknown as { lostGraphics: WEBGL_lose_context }).lostGraphics.restoreContext(),
    );
    await expect.poll(() => status.textContent()).toBe('Graphics were reset; the display is restored.');
    // The same image in the same window, drawn again.
    await expect.poll(showsWaterInLungWindow, { timeout: 15_000 }).toBe(true);
    expect(
      await page.evaluate(() =>
        (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer.currentImageIndex(0),
      ),
    ).toBe(4);
    expect(await page.locator('.slice-index').textContent()).toBe(`Im 5/${PHANTOM.slices}`);
    await screenshot(page, 'graphics-2-restored');

    // Lost again at once: the graphics card cannot be relied on, the viewer draws on the CPU.
    await loseGraphics(page);
    await expect
      .poll(() => status.textContent())
      .toBe(
        'Graphics could not be restored; images are now drawn without the graphics card (slower; no MPR or 3D).',
      );
    await expect.poll(showsWaterInLungWindow, { timeout: 15_000 }).toBe(true);
    expect(
      await page.evaluate(() => {
        const viewer = (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer;
        return [viewer.currentImageIndex(0), viewer.renderingCanvas(0)];
      }),
    ).toEqual([4, null]);
    expect(await page.getByRole('button', { name: 'MPR' }).isDisabled()).toBe(true);
    await screenshot(page, 'graphics-3-software');
    await page.context().close();
  });

  it('shows an open MPR again at the slices, windows and slab it showed after the WebGL context is lost', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, ctStudy, PHANTOM.slices);
    await page.getByRole('button', { name: 'MPR' }).click();
    await page.locator('[data-viewport-id="mpr-sagittal"] canvas').waitFor();
    await expect.poll(() => page.locator('.mpr .progress').count(), { timeout: 30_000 }).toBe(0);
    const planes = ['mpr-axial', 'mpr-sagittal', 'mpr-coronal'];
    const views = () =>
      page.evaluate(
        (ids) =>
          ids.map((id) =>
            (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer.volumeView(id),
          ),
        planes,
      );
    await expect.poll(async () => (await views()).every((v) => v?.voiRange !== undefined)).toBe(true);
    const opened = await views();

    // In the axial and sagittal planes: another window (dragged with W/L), then other slices (the wheel).
    await page.getByRole('button', { name: 'W/L', exact: true }).click();
    for (const id of ['mpr-axial', 'mpr-sagittal']) {
      const box = (await page.locator(`[data-viewport-id="${id}"] canvas`).boundingBox())!;
      // Away from the crosshairs (through the centre), which the left button would move otherwise.
      const x = box.x + box.width * 0.2;
      const y = box.y + box.height * 0.8;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + 40, y - 30, { steps: 5 });
      await page.mouse.up();
      await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.2);
      for (let i = 0; i < 3; i++) {
        await page.mouse.wheel(0, 100);
        await page.waitForTimeout(100);
      }
    }
    // A 20 mm maximum intensity slab.
    await page.getByRole('button', { name: 'MIP', exact: true }).click();
    await page.getByLabel('Slab thickness').selectOption('20');
    await page.waitForTimeout(500);
    const before = await views();
    const depth = (view: VolumeView | null) =>
      view!.focalPoint.reduce((sum, x, k) => sum + x * view!.viewPlaneNormal[k]!, 0);
    for (const k of [0, 1]) {
      expect(Math.abs(depth(before[k]!) - depth(opened[k]!))).toBeGreaterThan(1);
      expect(before[k]!.voiRange).not.toEqual(opened[k]!.voiRange);
      expect(before[k]!.slabThickness).toBe(20);
    }
    const greysBefore = await Promise.all(planes.map((id) => shownGreys(page, id)));
    await screenshot(page, 'graphics-mpr-1-before');

    const status = page.locator('.graphics-status');
    await loseGraphics(page, planes);
    await expect.poll(() => status.textContent()).toBe('Graphics were reset; restoring the display…');
    await page.evaluate(() =>
      (window as unknown as { lostGraphics: WEBGL_lose_context }).lostGraphics.restoreContext(),
    );
    await expect.poll(() => status.textContent()).toBe('Graphics were reset; the display is restored.');
    // MPR is open again, each plane at the slice, orientation, window and slab it showed.
    const close = (a: VolumeView | null, b: VolumeView | null) =>
      a !== null &&
      b !== null &&
      a.focalPoint.every((x, k) => Math.abs(x - b.focalPoint[k]!) < 1e-3) &&
      a.viewPlaneNormal.every((x, k) => Math.abs(x - b.viewPlaneNormal[k]!) < 1e-3) &&
      Math.abs((a.voiRange?.lower ?? NaN) - (b.voiRange?.lower ?? NaN)) < 1e-3 &&
      Math.abs((a.voiRange?.upper ?? NaN) - (b.voiRange?.upper ?? NaN)) < 1e-3 &&
      a.slabThickness === b.slabThickness;
    await expect
      .poll(async () => (await views()).map((view, k) => close(view, before[k]!)), { timeout: 30_000 })
      .toEqual([true, true, true]);
    expect(await page.getByRole('button', { name: 'MIP', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(await page.getByLabel('Slab thickness').inputValue()).toBe('20');
    // And draws the same pictures.
    await expect
      .poll(
        async () => {
          const greys = await Promise.all(planes.map((id) => shownGreys(page, id)));
          return greys.map((g, k) => meanDifference(g, greysBefore[k]!) < 2);
        },
        { timeout: 15_000 },
      )
      .toEqual([true, true, true]);
    await screenshot(page, 'graphics-mpr-2-restored');

    // Lost again at once: on the CPU, without MPR, the stacks are shown.
    await loseGraphics(page, planes);
    await expect
      .poll(() => status.textContent())
      .toBe(
        'Graphics could not be restored; images are now drawn without the graphics card (slower; no MPR or 3D).',
      );
    await page.locator('[data-viewport-id="viewport-0"] canvas').waitFor();
    expect(await page.locator('.mpr').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'MPR' }).isDisabled()).toBe(true);
    await page.context().close();
  });
});

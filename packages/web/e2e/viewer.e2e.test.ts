import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateUid } from '@lightbox/dicom';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import type { TestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { coronalPhantom, ctPhantom, PHANTOM, phantomHu } from './ct-phantom.js';
import { SCREENSHOT_DIR, screenshot, type TestBrowser } from './test-browser.js';
import {
  clientPoint,
  displayedGrey,
  greyAtClient,
  drag,
  measurementTexts,
  type ViewerAutomation,
} from './viewer-automation.js';
import {
  openStudy,
  reopenStudy,
  retrieveFirstInstance,
  showStudy,
  signIn,
  startViewerSession,
  stopViewerSession,
} from './viewer-session.js';

/** The grey level (0–255) of a linear VOI window (PS3.3 C.11.2.1.2.1) for a value in modality units. */
function expectedGrey(hu: number, center: number, width: number): number {
  const low = center - width / 2;
  return Math.round(Math.min(1, Math.max(0, (hu - low) / width)) * 255);
}

/** The grey shown where a patient-space point (mm) is in a viewport. */
async function greyAtWorld(page: Page, viewportId: string, world: [number, number, number]): Promise<number> {
  const at = await page.evaluate(
    ([id, point]) =>
      (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer.worldToClient(id, point),
    [viewportId, world] as const,
  );
  return greyAtClient(page, viewportId, at);
}

/** One attribute of a file as DCMTK's dcmdump shows it. */
function dumpValue(file: string, tag: string): string {
  const line = execFileSync('dcmdump', ['+P', tag, file], { encoding: 'utf8' });
  return /\[([^\]]*)\]/.exec(line)?.[1] ?? '';
}

/** What dciodvfy (dicom3tools) says of a file: the IOD it checked it against, and the errors it found. */
function validate(file: string): { iod: string; errors: string[] } {
  const run = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const lines = `${run.stdout}${run.stderr}`.split('\n');
  return { iod: lines[0] ?? '', errors: lines.filter((line) => line.startsWith('Error')) };
}

describe('web app and viewer in Chromium', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  const studyUid = generateUid();
  const priorUid = generateUid();
  const frameOfReferenceUid = generateUid();

  beforeAll(async () => {
    ({ lightbox, browser } = await startViewerSession([
      ...ctPhantom({
        patientId: 'PH001',
        patientName: 'Phantom^Water',
        studyInstanceUid: studyUid,
        seriesInstanceUid: generateUid(),
        frameOfReferenceUid,
      }),
      // The same patient's CT a year earlier: the relevant prior.
      ...ctPhantom({
        patientId: 'PH001',
        patientName: 'Phantom^Water',
        studyInstanceUid: priorUid,
        seriesInstanceUid: generateUid(),
        frameOfReferenceUid: generateUid(),
        studyDate: '20230301',
        accessionNumber: 'PHANTOM0',
      }),
      ...ctPhantom({
        patientId: 'OTHER1',
        patientName: 'Other^Patient',
        studyInstanceUid: generateUid(),
        seriesInstanceUid: generateUid(),
        frameOfReferenceUid: generateUid(),
        studyDescription: 'Another study',
      }).slice(0, 2),
    ]));
  });

  afterAll(() => stopViewerSession({ lightbox, browser }));

  it('loads the study list without the viewer’s code, and the viewer’s code when a study is opened', async () => {
    const page = await browser.newPage();
    // Every script the page fetches, with the bytes that travelled (gzipped by the server).
    const scripts: { url: string; bytes: number }[] = [];
    page.on('requestfinished', (request) => {
      if (!new URL(request.url()).pathname.endsWith('.js')) return;
      void request
        .sizes()
        .then((sizes) => scripts.push({ url: request.url(), bytes: sizes.responseBodySize }));
    });
    const loaded = (pattern: RegExp) => scripts.filter((s) => pattern.test(new URL(s.url).pathname));

    await signIn(page, lightbox.baseUrl);
    await expect.poll(() => page.locator('table.studies tbody tr').count()).toBe(3);
    await page.getByLabel('Patient name').fill('phan');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('table.studies tbody tr').count()).toBe(2);
    // Time for anything fetched when the browser is idle.
    await page.waitForTimeout(1500);
    expect(scripts.length).toBeGreaterThan(0);
    expect(loaded(/\/(viewer-page|dcmjs|measurement-sr|jspdf|ris-pages)[-.]/)).toEqual([]);
    // The study list's scripts (entry chunk: React, the shell, the study list, the small pages) measured
    // about 91 kB gzipped; the viewer's are about 1.1 MB, and all of it was 2 MB in one script.
    const bytes = scripts.reduce((sum, s) => sum + s.bytes, 0);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(150_000);

    // Pointing at a study fetches the viewer; opening it shows the image as before.
    const link = page
      .locator(`tr[data-study-uid="${studyUid}"]`)
      .getByRole('link', { name: 'Phantom, Water' });
    await link.hover();
    await expect.poll(() => loaded(/\/viewer-page-/).length).toBe(1);
    await link.click();
    await showStudy(page, PHANTOM.slices);
    const hu = phantomHu(PHANTOM.slices - 1, PHANTOM.centre, PHANTOM.centre);
    expect(
      Math.abs((await displayedGrey(page, PHANTOM.centre, PHANTOM.centre)) - expectedGrey(hu, 40, 400)),
    ).toBeLessThanOrEqual(6);
    // Saving measurements and printing fetch their code when used, not with the viewer.
    expect(loaded(/\/(measurement-sr|jspdf)[-.]/)).toEqual([]);
    expect(loaded(/\/viewer-page-/)).toHaveLength(1);
    await page.context().close();
  });

  it('signs in, finds the study, opens it and shows true pixel values, lengths and ROI statistics', async () => {
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl);
    await expect.poll(() => page.locator('table.studies tbody tr').count()).toBe(3);
    await screenshot(page, '01-study-list');

    await page.getByLabel('Patient name').fill('phan');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('table.studies tbody tr').count()).toBe(2);
    // A study's series, with their thumbnails, without leaving the list.
    await page
      .locator(`tr[data-study-uid="${studyUid}"]`)
      .getByRole('button', { name: 'Show series' })
      .click();
    const thumbnail = page.locator('.series-thumbnails img').first();
    await expect
      .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
      .toBe(true);
    expect(await page.locator('.series-thumbnails figcaption').allTextContents()).toEqual([
      'CT Axial 2 mm (16)',
    ]);
    await page
      .locator(`tr[data-study-uid="${studyUid}"]`)
      .getByRole('link', { name: 'Phantom, Water' })
      .click();

    await showStudy(page, PHANTOM.slices);
    await screenshot(page, '02-viewer');

    // The file's window (W 400, L 40): air black, water, the 100 HU disc and bone at their grey levels.
    for (const [column, row] of [
      [10, 10],
      [PHANTOM.centre, PHANTOM.centre],
      [PHANTOM.centre, PHANTOM.centre + 30],
      [PHANTOM.boneColumn, PHANTOM.centre],
    ] as const) {
      const hu = phantomHu(PHANTOM.slices - 1, row, column);
      expect(
        Math.abs((await displayedGrey(page, column, row)) - expectedGrey(hu, 40, 400)),
        `HU ${hu}`,
      ).toBeLessThanOrEqual(6);
    }

    // A 20 mm line: 40 pixels of 0.5 mm.
    await page.getByRole('button', { name: 'Length' }).click();
    await drag(page, await clientPoint(page, 44, 100), await clientPoint(page, 84, 100));
    // The mouse lands on whole screen pixels (about 0.1 mm here): the length is right to within one.
    await expect
      .poll(async () => {
        const text = (await page.locator('.measurements li').allTextContents()).join('|');
        const length = /^Length ([\d.]+) mm$/.exec(text);
        return length !== null && Math.abs(Number(length[1]) - 20) < 0.15 ? 'about 20 mm' : text;
      })
      .toBe('about 20 mm');

    // An ellipse ROI is drawn from its centre: a circle of 8 mm inside the 10 mm disc of 100 HU.
    await page.getByRole('button', { name: 'Ellipse' }).click();
    await drag(
      page,
      await clientPoint(page, PHANTOM.centre, PHANTOM.centre),
      await clientPoint(page, PHANTOM.centre + 16, PHANTOM.centre + 16),
    );
    const expectedArea = Math.PI * 8 * 8;
    await expect
      .poll(async () => {
        const text = (await page.locator('.measurements li').allTextContents())[1] ?? '';
        const roi = /^Ellipse mean ([-\d.]+) HU SD [-\d.]+ min [-\d]+ max [-\d]+ area ([\d.]+) mm²$/.exec(
          text,
        );
        return roi !== null &&
          Math.abs(Number(roi[1]) - 100) <= 1 &&
          Math.abs(Number(roi[2]) - expectedArea) <= 0.02 * expectedArea
          ? 'mean 100 HU, area of an 8 mm circle'
          : text;
      })
      .toBe('mean 100 HU, area of an 8 mm circle');

    // The probe reads the true value of the rod (which changes from slice to slice) on the slice shown.
    await page.getByRole('button', { name: 'Probe' }).click();
    const rod = await clientPoint(page, PHANTOM.centre, PHANTOM.rodRow);
    // Cornerstone waits to tell a click from a double click: press, hold briefly, release.
    await page.mouse.move(rod[0], rod[1]);
    await page.mouse.down();
    await page.waitForTimeout(500);
    await page.mouse.up();
    const rodHu = phantomHu(PHANTOM.slices - 1, PHANTOM.rodRow, PHANTOM.centre);
    await expect
      .poll(async () => (await page.locator('.measurements li').allTextContents())[2])
      .toBe(`Probe ${rodHu} HU`);
    await screenshot(page, '03-measurements');

    // MPR: the rod's value changes with z, so a sagittal pixel shows the axial voxel it passes. Neighbouring
    // slices differ by 50 HU (32 grey levels); a screen pixel spans about a quarter millimetre of z, so the
    // grey may be off by a few levels from interpolation, never by a slice.
    await page.getByRole('button', { name: 'MPR' }).click();
    await page.locator('[data-viewport-id="mpr-sagittal"] canvas').waitFor();
    await expect.poll(() => page.locator('.mpr .progress').count(), { timeout: 30_000 }).toBe(0);
    await page.waitForTimeout(500);
    await screenshot(page, '04-mpr');
    const y = (PHANTOM.rodRow - PHANTOM.centre) * PHANTOM.pixelSpacing;
    for (let slice = 8; slice <= 14; slice += 2) {
      const z = slice * PHANTOM.sliceSpacing;
      const expected = expectedGrey(phantomHu(slice, PHANTOM.rodRow, PHANTOM.centre), 40, 400);
      expect(
        Math.abs((await greyAtWorld(page, 'mpr-sagittal', [0, y, z])) - expected),
        `sagittal z=${z}`,
      ).toBeLessThanOrEqual(6);
    }
    // The 3D viewport renders the volume (something other than black background).
    await expect
      .poll(() =>
        page.evaluate(() => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-viewport-id="mpr-3d"] canvas')!;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let lit = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 60) lit += 1;
          return lit;
        }),
      )
      .toBeGreaterThan(100);
    // The coronal plane through the centre cuts the 100 HU disc at every level.
    expect(
      Math.abs((await greyAtWorld(page, 'mpr-coronal', [0, 0, 14])) - expectedGrey(100, 40, 400)),
    ).toBeLessThanOrEqual(3);
  });

  it('saves measurements as a DICOM SR (TID 1500) and key images as a KOS, and shows both when the study reopens', async () => {
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, studyUid, PHANTOM.slices);

    await page.getByRole('button', { name: 'Length' }).click();
    await drag(page, await clientPoint(page, 20, 20), await clientPoint(page, 20, 60));
    await expect
      .poll(() => measurementTexts(page))
      .toEqual([expect.stringMatching(/^Length (19\.9|20\.0)\d mm$/)]);

    // The third image becomes a key image.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.locator('.slice-index').filter({ hasText: 'Im 3/16' }).waitFor();
    await page.getByRole('button', { name: 'Key image' }).click();
    await page.locator('.key-image-mark').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('Saved 1 measurements and 1 key images');
    await screenshot(page, '05-saved');

    // The archive holds an SR and a KOS in the study.
    const series = (await (
      await fetch(`${lightbox.dicomweb}/studies/${studyUid}/series?includefield=SeriesDescription`, {
        headers: { authorization: lightbox.authorization },
      })
    ).json()) as Record<string, { Value?: string[] }>[];
    expect(series.map((s) => s['00080060']?.Value?.[0]).sort()).toEqual(['CT', 'KO', 'SR']);
    for (const modality of ['SR', 'KO']) {
      const uid = series.find((s) => s['00080060']?.Value?.[0] === modality)!['0020000E']!.Value![0]!;
      const file = await retrieveFirstInstance(lightbox, studyUid, uid, `saved-${modality}.dcm`);
      // The document lands on the study's patient, and is valid for its IOD (dciodvfy from dicom3tools).
      expect(dumpValue(file, '0010,0020')).toBe('PH001');
      const { iod, errors } = validate(file);
      expect(iod).toMatch(modality === 'SR' ? /SR/ : /KeyObjectSelection/);
      expect(errors).toEqual([]);
    }

    // Reopened: the length is drawn again on the first image, and the third is still a key image.
    await reopenStudy(page, PHANTOM.slices);
    await expect
      .poll(() => measurementTexts(page))
      .toEqual([expect.stringMatching(/^Length (19\.9|20\.0)\d mm$/)]);
    expect(await page.locator('.key-image-mark').count()).toBe(0);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.locator('.slice-index').filter({ hasText: 'Im 3/16' }).waitFor();
    await page.locator('.key-image-mark').waitFor();
    await screenshot(page, '06-reopened');

    // Print: the key image, one per page, as Lightbox's own PDF layout.
    await page.getByRole('button', { name: 'Print…' }).click();
    await page.getByLabel('Images per page').selectOption('1');
    await screenshot(page, '08-print-dialog');
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Create PDF' }).click(),
    ]);
    const pdfFile = path.join(lightbox.dataDir, 'print.pdf');
    await pdf.saveAs(pdfFile);
    expect(pdf.suggestedFilename()).toBe('PH001-20240301.pdf');
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(text).toContain('Phantom, Water');
    expect(text).toContain('ID PH001');
    expect(text).toContain('Accession PHANTOM1');
    expect(text).toContain('Im 3/16');
    expect(text).toContain('Page 1 of 1');
    expect(execFileSync('pdfimages', ['-list', pdfFile], { encoding: 'utf8' })).toMatch(/\bjpeg\b/);
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-singlefile',
      pdfFile,
      path.join(SCREENSHOT_DIR, '09-printed'),
    ]);
    await page.getByRole('button', { name: 'Close' }).click();

    // Export the viewport as PNG.
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'PNG' }).click(),
    ]);
    const pngFile = path.join(lightbox.dataDir, 'export.png');
    await png.saveAs(pngFile);
    const header = (await readFile(pngFile)).subarray(0, 24);
    expect(header.subarray(1, 4).toString()).toBe('PNG');
    expect(header.readUInt32BE(16)).toBeGreaterThan(100);
  });

  it('hangs the most recent relevant prior beside the current study and scrolls them together', async () => {
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl, `/viewer?StudyInstanceUIDs=${studyUid}`);
    await page.locator('[data-viewport-id="viewport-1"] .slice-index').waitFor();
    expect(await page.locator('.protocol-name').textContent()).toBe('CT with prior');
    expect(await page.locator('[data-viewport-id="viewport-0"] .top-left').textContent()).toContain(
      '2024-03-01',
    );
    expect(await page.locator('[data-viewport-id="viewport-1"] .top-left').textContent()).toContain(
      '2023-03-01',
    );
    await expect.poll(() => page.locator('.prior-header').textContent()).toContain('2023-03-01');

    // Scrolling the current study four images down brings the prior to the same position.
    const [x, y] = await clientPoint(page, PHANTOM.centre, PHANTOM.centre);
    await page.mouse.move(x, y);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 100);
    await page
      .locator('[data-viewport-id="viewport-0"] .slice-index')
      .filter({ hasText: 'Im 5/16' })
      .waitFor();
    await page
      .locator('[data-viewport-id="viewport-1"] .slice-index')
      .filter({ hasText: 'Im 5/16' })
      .waitFor();
    await screenshot(page, '07-prior');
  });

  it('on a tablet: one finger swipes through the stack, two pinch to zoom; cine plays; the tag browser shows the image', async () => {
    const page = await browser.newPage({ width: 820, height: 1180 }, { hasTouch: true, isMobile: true });
    await signIn(page, lightbox.baseUrl, `/viewer?StudyInstanceUIDs=${studyUid}`);
    const slice = page.locator('[data-viewport-id="viewport-0"] .slice-index');
    await slice.filter({ hasText: 'Im 1/16' }).waitFor();
    await page.waitForFunction(() => 'lightboxViewer' in window);
    expect(await page.getByRole('button', { name: 'Scroll' }).getAttribute('aria-pressed')).toBe('true');
    const cdp = await page.context().newCDPSession(page);
    const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', points: [number, number][]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y]) => ({ x, y })) });

    const [x, y] = await clientPoint(page, PHANTOM.centre, PHANTOM.centre);
    await touch('touchStart', [[x, y - 100]]);
    for (let step = 1; step <= 10; step++) await touch('touchMove', [[x, y - 100 + step * 20]]);
    await touch('touchEnd', []);
    await expect.poll(async () => (await slice.textContent()) !== 'Im 1/16').toBe(true);

    const zoom = page.locator('[data-viewport-id="viewport-0"] .bottom-left');
    const zoomBefore = Number(/Zoom (\d+)%/.exec((await zoom.textContent()) ?? '')?.[1]);
    await touch('touchStart', [
      [x - 20, y],
      [x + 20, y],
    ]);
    for (let step = 1; step <= 10; step++)
      await touch('touchMove', [
        [x - 20 - step * 10, y],
        [x + 20 + step * 10, y],
      ]);
    await touch('touchEnd', []);
    await expect
      .poll(async () => Number(/Zoom (\d+)%/.exec((await zoom.textContent()) ?? '')?.[1]))
      .toBeGreaterThan(zoomBefore);
    await screenshot(page, '10-tablet');

    // Cine plays through the stack, and stops.
    const seen = new Set<string>();
    await page.getByRole('button', { name: 'Cine' }).click();
    await expect
      .poll(async () => seen.add((await slice.textContent()) ?? '').size, { timeout: 10_000 })
      .toBeGreaterThan(3);
    await page.getByRole('button', { name: 'Cine' }).click();

    // The tag browser lists the image's attributes, sequences and all, filtered as typed.
    await page.getByRole('button', { name: 'Tags' }).click();
    const dialog = page.getByRole('dialog', { name: 'DICOM tags' });
    await dialog.getByLabel('Filter tags').fill('0028,0030');
    await expect
      .poll(() => dialog.locator('tbody tr').allTextContents())
      .toEqual(['(0028,0030)PixelSpacingDS0.5\\0.5']);
    await screenshot(page, '11-tags');
  });

  it('lets an administrator create a security officer, who searches and verifies the audit trail and changes her password', async () => {
    const admin = await browser.newPage();
    await signIn(admin, lightbox.baseUrl);
    await admin.getByRole('link', { name: 'Users' }).click();
    const form = admin.getByRole('form', { name: 'New user' });
    await form.getByLabel('User name').fill('officer');
    await form.getByLabel('Display name').fill('Sam Officer');
    await form.getByLabel('Password (12 characters or more)').fill('sam-secret-pass-1');
    await form.getByLabel('radiologist').uncheck();
    await form.getByLabel('security-officer').check();
    await form.getByRole('button', { name: 'Create user' }).click();
    await admin.locator('tr[data-username="officer"]').filter({ hasText: 'security-officer' }).waitFor();
    await screenshot(admin, '12-users');

    const officer = await browser.newPage();
    await signIn(officer, lightbox.baseUrl, '/', 'officer', 'sam-secret-pass-1');
    await officer.getByRole('link', { name: 'Audit trail' }).click();
    // A security officer reads the trail, not images, and administers nobody.
    expect(await officer.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await officer.getByRole('link', { name: 'Studies' }).count()).toBe(0);
    await officer.getByLabel('User', { exact: true }).fill('admin');
    await officer.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => officer.locator('.audit-events tbody tr').count()).toBeGreaterThan(0);
    expect(await officer.locator('.audit-events tbody').textContent()).toContain('User authentication');
    await officer.getByRole('button', { name: 'Verify the chain' }).click();
    await expect
      .poll(() => officer.getByRole('status').textContent())
      .toMatch(/^The audit trail is intact: \d+ events verified\.$/);
    await screenshot(officer, '13-audit');

    await officer.getByRole('link', { name: 'Account' }).click();
    await officer.getByLabel('Current password').fill('sam-secret-pass-1');
    await officer.getByLabel('New password (12 characters or more)').fill('sam-secret-pass-2');
    await officer.getByRole('button', { name: 'Change password' }).click();
    await officer.getByLabel('User name').waitFor();
    await officer.getByLabel('User name').fill('officer');
    await officer.getByLabel('Password').fill('sam-secret-pass-2');
    await officer.getByRole('button', { name: 'Sign in' }).click();
    await officer.getByRole('link', { name: 'Audit trail' }).waitFor();
  });

  it('draws where the active slice cuts the other viewports (reference lines)', async () => {
    // A coronal reformat in the axial series' frame of reference joins the study.
    const coronal = coronalPhantom({
      patientId: 'PH001',
      patientName: 'Phantom^Water',
      studyInstanceUid: studyUid,
      seriesInstanceUid: generateUid(),
      frameOfReferenceUid,
    });
    expect(await stowObjects(lightbox, coronal)).toBe(200);

    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl, `/viewer?StudyInstanceUIDs=${studyUid}`);
    await page.locator('[data-viewport-id="viewport-1"] .slice-index').waitFor();
    // Show the coronal series in the second viewport, then make the axial one active again.
    await page.locator('[data-viewport-id="viewport-1"]').click({ position: { x: 20, y: 200 } });
    await page.locator('.series-panel li').filter({ hasText: 'Coronal 4 mm' }).click();
    await page
      .locator('[data-viewport-id="viewport-1"] .top-right')
      .filter({ hasText: 'Coronal 4 mm' })
      .waitFor();
    await page.locator('[data-viewport-id="viewport-0"]').click({ position: { x: 20, y: 200 } });
    const line = page.locator('[data-viewport-id="viewport-1"] svg line');
    await expect.poll(() => line.count()).toBeGreaterThan(0);
    // The line is horizontal on the coronal image (an axial plane), and moves when the axial stack scrolls.
    const y1 = Number(await line.first().getAttribute('y1'));
    expect(Math.abs(y1 - Number(await line.first().getAttribute('y2')))).toBeLessThan(1);
    const [x, y] = await clientPoint(page, PHANTOM.centre, PHANTOM.centre);
    await page.mouse.move(x, y);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 100);
    await expect
      .poll(async () => Math.abs(Number(await line.first().getAttribute('y1')) - y1))
      .toBeGreaterThan(5);
    await screenshot(page, '14-reference-lines');
  });
});

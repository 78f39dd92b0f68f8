import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, getString, readPart10, Tag } from '@lightbox/dicom';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import { pydicomCopy, PYDICOM_TEST_FILES as PYDICOM } from '../../server/src/test-support/pydicom-copy.js';
import { startTestLightbox, type TestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { ctPhantom, PHANTOM } from './ct-phantom.js';
import { startOhifSite, type OhifSite } from './ohif-site.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';

/**
 * OHIF (the open-source web viewer, its published app) as a third-party DICOMweb client of Lightbox
 * (issue #2): its study list queries QIDO-RS, its viewer reads series metadata and frames by WADO-RS,
 * and a CT of known values and compressed third-party MR must be drawn from what Lightbox answers.
 */
const COMPRESSED = ['MR_small_jpeg_ls_lossless.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_RLE.dcm'];

/** The grey levels OHIF's viewport canvas shows (every 3rd pixel). */
async function shownGreys(page: Page): Promise<Map<number, number>> {
  const levels = await page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.cornerstone-canvas');
    const context = canvas?.getContext('2d');
    if (!canvas || !context || canvas.width === 0) return [];
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const greys: number[] = [];
    for (let i = 0; i < data.length; i += 4 * 3) greys.push(data[i]!);
    return greys;
  });
  const counts = new Map<number, number>();
  for (const grey of levels) counts.set(grey, (counts.get(grey) ?? 0) + 1);
  return counts;
}

/** How many shown pixels lie within ±`tolerance` of `grey`. */
function near(greys: Map<number, number>, grey: number, tolerance = 6): number {
  let n = 0;
  for (const [level, count] of greys) if (Math.abs(level - grey) <= tolerance) n += count;
  return n;
}

describe('OHIF as a DICOMweb client of Lightbox', () => {
  let lightbox: TestLightbox;
  let ohif: OhifSite;
  let browser: TestBrowser;
  let page: Page;
  const ct = {
    patientId: 'OHIF-CT',
    patientName: 'Phantom^Ohif',
    studyInstanceUid: generateUid(),
    seriesInstanceUid: generateUid(),
    frameOfReferenceUid: generateUid(),
    studyDescription: 'Phantom for OHIF',
  };
  const mrStudies: string[] = [];

  beforeAll(async () => {
    lightbox = await startTestLightbox('sqlite');
    expect(await stowObjects(lightbox, ctPhantom(ct))).toBe(200);
    // pydicom's variants of one MR slice share their UIDs: each gets new ones (DCMTK's dcmodify), so that
    // each is a study of its own here.
    const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-ohif-'));
    try {
      for (const file of COMPRESSED) {
        const copy = await pydicomCopy(dir, file, { newStudy: true, newSeries: true });
        mrStudies.push(copy.studyUid);
        expect(await stowObjects(lightbox, [copy.bytes])).toBe(200);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    ohif = await startOhifSite(lightbox.baseUrl, lightbox.authorization);
    browser = await startTestBrowser();
    page = await browser.newPage({ width: 1280, height: 800 });
  });
  afterAll(async () => {
    await browser?.close();
    await ohif?.close();
    await lightbox?.stop();
  });

  it('lists the studies from QIDO-RS', async () => {
    await page.goto(`${ohif.url}/`);
    await page.getByText('Phantom for OHIF').waitFor({ timeout: 60_000 });
    // A row per study: the patient's name as OHIF writes it, and the MR studies' modality.
    await page.getByText('Phantom, Ohif').waitFor();
    await expect.poll(() => page.getByText('MR', { exact: true }).count()).toBe(COMPRESSED.length);
    await page.getByText(`1-${COMPRESSED.length + 1} of ${COMPRESSED.length + 1}`).waitFor();
    await screenshot(page, 'ohif-study-list');
    const queries = ohif.requests.filter((r) => r.url.startsWith('/dicomweb/studies?'));
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((r) => r.status === 200)).toBe(true);
  });

  it('draws the CT phantom with its own window from WADO-RS metadata and frames', async () => {
    const before = ohif.requests.length;
    await page.goto(`${ohif.url}/viewer?StudyInstanceUIDs=${ct.studyInstanceUid}`);
    // W 400 / L 40 of the phantom: air black, water (0 HU) 102, the 100 HU disc 166, bone white.
    const water = Math.round(((0 - 40 + 200) / 400) * 255);
    const disc = Math.round(((100 - 40 + 200) / 400) * 255);
    await expect
      .poll(
        async () => {
          const greys = await shownGreys(page);
          return near(greys, water) > 500 && near(greys, disc) > 200 && near(greys, 255, 2) > 50;
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    await expect.poll(() => page.getByText(`(1/${PHANTOM.slices})`).count()).toBeGreaterThan(0);
    await screenshot(page, 'ohif-ct-phantom');
    const asked = ohif.requests.slice(before);
    expect(asked.some((r) => /\/series\/[\d.]+\/metadata$/.test(r.url))).toBe(true);
    expect(asked.some((r) => /\/frames\/1$/.test(r.url))).toBe(true);
    expect(asked.filter((r) => r.status >= 400)).toEqual([]);
  });

  it.each(COMPRESSED.map((file, i) => [file, i] as const))(
    'decodes %s from the frames Lightbox sends',
    async (_file, i) => {
      const before = ohif.requests.length;
      await page.goto(`${ohif.url}/viewer?StudyInstanceUIDs=${mrStudies[i]}`);
      await expect.poll(async () => (await shownGreys(page)).size, { timeout: 60_000 }).toBeGreaterThan(40);
      await screenshot(page, `ohif-mr-${i}`);
      expect(ohif.requests.slice(before).filter((r) => r.status >= 400)).toEqual([]);
    },
  );
  it("stores the files OHIF uploads (STOW-RS from the browser's dicomweb-client)", async () => {
    const files = ['CT_small.dcm', 'SC_rgb_rle_16bit.dcm'].map((f) => `${PYDICOM}/${f}`);
    const uids = await Promise.all(
      files.map(async (f) => getString((await readPart10(readFileSync(f))).dataSet, Tag.SOPInstanceUID)!),
    );
    const before = ohif.requests.length;
    await page.goto(`${ohif.url}/`);
    await page.getByText('Upload', { exact: true }).click();
    await page.locator('input[type=file]').first().setInputFiles(files);
    await page.getByText('Completed!').waitFor({ timeout: 60_000 });
    await screenshot(page, 'ohif-upload');
    const stores = ohif.requests.slice(before).filter((r) => r.method === 'POST');
    expect(stores.map((r) => [r.url, r.status])).toEqual(files.map(() => ['/dicomweb/studies', 200]));
    for (const uid of uids) {
      const found = await fetch(`${lightbox.dicomweb}/instances?SOPInstanceUID=${uid}`, {
        headers: { authorization: lightbox.authorization },
      });
      expect(((await found.json()) as unknown[]).length, uid).toBe(1);
    }
  });
});

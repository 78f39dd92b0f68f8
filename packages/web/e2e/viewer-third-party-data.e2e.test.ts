import { readFileSync } from 'node:fs';
import { getString, readPart10, Tag } from '@lightbox/dicom';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import { startTestLightbox, type TestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';
import { shownColours } from './viewer-automation.js';
import { signIn } from './viewer-session.js';

// Third-party objects the viewer must cope with (issue #5): Debian's python3-pydicom test files, each in a
// study of its own here (several of pydicom's variants share UIDs, so only one of each is stored). Some
// broke the viewer (nothing drawn, errors thrown on the page); others are a representative set that works.
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const FILES = [
  'SC_jpeg_no_color_transform.dcm', // no Modality; RGB JPEG Baseline without a colour transform
  'GDCMJ2K_TextGBR.dcm', // no Modality; JPEG 2000 YBR_RCT with a JP2 header
  'rtdose_expb.dcm', // 15 frames of 32-bit dose in Explicit VR Big Endian
  'JPEG2000-embedded-sequence-delimiter.dcm', // corrupt codestream, on purpose
  'test-SR.dcm', // Comprehensive SR: no images
  'rtplan.dcm', // RT Plan: no images
  'ExplVR_BigEnd.dcm', // US RGB in big endian
  'SC_rgb_rle_2frame.dcm', // RGB RLE, 2 frames
  'MR_small_bigendian.dcm', // 16-bit MR in big endian
];

/**
 * pydicom's RGB test image with 16 and 32 bits a sample, the same picture as SC_rgb_rle_2frame.dcm's
 * (each 8-bit value v stored as v × 257, or v × 16843009): stored under UIDs of their own, for they
 * share the 8-bit file's.
 */
const WIDE_COLOUR = ['SC_rgb_rle_16bit_2frame.dcm', 'SC_rgb_rle_32bit_2frame.dcm', 'SC_rgb_rle_16bit.dcm'];

/** A copy of a file whose study, series and instance UIDs end in `digit` instead (the same length). */
function withUidsEndingIn(file: Buffer, uids: readonly string[], digit: string): Buffer {
  let text = file.toString('latin1');
  for (const uid of uids) {
    if (uid.endsWith(digit)) throw new Error(`${uid} already ends in ${digit}`);
    text = text.split(uid).join(uid.slice(0, -1) + digit);
  }
  return Buffer.from(text, 'latin1');
}

/** Pixel centres down the middle column of pydicom's RGB test image: one in each band of ten rows. */
const BANDS = Array.from({ length: 10 }, (_, band) => [50.5, band * 10 + 5.5] as const);
/** The 8-bit colours of those bands in its first frame and in its second. */
const FIRST_FRAME_BANDS = [
  [255, 0, 0],
  [255, 128, 128],
  [0, 255, 0],
  [128, 255, 128],
  [0, 0, 255],
  [128, 128, 255],
  [0, 0, 0],
  [64, 64, 64],
  [192, 192, 192],
  [255, 255, 255],
];
const SECOND_FRAME_BANDS = [
  [0, 255, 255],
  [0, 127, 127],
  [255, 0, 255],
  [127, 0, 127],
  [255, 255, 0],
  [127, 127, 0],
  [255, 255, 255],
  [191, 191, 191],
  [63, 63, 63],
  [0, 0, 0],
];

/** What the canvas of viewport 0 shows: how many colours, whether any pixel is not grey, its middle. */
interface Drawn {
  colours: number;
  tinted: number;
  middle: [number, number, number];
  hash: number;
}

async function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-viewport-id="viewport-0"] canvas')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    let tinted = 0;
    let hash = 0;
    for (let i = 0; i < data.length; i += 4 * 5) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      colours.add((r << 16) | (g << 8) | b);
      if (Math.abs(r - g) > 8 || Math.abs(g - b) > 8) tinted++;
      hash = (hash * 31 + ((r << 16) | (g << 8) | b)) | 0;
    }
    const at = 4 * (Math.floor(canvas.height / 2) * canvas.width + Math.floor(canvas.width / 2));
    return { colours: colours.size, tinted, middle: [data[at]!, data[at + 1]!, data[at + 2]!], hash };
  });
}

describe('third-party DICOM in the viewer', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  const studyOf = new Map<string, string>();
  let pageErrors: string[] = [];

  beforeAll(async () => {
    const objects: Buffer[] = FILES.map((file) => readFileSync(`${PYDICOM}/${file}`));
    for (const [i, file] of FILES.entries()) {
      const object = await readPart10(objects[i]!);
      studyOf.set(file, getString(object.dataSet, Tag.StudyInstanceUID) ?? '');
    }
    for (const [i, file] of WIDE_COLOUR.entries()) {
      const original = readFileSync(`${PYDICOM}/${file}`);
      const { dataSet } = await readPart10(original);
      const uids = [Tag.StudyInstanceUID, Tag.SeriesInstanceUID, Tag.SOPInstanceUID].map(
        (tag) => getString(dataSet, tag) ?? '',
      );
      const copy = withUidsEndingIn(original, uids, String(7 + i));
      objects.push(copy);
      studyOf.set(file, getString((await readPart10(copy)).dataSet, Tag.StudyInstanceUID) ?? '');
    }
    lightbox = await startTestLightbox('sqlite');
    expect(await stowObjects(lightbox, objects)).toBe(200);
    browser = await startTestBrowser();
    page = await browser.newPage({ width: 900, height: 800 });
    context = page.context();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, lightbox.baseUrl, '/');
    await page.getByRole('link', { name: 'Studies' }).waitFor();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await lightbox?.stop();
  });

  /** Opens a file's study by deep link, as a new visit, with no page errors counted yet. */
  async function open(file: string): Promise<void> {
    pageErrors = [];
    await page.goto(`${lightbox.baseUrl}/viewer?StudyInstanceUIDs=${studyOf.get(file)}`);
  }

  /** Opens an image study and waits until its first image is drawn (more than `colours` colours). */
  async function openImage(file: string, count: number, colours = 20): Promise<Drawn> {
    await open(file);
    await page
      .locator('[data-viewport-id="viewport-0"] .slice-index')
      .filter({ hasText: `Im 1/${count}` })
      .waitFor();
    await expect.poll(async () => (await drawn(page)).colours, { timeout: 10_000 }).toBeGreaterThan(colours);
    await screenshot(page, `third-party-${file.replace('.dcm', '')}`);
    return drawn(page);
  }

  it('draws secondary captures without a Modality (Cornerstone threw on each image change)', async () => {
    for (const file of ['SC_jpeg_no_color_transform.dcm', 'GDCMJ2K_TextGBR.dcm']) {
      await openImage(file, 1);
      expect(pageErrors).toEqual([]);
    }
  });

  it('draws RGB JPEG without a colour transform in its own colours (the browser made it magenta)', async () => {
    // pydicom's image is a nearly white slide: its middle is light grey, not tinted.
    const { middle, tinted, colours } = await openImage('SC_jpeg_no_color_transform.dcm', 1);
    expect(Math.min(...middle)).toBeGreaterThan(200);
    expect(Math.max(...middle) - Math.min(...middle)).toBeLessThan(16);
    expect(tinted / colours).toBeLessThan(10);
  });

  it('draws and scrolls a 32-bit big-endian RT Dose (its decoder handled 16 bits only)', async () => {
    const first = await openImage('rtdose_expb.dcm', 15);
    expect(pageErrors).toEqual([]);
    await page.locator('[data-viewport-id="viewport-0"]').click();
    await page.keyboard.press('ArrowDown');
    await page
      .locator('[data-viewport-id="viewport-0"] .slice-index')
      .filter({ hasText: 'Im 2/15' })
      .waitFor();
    await expect.poll(async () => (await drawn(page)).hash).not.toBe(first.hash);
    // The second frame is drawn too, not a black viewport with a notice.
    await expect.poll(async () => (await drawn(page)).colours).toBeGreaterThan(20);
    expect(await page.locator('[data-viewport-id="viewport-0"] .viewport-notice').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('says an image with a corrupt codestream could not be shown, instead of a black viewport', async () => {
    await open('JPEG2000-embedded-sequence-delimiter.dcm');
    await expect
      .poll(() => page.locator('[data-viewport-id="viewport-0"] .viewport-notice').textContent())
      .toBe('Image 1 could not be shown: its pixel data could not be decoded');
  });

  it('says what a study without images holds (SR, RT plan) instead of a blank viewport', async () => {
    await open('test-SR.dcm');
    await expect(page.locator('.no-images').textContent()).resolves.toBe(
      'This study holds no images to show, only: structured report (SR).',
    );
    await open('rtplan.dcm');
    await expect(page.locator('.no-images').textContent()).resolves.toBe(
      'This study holds no images to show, only: RT plan (RTPLAN).',
    );
    // The RT plan is listed as a document, not with a thumbnail the archive cannot render.
    expect(await page.locator('.series-panel li.document').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('draws colour in big endian and RLE, multi-frame colour, and 16-bit big endian', async () => {
    const ultrasound = await openImage('ExplVR_BigEnd.dcm', 1);
    expect(ultrasound.tinted).toBeGreaterThan(100);
    const rle = await openImage('SC_rgb_rle_2frame.dcm', 2, 10);
    expect(rle.tinted).toBeGreaterThan(100);
    await page.locator('[data-viewport-id="viewport-0"]').click();
    await page.keyboard.press('ArrowDown');
    await page
      .locator('[data-viewport-id="viewport-0"] .slice-index')
      .filter({ hasText: 'Im 2/2' })
      .waitFor();
    await openImage('MR_small_bigendian.dcm', 1);
    expect(pageErrors).toEqual([]);
  });

  it('draws colour of 16 and 32 bits a sample as its 8-bit original, not saturated', async () => {
    const scroll = async () => {
      await page.locator('[data-viewport-id="viewport-0"]').click();
      await page.keyboard.press('ArrowDown');
      await page
        .locator('[data-viewport-id="viewport-0"] .slice-index')
        .filter({ hasText: 'Im 2/2' })
        .waitFor();
    };
    const eightBit = await openImage('SC_rgb_rle_2frame.dcm', 2, 5);
    expect(await shownColours(page, BANDS)).toEqual(FIRST_FRAME_BANDS);
    await scroll();
    await expect.poll(async () => (await drawn(page)).hash).not.toBe(eightBit.hash);
    const eightBitSecond = await drawn(page);
    expect(await shownColours(page, BANDS)).toEqual(SECOND_FRAME_BANDS);

    for (const file of WIDE_COLOUR) {
      const frames = file.includes('2frame') ? 2 : 1;
      // Every pixel of the canvas as the 8-bit original's: 16448 (64 × 257) is the 8-bit 64, not white.
      const first = await openImage(file, frames, 5);
      expect(first.hash, file).toBe(eightBit.hash);
      expect(await shownColours(page, BANDS), file).toEqual(FIRST_FRAME_BANDS);
      if (frames === 2) {
        await scroll();
        await expect.poll(async () => (await drawn(page)).hash, { message: file }).toBe(eightBitSecond.hash);
        expect(await shownColours(page, BANDS), file).toEqual(SECOND_FRAME_BANDS);
      }
      expect(pageErrors, file).toEqual([]);
    }
  });
});

import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { splitMultipart, stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import {
  startTestLightbox,
  TEST_ADMIN_PASSWORD,
  type TestLightbox,
} from '../../server/src/test-support/test-lightbox.js';
import { startTestBrowser, type TestBrowser } from './test-browser.js';
import type { ViewerAutomation } from './viewer-automation.js';

/** A Lightbox on SQLite holding a test file's studies, and the Chromium its viewer is driven in. */
export interface ViewerSession {
  lightbox: TestLightbox;
  browser: TestBrowser;
}

/** Starts Lightbox, stores the objects (STOW-RS must accept every one) and starts Chromium. */
export async function startViewerSession(objects: readonly Uint8Array[]): Promise<ViewerSession> {
  const lightbox = await startTestLightbox('sqlite');
  try {
    expect(await stowObjects(lightbox, objects)).toBe(200);
    return { lightbox, browser: await startTestBrowser() };
  } catch (error) {
    // The caller never gets this Lightbox to stop.
    await lightbox.stop();
    throw error;
  }
}

/** Stops what {@link startViewerSession} started; either is absent when starting failed. */
export async function stopViewerSession(session: Partial<ViewerSession>): Promise<void> {
  await session.browser?.close();
  await session.lightbox?.stop();
}

/** Goes to a page of the web app and signs in on the form it is sent to (the admin unless named). */
export async function signIn(
  page: Page,
  baseUrl: string,
  path = '/',
  user = 'admin',
  password = TEST_ADMIN_PASSWORD,
): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Waits for the viewer to show a study's first image of `count` and its automation surface, then shows
 * one large viewport: measuring precisely needs screen pixels much smaller than image pixels.
 */
export async function showStudy(page: Page, count: number): Promise<void> {
  await firstImage(page, count);
  await page.waitForFunction(() => 'lightboxViewer' in window);
  await page.getByLabel('Layout').selectOption('1x1');
  await imageSettled(page);
}

/**
 * Waits until viewport 0 shows its image where it will stay: the same page position for two corners of
 * the image over consecutive polls. A fixed pause was not enough on a loaded machine, where a drag could
 * land before the layout had settled and draw nothing.
 */
async function imageSettled(page: Page): Promise<void> {
  let before = '';
  await expect
    .poll(
      async () => {
        const now = JSON.stringify(
          await page.evaluate(() => {
            const viewer = (window as unknown as { lightboxViewer: ViewerAutomation }).lightboxViewer;
            return [viewer.imageToClient(0, 0, 0), viewer.imageToClient(0, 100, 100)];
          }),
        );
        const settled = now === before;
        before = now;
        return settled;
      },
      { interval: 150, timeout: 15_000 },
    )
    .toBe(true);
}

/** Signs in to the viewer on a study and shows it as {@link showStudy} does. */
export async function openStudy(page: Page, baseUrl: string, studyUid: string, count: number): Promise<void> {
  await signIn(page, baseUrl, `/viewer?StudyInstanceUIDs=${studyUid}`);
  await showStudy(page, count);
}

/** Reopens the study of the page, as a new visit: what is drawn then comes from the archive. */
export async function reopenStudy(page: Page, count: number): Promise<void> {
  await page.reload();
  await firstImage(page, count);
  await page.getByLabel('Layout').selectOption('1x1');
}

async function firstImage(page: Page, count: number): Promise<void> {
  await page
    .locator('.slice-index')
    .filter({ hasText: `Im 1/${count}` })
    .first()
    .waitFor();
}

/** The Series Instance UIDs of a study's measurement reports (QIDO-RS, Modality SR). */
export async function reportSeries(lightbox: TestLightbox, studyUid: string): Promise<string[]> {
  const series = (await (
    await fetch(`${lightbox.dicomweb}/studies/${studyUid}/series?Modality=SR`, {
      headers: { authorization: lightbox.authorization },
    })
  ).json()) as Record<string, { Value?: string[] }>[];
  return series.map((s) => s['0020000E']!.Value![0]!);
}

/**
 * Retrieves a series (WADO-RS) and writes its first instance, as the Part 10 file the archive gives back,
 * to `name` in Lightbox's data folder, for DCMTK and dicom3tools to read. Gives the file's path.
 */
export async function retrieveFirstInstance(
  lightbox: TestLightbox,
  studyUid: string,
  seriesUid: string,
  name: string,
): Promise<string> {
  const response = await fetch(`${lightbox.dicomweb}/studies/${studyUid}/series/${seriesUid}`, {
    headers: { authorization: lightbox.authorization, accept: 'multipart/related; type="application/dicom"' },
  });
  const [part] = splitMultipart(
    Buffer.from(await response.arrayBuffer()),
    response.headers.get('content-type')!,
  );
  const file = path.join(lightbox.dataDir, name);
  await writeFile(file, part!.body);
  return file;
}

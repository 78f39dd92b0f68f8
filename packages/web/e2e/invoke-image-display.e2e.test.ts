import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import type { TestLightbox } from '../../server/src/test-support/test-lightbox.js';
import { screenshot, type TestBrowser } from './test-browser.js';
import { signIn, startViewerSession, stopViewerSession } from './viewer-session.js';

/** A two-image CT study of a patient, as an EHR would know it: by identifier, authority and accession. */
function study(ids: {
  studyUid: string;
  patientId: string;
  issuer: string;
  studyDate: string;
  accessionNumber: string;
  images?: number;
}): Uint8Array[] {
  const seriesInstanceUid = generateUid();
  return Array.from({ length: ids.images ?? 2 }, (_, index) =>
    syntheticImage({
      rows: 64,
      columns: 64,
      patientId: ids.patientId,
      issuerOfPatientId: ids.issuer,
      patientName: 'Invoked^Patient',
      studyInstanceUid: ids.studyUid,
      seriesInstanceUid,
      modality: 'CT',
      studyDate: ids.studyDate,
      studyTime: '101500',
      accessionNumber: ids.accessionNumber,
      studyDescription: `CT of ${ids.studyDate}`,
      instanceNumber: index + 1,
    }),
  );
}

/** Waits until the viewer shows the studies it was sent to, and its first image of `count`. */
async function viewerShows(page: Page, studyUids: string[], count: number): Promise<void> {
  await expect
    .poll(() => new URL(page.url()).pathname + new URL(page.url()).search, { timeout: 20_000 })
    .toBe(`/viewer?StudyInstanceUIDs=${studyUids.join(',')}`);
  await page
    .locator('.slice-index')
    .filter({ hasText: `Im 1/${count}` })
    .first()
    .waitFor();
}

describe('IHE Invoke Image Display (RAD-106) in Chromium', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  const prior = generateUid();
  const current = generateUid();
  // The same Patient ID under another assigning authority: another person, with the newest study of all.
  const otherPatients = generateUid();

  beforeAll(async () => {
    ({ lightbox, browser } = await startViewerSession([
      ...study({
        studyUid: prior,
        patientId: 'IID1',
        issuer: 'HOSP_A',
        studyDate: '20230301',
        accessionNumber: 'IIDACC0',
      }),
      ...study({
        studyUid: current,
        patientId: 'IID1',
        issuer: 'HOSP_A',
        studyDate: '20240301',
        accessionNumber: 'IIDACC1',
      }),
      ...study({
        studyUid: otherPatients,
        patientId: 'IID1',
        issuer: 'HOSP_B',
        studyDate: '20250101',
        accessionNumber: 'IIDACC9',
        images: 1,
      }),
    ]));
  });

  afterAll(() => stopViewerSession({ lightbox, browser }));

  it('signs the user in, then opens the studies a STUDY request names', async () => {
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl, `/IHEInvokeImageDisplay?requestType=STUDY&studyUID=${prior}`);
    await viewerShows(page, [prior], 2);
    await expect.poll(() => page.locator('.study-date').first().textContent()).toContain('2023');
    await screenshot(page, 'iid-study');

    // By accession number: the archive is asked which study carries it.
    await page.goto(`${lightbox.baseUrl}/IHEInvokeImageDisplay?requestType=STUDY&accessionNumber=IIDACC1`);
    await viewerShows(page, [current], 2);
    await page.close();
  });

  it('opens the most recent of a PATIENT request’s studies, by identifier and authority only', async () => {
    const page = await browser.newPage();
    const patientId = encodeURIComponent('IID1^^^HOSP_A');
    await signIn(
      page,
      lightbox.baseUrl,
      `/IHEInvokeImageDisplay?requestType=PATIENT&patientID=${patientId}&mostRecentResults=1`,
    );
    // HOSP_B's study is newer, but it is another patient's.
    await viewerShows(page, [current], 2);
    await expect.poll(() => page.locator('.study-date').first().textContent()).toContain('2024');
    await screenshot(page, 'iid-patient');

    // All of them, newest first, within the dates asked for.
    await page.goto(
      `${lightbox.baseUrl}/IHEInvokeImageDisplay?requestType=PATIENT&patientID=${patientId}&modalitiesInStudy=CT`,
    );
    await viewerShows(page, [current, prior], 2);
    await page.goto(
      `${lightbox.baseUrl}/IHEInvokeImageDisplay?requestType=PATIENT&patientID=${patientId}&upperDateTime=2023-12-31T23:59:59`,
    );
    await viewerShows(page, [prior], 2);
    await page.close();
  });

  it('says so when the patient has no studies in the user’s access, or the request cannot be read', async () => {
    const page = await browser.newPage();
    await signIn(
      page,
      lightbox.baseUrl,
      `/IHEInvokeImageDisplay?requestType=PATIENT&patientID=IID1%5E%5E%5EHOSP_A&modalitiesInStudy=MR`,
    );
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe(
        'No studies for patient IID1 (HOSP_A) in your access that match the requested dates and modalities.',
      );

    // A bare Patient ID that two authorities use names no one patient.
    await page.goto(`${lightbox.baseUrl}/IHEInvokeImageDisplay?requestType=PATIENT&patientID=IID1`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('2 assigning authorities');

    // Well-formed for the server, wrong in its values: the app says what is wrong.
    await page.goto(`${lightbox.baseUrl}/IHEInvokeImageDisplay?requestType=STUDY&studyUID=not-a-uid`);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('studyUID not-a-uid is not a DICOM UID');
    expect(new URL(page.url()).pathname).toBe('/IHEInvokeImageDisplay');
    await screenshot(page, 'iid-refused');

    // Malformed: the server answers 400 itself.
    const response = await page.goto(`${lightbox.baseUrl}/IHEInvokeImageDisplay?studyUID=${prior}`);
    expect(response?.status()).toBe(400);
    await expect
      .poll(() => page.locator('body').textContent())
      .toContain('requestType (STUDY or PATIENT) is missing');
    await page.close();
  });
});

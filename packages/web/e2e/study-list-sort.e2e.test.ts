import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowObjects } from '../../server/src/test-support/dicomweb-client.js';
import {
  startTestLightbox,
  TEST_ADMIN_PASSWORD,
  type TestLightbox,
} from '../../server/src/test-support/test-lightbox.js';
import { createUser, TEST_USER_PASSWORD } from '../../server/src/test-support/test-users.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';

/** A small study of one instance for the list. */
function study(patientName: string, patientId: string, studyDate: string): Uint8Array {
  return syntheticImage({
    rows: 4,
    columns: 4,
    studyInstanceUid: generateUid(),
    seriesInstanceUid: generateUid(),
    sopInstanceUid: generateUid(),
    patientName,
    patientId,
    studyDate,
  });
}

/** Signs in on the login page, as the admin unless told otherwise. */
async function signIn(page: Page, username = 'admin', password = TEST_ADMIN_PASSWORD): Promise<void> {
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The patient names of the list's rows, top to bottom, as shown. */
function shownNames(page: Page): Promise<string[]> {
  return page.locator('table.studies tbody tr[data-study-uid] td:nth-child(2)').allTextContents();
}

describe('study list sorted by a column, in Chromium', () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  const store = async (objects: Uint8Array[]) => expect(await stowObjects(lightbox, objects)).toBe(200);

  beforeAll(async () => {
    lightbox = await startTestLightbox('sqlite');
    // Newest first (the list's first order), A→Z and Z→A are three different orders.
    await store([
      study('Baker^Bob', 'SORT-B', '20240301'),
      study('Young^Yvonne', 'SORT-Y', '20230301'),
      study('Adams^Anna', 'SORT-A', '20220301'),
    ]);
    browser = await startTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await lightbox?.stop();
  });

  it('sorts by patient name A→Z on a click on its header, Z→A on the next, on the server', async () => {
    const page = await browser.newPage();
    await page.goto(lightbox.baseUrl);
    await signIn(page);
    await expect.poll(() => shownNames(page)).toEqual(['Baker, Bob', 'Young, Yvonne', 'Adams, Anna']);
    const nameHeader = page.getByRole('columnheader', { name: 'Patient name', exact: true });
    const dateHeader = page.getByRole('columnheader', { name: 'Study date', exact: true });
    // The list starts newest first, and says so.
    expect(await dateHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await nameHeader.getAttribute('aria-sort')).toBeNull();

    const sortedRequest = page.waitForRequest((r) => r.url().includes('/dicomweb/studies?'));
    await nameHeader.getByRole('button').click();
    expect(new URL((await sortedRequest).url()).searchParams.get('orderby')).toBe('PatientName,-StudyDate');
    await expect.poll(() => shownNames(page)).toEqual(['Adams, Anna', 'Baker, Bob', 'Young, Yvonne']);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await dateHeader.getAttribute('aria-sort')).toBeNull();
    expect(await nameHeader.locator('.sort-arrow').textContent()).toBe('▲');
    await screenshot(page, 'study-list-sorted-a-z');

    await nameHeader.getByRole('button').click();
    await expect.poll(() => shownNames(page)).toEqual(['Young, Yvonne', 'Baker, Bob', 'Adams, Anna']);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await nameHeader.locator('.sort-arrow').textContent()).toBe('▼');

    // The order stays when the list is searched again.
    await page.getByLabel('Patient name').fill('a*');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => shownNames(page)).toEqual(['Adams, Anna']);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => shownNames(page)).toEqual(['Young, Yvonne', 'Baker, Bob', 'Adams, Anna']);
    await page.context().close();
  });

  it('goes back to the first page when the order changes', async () => {
    // 50 more studies: the list has two pages.
    await store(
      Array.from({ length: 50 }, (_, n) =>
        study(`Filler^${String(n).padStart(2, '0')}`, `FILL-${n}`, '20200101'),
      ),
    );
    const page = await browser.newPage();
    await page.goto(lightbox.baseUrl);
    await signIn(page);
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await expect.poll(() => pager.locator('span').textContent()).toBe('1–50');
    await pager.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => pager.locator('span').textContent()).toBe('51–53');

    await page.getByRole('columnheader', { name: 'Patient name', exact: true }).getByRole('button').click();
    await expect.poll(() => pager.locator('span').textContent()).toBe('1–50');
    expect((await shownNames(page)).slice(0, 3)).toEqual(['Adams, Anna', 'Baker, Bob', 'Filler, 00']);
    // The next page continues the order where the first ended.
    await pager.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => shownNames(page)).toEqual(['Filler, 48', 'Filler, 49', 'Young, Yvonne']);
    await page.context().close();
  });

  it("opens in the user's last order after a reload and a new sign-in, their own only", async () => {
    await createUser(lightbox, 'sorting-reader', { roles: ['radiologist'] });
    await createUser(lightbox, 'other-reader', { roles: ['radiologist'] });
    const page = await browser.newPage();
    await page.goto(lightbox.baseUrl);
    await signIn(page, 'sorting-reader', TEST_USER_PASSWORD);
    // The same user's Settings page, opened on another workstation before any sort was chosen.
    const workstation = await browser.newPage();
    await workstation.goto(lightbox.baseUrl);
    await signIn(workstation, 'sorting-reader', TEST_USER_PASSWORD);
    await workstation
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings' })
      .click();
    const staleForm = workstation.getByRole('form', { name: 'Settings' });
    await staleForm.waitFor();
    // A user who never sorted sees the archive's order, newest first.
    await expect.poll(async () => (await shownNames(page))[0]).toBe('Baker, Bob');
    const nameHeader = page.getByRole('columnheader', { name: 'Patient name', exact: true });
    await nameHeader.getByRole('button').click();
    await expect.poll(async () => (await shownNames(page))[0]).toBe('Adams, Anna');
    // Saved in the user's settings (saves go one after another: this one is the last).
    const saved = page.waitForResponse(
      (r) =>
        r.url().endsWith('/api/me/settings') &&
        r.request().method() === 'PATCH' &&
        (r.request().postData() ?? '').includes('"sort":{"column":"PatientName","direction":"desc"}'),
    );
    await nameHeader.getByRole('button').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(async () => (await shownNames(page))[0]).toBe('Young, Yvonne');
    const zToA = await shownNames(page);
    expect(zToA.slice(0, 3)).toEqual(['Young, Yvonne', 'Filler, 49', 'Filler, 48']);

    /** The list shows Z→A by name from its first request, and says so. */
    const expectZToA = async () => {
      await expect.poll(() => shownNames(page)).toEqual(zToA);
      expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
      expect(await nameHeader.locator('.sort-arrow').textContent()).toBe('▼');
    };
    const firstQuery = () => page.waitForRequest((r) => r.url().includes('/dicomweb/studies?'));

    // Reloaded: the session goes on, and the list opens in that order (its first query asks for it).
    let query = firstQuery();
    await page.reload();
    expect(new URL((await query).url()).searchParams.get('orderby')).toBe('-PatientName,-StudyDate');
    await expectZToA();
    await screenshot(page, 'study-list-order-kept-after-reload');

    // Signed out and in again: the same.
    await page.getByRole('button', { name: 'Sign out' }).click();
    query = firstQuery();
    await signIn(page, 'sorting-reader', TEST_USER_PASSWORD);
    expect(new URL((await query).url()).searchParams.get('orderby')).toBe('-PatientName,-StudyDate');
    await expectZToA();

    // Saving the Settings page keeps the order, which is chosen on the list, not there: here, and on
    // the other workstation whose page was opened before the order was chosen.
    const main = page.getByRole('navigation', { name: 'Main' });
    await main.getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Settings' });
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await staleForm.getByRole('button', { name: 'Save settings' }).click();
    await workstation.getByText('Settings saved.').waitFor();
    await workstation.context().close();
    await page.reload();
    await main.getByRole('link', { name: 'Studies' }).click();
    await expectZToA();
    await page.context().close();

    // Another user's list is theirs: still newest first.
    const other = await browser.newPage();
    await other.goto(lightbox.baseUrl);
    await signIn(other, 'other-reader', TEST_USER_PASSWORD);
    await expect.poll(async () => (await shownNames(other))[0]).toBe('Baker, Bob');
    expect(
      await other.getByRole('columnheader', { name: 'Study date', exact: true }).getAttribute('aria-sort'),
    ).toBe('descending');
    await other.context().close();
  });
});

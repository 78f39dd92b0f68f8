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
import { ctPhantom } from './ct-phantom.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';

/** Today in the local calendar, as date inputs hold it (YYYY-MM-DD) and as DICOM writes it (YYYYMMDD). */
function today(): { iso: string; dicom: string } {
  const now = new Date();
  const iso = [now.getFullYear(), now.getMonth() + 1, now.getDate()]
    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0'))
    .join('-');
  return { iso, dicom: iso.replaceAll('-', '') };
}

async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The patient names of the study list's rows, top to bottom. */
function shownNames(page: Page): Promise<string[]> {
  return page.locator('table.studies tbody tr[data-study-uid] td:nth-child(2)').allTextContents();
}

describe("a user's settings in Chromium (issue #5 §1)", () => {
  let lightbox: TestLightbox;
  let browser: TestBrowser;
  const ctStudyUid = generateUid();

  beforeAll(async () => {
    lightbox = await startTestLightbox('sqlite');
    // A CT of today, and an older study of another modality that the user's defaults leave out.
    const objects = [
      ...ctPhantom({
        patientId: 'SET-CT',
        patientName: 'Today^Tina',
        studyInstanceUid: ctStudyUid,
        seriesInstanceUid: generateUid(),
        frameOfReferenceUid: generateUid(),
        studyDate: today().dicom,
      }),
      syntheticImage({
        rows: 4,
        columns: 4,
        patientId: 'SET-OLD',
        patientName: 'Earlier^Eve',
        studyDate: '20200101',
        modality: 'OT',
      }),
    ];
    expect(await stowObjects(lightbox, objects)).toBe(200);
    browser = await startTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await lightbox?.stop();
  });

  it('saves defaults in Settings; after a reload the study list starts with them', async () => {
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl);
    // Before any settings: every study, dates as YYYY-MM-DD.
    await expect.poll(() => shownNames(page)).toEqual(['Today, Tina', 'Earlier, Eve']);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Settings' });
    await form.getByLabel('Default date range').selectOption({ label: 'Today' });
    await form
      .getByRole('group', { name: /Default modalities/ })
      .getByRole('checkbox', { name: 'CT', exact: true })
      .check();
    await form.getByLabel('Studies per page').selectOption('25');
    await form.getByRole('radio', { name: /As your browser writes them/ }).check();

    // A preset the form cannot save is refused in the form, naming the row.
    await form.getByRole('button', { name: 'Add a window preset' }).click();
    const preset = form.getByRole('group', { name: 'Preset 1' });
    // Keyboard users type on where they added the row.
    await expect
      .poll(() => preset.getByLabel('Modality').evaluate((e) => e === document.activeElement))
      .toBe(true);
    await preset.getByLabel('Name').fill('Subdural');
    await preset.getByLabel('Centre (level)').fill('75');
    await preset.getByLabel('Width').fill('0');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe('Preset 1: the width is a number above 0.');

    await preset.getByLabel('Width').fill('215');
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/me/settings') && r.request().method() === 'PATCH',
    );
    await form.getByRole('button', { name: 'Save settings' }).click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Settings saved');
    expect(await form.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'settings-saved');

    // The server keeps them: a fresh load of the list (any workstation) starts with them.
    await page.goto(lightbox.baseUrl);
    const search = page.getByRole('form', { name: 'Search studies' });
    const query = page.waitForRequest((r) => r.url().includes('/dicomweb/studies?'));
    const params = new URL((await query).url()).searchParams;
    expect(params.get('StudyDate')).toBe(today().dicom);
    expect(params.get('ModalitiesInStudy')).toBe('CT');
    // A page of 25, asked for as 26: the one more tells whether there is a next page.
    expect(params.get('limit')).toBe('26');
    await expect.poll(() => search.getByLabel('From').inputValue()).toBe(today().iso);
    expect(await search.getByLabel('To').inputValue()).toBe(today().iso);
    expect(await search.getByLabel('Modality').inputValue()).toBe('CT');
    await expect.poll(() => shownNames(page)).toEqual(['Today, Tina']);
    // The study date as the browser writes dates, not YYYY-MM-DD.
    const localDate = await page.evaluate(
      ([y, m, d]) =>
        new Date(Date.UTC(y!, m! - 1, d!, 12)).toLocaleDateString(undefined, { timeZone: 'UTC' }),
      today().iso.split('-').map(Number),
    );
    const row = page.locator(`tr[data-study-uid="${ctStudyUid}"]`);
    expect(await row.locator('td:nth-child(5)').textContent()).toBe(localDate);
    expect(localDate).not.toBe(today().iso);
    await screenshot(page, 'settings-study-list');

    // Clearing the form searches everything again.
    await search.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => shownNames(page)).toEqual(['Today, Tina', 'Earlier, Eve']);
    await page.context().close();
  });

  it("offers the user's preset in the viewer after the built-in ones, and applies its window", async () => {
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl);
    await page
      .locator(`tr[data-study-uid="${ctStudyUid}"]`)
      .getByRole('link', { name: 'Today, Tina' })
      .click();
    await page.locator('.slice-index').filter({ hasText: 'Im 1/16' }).first().waitFor();
    await page.getByLabel('Layout').selectOption('1x1');
    const windowLevel = page.locator('.viewport-overlay .window-level').first();
    await expect.poll(() => windowLevel.textContent()).toBe('W 400 L 40');

    const toolbar = page.locator('.toolbar');
    const names = await toolbar.locator('button').allTextContents();
    const stroke = names.indexOf('Stroke');
    expect(stroke).toBeGreaterThan(0);
    expect(names[stroke + 1]).toBe('Subdural');
    const own = toolbar.getByRole('button', { name: 'Subdural', exact: true });
    expect(await own.getAttribute('title')).toBe('Subdural (yours): W 215 L 75 (8)');

    await own.click();
    await expect.poll(() => windowLevel.textContent()).toBe('W 215 L 75');
    await screenshot(page, 'settings-own-preset');
    // Its key too, after a built-in preset changed the window.
    await page.keyboard.press('2');
    await expect.poll(() => windowLevel.textContent()).toBe('W 1500 L -600');
    await page.keyboard.press('8');
    await expect.poll(() => windowLevel.textContent()).toBe('W 215 L 75');
    await page.context().close();
  });
});

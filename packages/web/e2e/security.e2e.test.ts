import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateUid } from '@lightbox/dicom';
import { sequenceElement, syntheticImage, textElement } from '@lightbox/dicom/test-support';
import { multipartBody } from '../../server/src/test-support/dicomweb-client.js';
import {
  startTestLightbox,
  TEST_ADMIN_PASSWORD,
  type TestLightbox,
} from '../../server/src/test-support/test-lightbox.js';
import { createUser, TEST_USER_PASSWORD } from '../../server/src/test-support/test-users.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';

const VIEWPORT = { width: 1440, height: 900 };
const REASON = 'Unconscious patient in the ER, no referral on file';

async function signIn(page: Page, baseUrl: string, path: string, user: string, password: string) {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A study of one instance referred by the provider with this identifier. */
function studyObject(patientId: string, patientName: string, studyUid: string, providerId: string) {
  return syntheticImage({
    patientId,
    patientName,
    studyInstanceUid: studyUid,
    sopInstanceUid: generateUid(),
    referringPhysicianName: 'Doe^Jane',
    rows: 8,
    columns: 8,
    extra: [
      sequenceElement(0x00080096, [
        [
          sequenceElement(0x00401101, [
            [
              textElement(0x00080100, 'SH', providerId),
              textElement(0x00080102, 'SH', 'L'),
              textElement(0x00080104, 'LO', 'provider'),
            ],
          ]),
        ],
      ]),
    ],
  });
}

describe('security screens in Chromium: break the glass, notices, API tokens', () => {
  let lb: TestLightbox;
  let browser: TestBrowser;
  let doctorAuth = '';
  const ownStudy = generateUid(); // referred by the doctor (NPI-111)
  const otherStudy = generateUid(); // referred by someone else (NPI-999)

  const emergencyOfDoctor = async () =>
    (await fetch(`${lb.baseUrl}/api/emergency-access`, { headers: { authorization: doctorAuth } })).status;
  const withToken = (token: string, path: string) =>
    fetch(`${lb.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
    const { body, contentType } = multipartBody([
      { bytes: studyObject('SEC-OWN', 'Own^Patient', ownStudy, 'NPI-111') },
      { bytes: studyObject('SEC-OTHER', 'Stranger^Patient', otherStudy, 'NPI-999') },
    ]);
    const stored = await fetch(`${lb.dicomweb}/studies`, {
      method: 'POST',
      body,
      headers: { authorization: lb.authorization, 'content-type': contentType },
    });
    expect(stored.status).toBe(200);
    doctorAuth = await createUser(lb, 'dr-er', { roles: ['referring-physician'], providerIds: ['NPI-111'] });
    await createUser(lb, 'officer', { roles: ['security-officer'] });
    browser = await startTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await lb?.stop();
  });

  it('a referring physician breaks the glass with a reason, sees every study under a banner, and ends it', async () => {
    const page = await browser.newPage(VIEWPORT);
    await signIn(page, lb.baseUrl, '/', 'dr-er', TEST_USER_PASSWORD);
    const own = page.locator(`tr[data-study-uid="${ownStudy}"]`);
    const other = page.locator(`tr[data-study-uid="${otherStudy}"]`);
    await own.waitFor();
    expect(await other.count()).toBe(0);

    await page.getByRole('button', { name: 'Emergency access…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Emergency access' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('The security officer and the administrators are told');
    // The reason field has the focus; a short reason is refused before it reaches the server.
    await page.keyboard.type('broken');
    await dialog.getByRole('button', { name: 'Start emergency access' }).click();
    await expect
      .poll(() => dialog.locator('.field-error').textContent())
      .toBe('State the reason in at least 10 characters.');
    expect(await emergencyOfDoctor()).toBe(404);
    await dialog.getByLabel('Reason').fill(REASON);
    await dialog.getByLabel('Duration').selectOption({ label: '30 minutes' });
    await screenshot(page, 'security-01-emergency-dialog');
    await dialog.getByRole('button', { name: 'Start emergency access' }).click();

    const banner = page.getByRole('region', { name: 'Emergency access' });
    await banner.waitFor();
    await dialog.waitFor({ state: 'detached' });
    const bannerText = (await banner.textContent()) ?? '';
    expect(bannerText).toContain(`Reason: ${REASON}`);
    expect(bannerText).toMatch(/(30|29) min left \(until \d\d:\d\d/);
    // The search ran again: the other physician's study is listed now.
    await other.waitFor();
    expect(await own.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Emergency access…' }).count()).toBe(0);
    expect(await emergencyOfDoctor()).toBe(200);
    await screenshot(page, 'security-02-emergency-banner');

    // The banner is on every page.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    expect(await banner.count()).toBe(1);
    await nav.getByRole('link', { name: 'Studies' }).click();
    await other.waitFor();

    await banner.getByRole('button', { name: 'End emergency access' }).click();
    await banner.waitFor({ state: 'detached' });
    await other.waitFor({ state: 'detached' });
    await own.waitFor();
    await page.getByRole('button', { name: 'Emergency access…' }).waitFor();
    expect(await emergencyOfDoctor()).toBe(404);
  });

  it('the security officer sees the notice, counted in the navigation, and acknowledges it', async () => {
    const page = await browser.newPage(VIEWPORT);
    await signIn(page, lb.baseUrl, '/', 'officer', TEST_USER_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const notices = nav.getByRole('link', { name: /^Notices/ });
    await expect.poll(() => notices.textContent()).toBe('Notices 1 unacknowledged');
    await notices.click();

    const card = page.getByRole('article', { name: 'Emergency access by dr-er' });
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).toContain(`Reason: ${REASON}`);
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/);
    await screenshot(page, 'security-03-notices');

    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await card.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('Acknowledged: Emergency access by dr-er');
    await expect.poll(() => notices.textContent()).toBe('Notices');
    expect(await page.getByText('No notices need your attention.').count()).toBe(1);

    await page.getByLabel('Show acknowledged notices too').check();
    await expect.poll(() => card.textContent()).toContain('Acknowledged by officer at');
    expect(await card.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
  });

  it('a user creates an API token, sees its secret once, uses it as a Bearer token, and revokes it', async () => {
    const page = await browser.newPage(VIEWPORT);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lb.baseUrl });
    await signIn(page, lb.baseUrl, '/account', 'dr-er', TEST_USER_PASSWORD);
    const panel = page.getByRole('region', { name: 'API tokens' });
    await panel.getByText('No API tokens.').waitFor();
    const form = panel.getByRole('form', { name: 'Create an API token' });

    // Refused before it is sent: no name.
    await form.getByRole('button', { name: 'Create token' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe('Give the token a name (what it is for).');
    await form.getByLabel('Token name').fill('e2e script');
    await form.getByLabel('Expires after (days, 1–365)').fill('7');
    await form.getByRole('button', { name: 'Create token' }).click();

    const secretField = panel.getByLabel('New API token', { exact: true });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^lbx_[A-Za-z0-9_-]{43}$/);
    expect(await panel.getByRole('alert').first().textContent()).toContain('it will not be shown again');
    await panel.getByRole('button', { name: 'Copy' }).click();
    await expect
      .poll(() => panel.locator('.new-token [role="status"]').textContent())
      .toBe('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const row = panel.locator('tbody tr').filter({ hasText: 'e2e script' });
    expect(await row.textContent()).toContain(secret.slice(0, 12));
    expect(await row.textContent()).toContain('active');
    await screenshot(page, 'security-04-api-token');

    const me = await withToken(secret, '/api/me');
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('dr-er');

    await panel.getByRole('button', { name: 'Done' }).click();
    await secretField.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    // A token limited to reading studies: it reads studies, not the account.
    await form.getByLabel('Token name').fill('read only');
    for (const permission of ['self', 'study:emergency']) await form.getByLabel(permission).uncheck();
    await form.getByRole('button', { name: 'Create token' }).click();
    await secretField.waitFor();
    const readOnly = await secretField.inputValue();
    expect((await withToken(readOnly, '/api/me')).status).toBe(403);
    expect((await withToken(readOnly, `/dicomweb/studies?StudyInstanceUID=${ownStudy}`)).status).toBe(200);
    expect(await panel.locator('tbody tr').filter({ hasText: 'read only' }).textContent()).toContain(
      'study:read',
    );
    await panel.getByRole('button', { name: 'Done' }).click();

    await panel.getByRole('button', { name: 'Revoke e2e script' }).click();
    await expect.poll(() => row.textContent()).toMatch(/revoked \d{4}-/);
    expect(await row.getByRole('button').count()).toBe(0);
    expect((await withToken(secret, '/api/me')).status).toBe(401);
  });

  it("an administrator revokes a user's token and ends their emergency access on the Users page", async () => {
    const issued = await fetch(`${lb.baseUrl}/api/users/dr-er/tokens`, {
      method: 'POST',
      headers: { authorization: lb.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nightly export', permissions: ['self'] }),
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    expect((await withToken(token, '/api/me')).status).toBe(200);
    const started = await fetch(`${lb.baseUrl}/api/emergency-access`, {
      method: 'POST',
      headers: { authorization: doctorAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'second emergency, night shift' }),
    });
    expect(started.status).toBe(201);

    const page = await browser.newPage(VIEWPORT);
    await signIn(page, lb.baseUrl, '/users', 'admin', TEST_ADMIN_PASSWORD);
    // Administrators get the notices too.
    await expect
      .poll(() =>
        page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: /^Notices/ })
          .textContent(),
      )
      .toBe('Notices 2 unacknowledged');
    // The user list says who has emergency access in force.
    expect(await page.locator('tr[data-username="dr-er"] .emergency-flag').textContent()).toMatch(
      /emergency access until/,
    );
    const toggle = page.getByRole('button', { name: 'Tokens and access of dr-er' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const panel = page.getByRole('region', { name: 'API tokens of dr-er' });
    const row = panel.locator('tbody tr').filter({ hasText: 'nightly export' });
    await row.waitFor();
    expect(await panel.locator('tbody tr').count()).toBe(3);
    await panel.getByRole('button', { name: 'Revoke nightly export' }).click();
    await expect.poll(() => row.textContent()).toMatch(/revoked \d{4}-/);
    expect((await withToken(token, '/api/me')).status).toBe(401);

    const emergency = page.getByRole('region', { name: 'Emergency access of dr-er' });
    await emergency.getByRole('button', { name: 'End emergency access of dr-er' }).click();
    await expect
      .poll(() => emergency.getByRole('status').textContent())
      .toBe('Ended the emergency access of dr-er.');
    expect(await emergencyOfDoctor()).toBe(404);
    await screenshot(page, 'security-05-user-tokens');
    // Again: nothing left to end, and the server says so.
    await emergency.getByRole('button', { name: 'End emergency access of dr-er' }).click();
    await expect
      .poll(() => emergency.getByRole('status').textContent())
      .toBe('dr-er has no emergency access in force');
  });
  it("an administrator creates a referring physician with a provider ID and changes the user's access on the Users page", async () => {
    const page = await browser.newPage(VIEWPORT);
    await signIn(page, lb.baseUrl, '/users', 'admin', TEST_ADMIN_PASSWORD);
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('User name').fill('dr-new');
    await form.getByLabel('Password (12 characters or more)').fill(TEST_USER_PASSWORD);
    await form.getByLabel('radiologist').uncheck();
    await form.getByLabel('referring-physician').check();
    // The studies name NPI-111 with Coding Scheme Designator L.
    await form.getByLabel('Provider IDs').fill('NPI-111^L');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.locator('tr[data-username="dr-new"]').filter({ hasText: 'provider IDs NPI-111^L' }).waitFor();
    const asNewDoctor = async () => {
      const response = await fetch(`${lb.dicomweb}/studies`, {
        headers: {
          authorization: `Basic ${Buffer.from(`dr-new:${TEST_USER_PASSWORD}`).toString('base64')}`,
        },
      });
      return ((await response.json()) as Array<Record<string, { Value?: string[] }>>).map(
        (st) => st['0020000D']!.Value![0],
      );
    };
    expect(await asNewDoctor()).toEqual([ownStudy]);
    // Creating a user under a name already taken changes nobody.
    await form.getByLabel('User name').fill('dr-er');
    await form.getByLabel('Password (12 characters or more)').fill(TEST_USER_PASSWORD);
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe('A user named dr-er already exists: change them from their row.');

    await page.getByRole('button', { name: 'Tokens and access of dr-new' }).click();
    const access = page.getByRole('form', { name: 'Access of dr-new' });
    expect(await access.getByLabel('Provider IDs').inputValue()).toBe('NPI-111^L');
    // A malformed identifier is refused before it is sent.
    await access.getByLabel('Provider IDs').fill('NPI-999^');
    await access.getByRole('button', { name: 'Save access of dr-new' }).click();
    expect(await access.getByRole('alert').textContent()).toMatch(/ID\^ISSUER: NPI-999\^/);
    await access.getByLabel('Provider IDs').fill('NPI-999\n');
    await access.getByRole('button', { name: 'Save access of dr-new' }).click();
    await page.locator('tr[data-username="dr-new"]').filter({ hasText: 'provider IDs NPI-999' }).waitFor();
    await screenshot(page, 'security-06-user-access');
    // The change takes effect on the next request: the credentials cache forgets a changed user.
    expect(await asNewDoctor()).toEqual([otherStudy]);
  });
});

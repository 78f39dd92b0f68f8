import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, TEST_USER_PASSWORD } from '../../server/src/test-support/test-users.js';
import { screenshot } from './test-browser.js';
import { signIn, startViewerSession, stopViewerSession, type ViewerSession } from './viewer-session.js';

/** An MR brain of four sequences, one image each: the built-in MR brain protocol would hang it 2 × 2. */
const SEQUENCES = ['Ax T1', 'Ax T2 TSE', 'Ax FLAIR', 'DWI b1000'];

describe("a user's own and the department's hanging protocols in Chromium (issue #5)", () => {
  let session: Partial<ViewerSession> = {};
  const studyUid = generateUid();

  beforeAll(async () => {
    const objects = SEQUENCES.map((description, n) =>
      syntheticImage({
        rows: 32,
        columns: 32,
        modality: 'MR',
        patientId: 'HP-MR',
        patientName: 'Neuro^Nina',
        studyInstanceUid: studyUid,
        seriesInstanceUid: generateUid(),
        studyDescription: 'MRI BRAIN WO',
        seriesDescription: description,
        seriesNumber: n + 1,
        instanceNumber: 1,
      }),
    );
    session = await startViewerSession(objects);
  });

  afterAll(async () => {
    await stopViewerSession(session);
  });

  it('is defined in Settings, and the study opens hung as it says, before the built-in protocols', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await signIn(page, lightbox.baseUrl, '/settings');
    const form = page.getByRole('form', { name: 'Settings' });
    await form.getByText('No hanging protocols of your own.').waitFor();

    // A first protocol, then the one meant: MR brain, FLAIR | T2 | DWI in one row.
    const add = form.getByRole('button', { name: 'Add a hanging protocol' });
    await add.click();
    await form.getByRole('group', { name: 'Protocol 1' }).getByLabel('Name').fill('Scratch');
    await add.click();
    const second = form.getByRole('group', { name: 'Protocol 2' });
    // Keyboard users type on where they added the protocol.
    await expect
      .poll(() => second.getByLabel('Name').evaluate((e) => e === document.activeElement))
      .toBe(true);
    await second.getByLabel('Name').fill('My MR brain');
    await second.getByLabel('Study modalities').fill('MR');
    await second.getByLabel('Body part words').fill('brain, head');
    await second.getByLabel('Columns').selectOption('3');
    const viewport = (n: number) => second.getByRole('group', { name: new RegExp(`^Viewport ${n} `) });
    expect(await second.getByRole('group', { name: /^Viewport/ }).count()).toBe(3);
    await viewport(1).getByLabel('Description words').fill('FLAIR');
    await viewport(2).getByLabel('Series modalities').fill('MR');
    await viewport(2).getByLabel('Description words').fill('T2');
    await viewport(3).getByLabel('Description words').fill('diffusion, DWI');

    // Reordered: it goes first, and the focus goes with it.
    await second.getByRole('button', { name: 'Move protocol 2 up' }).click();
    const first = form.getByRole('group', { name: 'Protocol 1' });
    expect(await first.getByLabel('Name').inputValue()).toBe('My MR brain');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe('Move protocol 1 down');

    // A protocol the form cannot save is named, and nothing is saved.
    await form.getByRole('group', { name: 'Protocol 2' }).getByLabel('Name').fill(' ');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toBe('Protocol 2: give it a name.');

    await form.getByRole('button', { name: 'Remove protocol 2' }).click();
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/me/settings') && r.request().method() === 'PATCH',
    );
    await form.getByRole('button', { name: 'Save settings' }).click();
    const response = await saved;
    expect(response.status()).toBe(200);
    expect(
      ((await response.json()) as { viewer: { hangingProtocols: unknown } }).viewer.hangingProtocols,
    ).toEqual([
      {
        name: 'My MR brain',
        modalities: ['MR'],
        bodyParts: ['brain', 'head'],
        needsPrior: false,
        layout: { rows: 1, columns: 3 },
        viewports: [
          { study: 'current', description: ['FLAIR'] },
          { study: 'current', modality: ['MR'], description: ['T2'] },
          { study: 'current', description: ['diffusion', 'DWI'] },
        ],
      },
    ]);
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Settings saved');
    expect(await form.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'hanging-protocol-settings');

    // A fresh load (any workstation): the viewer reads the protocol from the server and hangs by it.
    await page.goto(`${lightbox.baseUrl}/viewer?StudyInstanceUIDs=${studyUid}`);
    await expect.poll(() => page.locator('.protocol-name').textContent()).toBe('My MR brain (yours)');
    expect(await page.getByLabel('Layout').inputValue()).toBe('1x3');
    const shown = (cell: number) =>
      page.locator(`[data-viewport-id="viewport-${cell}"] .viewport-overlay .top-right > div`).first();
    for (const [cell, description] of ['Ax FLAIR', 'Ax T2 TSE', 'DWI b1000'].entries())
      await expect.poll(() => shown(cell).textContent(), { timeout: 15_000 }).toBe(description);
    expect(await page.locator('[data-viewport-id="viewport-3"]').count()).toBe(0);
    await screenshot(page, 'hanging-protocol-viewer');

    // From the layout shown, made 1 × 2, a second protocol starts in Settings, after the first (kept).
    await page.getByLabel('Layout').selectOption('1x2');
    await page.getByRole('button', { name: 'New protocol…' }).click();
    const settings = page.getByRole('form', { name: 'Settings' });
    const kept = settings.getByRole('group', { name: 'Protocol 1' });
    expect(await kept.getByLabel('Name').inputValue()).toBe('My MR brain');
    expect(await kept.getByLabel('Columns').inputValue()).toBe('3');
    const made = settings.getByRole('group', { name: 'Protocol 2' });
    await expect.poll(() => made.getByLabel('Name').evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await made.getByLabel('Name').inputValue()).toBe('MRI BRAIN WO');
    expect(await made.getByLabel('Study modalities').inputValue()).toBe('MR');
    expect(await made.getByLabel('Columns').inputValue()).toBe('2');
    const madeViewports = made.getByRole('group', { name: /^Viewport/ });
    expect(await madeViewports.count()).toBe(2);
    expect(await madeViewports.nth(0).getByLabel('Description words').inputValue()).toBe('Ax FLAIR');
    expect(await madeViewports.nth(1).getByLabel('Description words').inputValue()).toBe('Ax T2 TSE');
    expect(await settings.getByRole('status').textContent()).toContain('Protocol 2 hangs the study');
    await made.getByLabel('Name').fill('MR brain FLAIR beside T2');
    const savedAgain = page.waitForResponse(
      (r) => r.url().endsWith('/api/me/settings') && r.request().method() === 'PATCH',
    );
    await settings.getByRole('button', { name: 'Save settings' }).click();
    expect((await savedAgain).status()).toBe(200);
    await expect.poll(() => settings.getByRole('status').textContent()).toContain('Settings saved');
    await screenshot(page, 'hanging-protocol-from-viewer');
    await page.context().close();
  });
  it("hangs a radiologist's study by the protocol the administrator kept for the department", async () => {
    const { lightbox, browser } = session as ViewerSession;
    const admin = await browser.newPage();
    await signIn(admin, lightbox.baseUrl, '/settings');
    const department = admin.getByRole('form', { name: 'Department hanging protocols' });
    await department.getByText('No department hanging protocols.').waitFor();
    await department.getByRole('button', { name: 'Add a hanging protocol' }).click();
    const protocol = department.getByRole('group', { name: 'Protocol 1' });
    await protocol.getByLabel('Name').fill('Neuro FLAIR + DWI');
    await protocol.getByLabel('Study modalities').fill('MR');
    await protocol.getByLabel('Body part words').fill('brain');
    await protocol.getByLabel('Columns').selectOption('2');
    const viewport = (n: number) => protocol.getByRole('group', { name: new RegExp(`^Viewport ${n} `) });
    await viewport(1).getByLabel('Description words').fill('FLAIR');
    await viewport(2).getByLabel('Description words').fill('DWI');
    const saved = admin.waitForResponse(
      (r) => r.url().endsWith('/api/hanging-protocols') && r.request().method() === 'PUT',
    );
    await department.getByRole('button', { name: 'Save department protocols' }).click();
    const response = await saved;
    expect(response.status()).toBe(200);
    const neuro = {
      name: 'Neuro FLAIR + DWI',
      modalities: ['MR'],
      bodyParts: ['brain'],
      needsPrior: false,
      layout: { rows: 1, columns: 2 },
      viewports: [
        { study: 'current', description: ['FLAIR'] },
        { study: 'current', description: ['DWI'] },
      ],
    };
    expect(await response.json()).toEqual([neuro]);
    await expect
      .poll(() => department.getByRole('status').textContent())
      .toContain('Department hanging protocols saved');
    await screenshot(admin, 'department-hanging-protocols');

    // Another administrator saves meanwhile (here through the API): this form's next save is refused,
    // not written over theirs, and it loads what they saved.
    const api = (init: RequestInit = {}) =>
      fetch(`${lightbox.baseUrl}/api/hanging-protocols`, {
        ...init,
        headers: {
          authorization: lightbox.authorization,
          'content-type': 'application/json',
          ...init.headers,
        },
      });
    const etag = (await api()).headers.get('etag')!;
    const theirs = { ...neuro, name: 'Neuro FLAIR + DWI (2)' };
    expect(
      (await api({ method: 'PUT', body: JSON.stringify([theirs]), headers: { 'if-match': etag } })).status,
    ).toBe(200);
    await protocol.getByLabel('Name').fill('Mine, later');
    await department.getByRole('button', { name: 'Save department protocols' }).click();
    await expect
      .poll(() => department.getByRole('alert').textContent())
      .toContain('Another administrator saved the department hanging protocols');
    expect(((await (await api()).json()) as { name: string }[]).map((p) => p.name)).toEqual([theirs.name]);
    await department.getByRole('button', { name: 'Load the saved department protocols' }).click();
    await expect.poll(() => protocol.getByLabel('Name').inputValue()).toBe(theirs.name);
    expect(await department.getByRole('alert').count()).toBe(0);
    await admin.context().close();

    // A radiologist with no protocols of their own: the department's hangs the study, before the built-in
    // MR brain protocol (which would hang it 2 × 2); the department's are no part of their Settings.
    await createUser(lightbox, 'neuro-reader', { roles: ['radiologist'] });
    const reader = await browser.newPage();
    await signIn(reader, lightbox.baseUrl, '/settings', 'neuro-reader', TEST_USER_PASSWORD);
    await reader
      .getByRole('form', { name: 'Settings' })
      .getByText('No hanging protocols of your own.')
      .waitFor();
    expect(await reader.getByRole('form', { name: 'Department hanging protocols' }).count()).toBe(0);
    await reader.goto(`${lightbox.baseUrl}/viewer?StudyInstanceUIDs=${studyUid}`);
    await expect
      .poll(() => reader.locator('.protocol-name').textContent())
      .toBe('Neuro FLAIR + DWI (2) (department)');
    expect(await reader.getByLabel('Layout').inputValue()).toBe('1x2');
    const shown = (cell: number) =>
      reader.locator(`[data-viewport-id="viewport-${cell}"] .viewport-overlay .top-right > div`).first();
    for (const [cell, description] of ['Ax FLAIR', 'DWI b1000'].entries())
      await expect.poll(() => shown(cell).textContent(), { timeout: 15_000 }).toBe(description);
    await screenshot(reader, 'department-hanging-protocol-viewer');
    await reader.context().close();

    // The administrator's own protocol (the test above) still comes first for them.
    const own = await browser.newPage();
    await signIn(own, lightbox.baseUrl, `/viewer?StudyInstanceUIDs=${studyUid}`);
    await expect.poll(() => own.locator('.protocol-name').textContent()).toBe('My MR brain (yours)');
    await own.context().close();
  });
});

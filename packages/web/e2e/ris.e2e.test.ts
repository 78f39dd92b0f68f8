import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { connectMllp } from '@lightbox/hl7';
import { multipartBody } from '../../server/src/test-support/dicomweb-client.js';
import { ackOf, hl7Message, hl7Now } from '../../server/src/test-support/hl7-peers.js';
import {
  startTestLightbox,
  TEST_ADMIN_PASSWORD,
  type TestLightbox,
} from '../../server/src/test-support/test-lightbox.js';
import { createUser, TEST_USER_PASSWORD } from '../../server/src/test-support/test-users.js';
import { screenshot, startTestBrowser, type TestBrowser } from './test-browser.js';

interface OrderJson {
  accessionNumber: string;
  status: string;
  statusReason: string | null;
  steps: {
    stationAe: string;
    startDate: string | null;
    startTime: string | null;
    durationMinutes: number;
    performingTechnologist: string | null;
  }[];
}

const VIEWPORT = { width: 1440, height: 900 };

async function signIn(page: Page, baseUrl: string, path: string, user: string, password: string) {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** One HL7 segment from its numbered fields. */
function segment(id: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [id, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

describe('RIS screens in Chromium', () => {
  let lb: TestLightbox;
  let browser: TestBrowser;
  const tag = Date.now().toString(36).toUpperCase().slice(-6);
  const today = hl7Now().slice(0, 8);
  let booked = '';
  let second = '';

  const api = async <T>(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${lb.baseUrl}${url}`, {
      method,
      headers: {
        authorization: lb.authorization,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: (text === '' ? undefined : JSON.parse(text)) as T };
  };
  const order = async (accession: string) => (await api<OrderJson>('GET', `/api/orders/${accession}`)).json;
  const placeOrder = async (patientId: string, name: string, time?: string, stationAe?: string) => {
    const placed = await api<{ accessionNumber: string }>('POST', '/api/orders', {
      patient: { patientId, issuer: 'HOSP', name, birthDate: '19610203', sex: 'M' },
      modality: 'CT',
      procedure: { code: 'CTABD', meaning: 'CT abdomen' },
      ...(time !== undefined ? { requestedDate: today, requestedTime: time } : {}),
      ...(stationAe !== undefined ? { stationAe } : {}),
    });
    expect(placed.status).toBe(201);
    return placed.json.accessionNumber;
  };

  beforeAll(async () => {
    lb = await startTestLightbox('sqlite');
    await createUser(lb, 'sched', { roles: ['scheduler'] });
    await createUser(lb, 'tech', { roles: ['technologist'] });
    browser = await startTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await lb?.stop();
  });

  it('scheduler: enters an order, drags it from the waiting list into a slot, then to another; a refused move is put back', async () => {
    const page = await browser.newPage(VIEWPORT);
    await signIn(page, lb.baseUrl, '/orders', 'sched', TEST_USER_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Orders' }).waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Worklist',
      'Schedule',
      'Orders',
      'Exceptions',
      'Account',
      'Settings',
    ]);

    const form = page.getByRole('form', { name: 'New order' });
    await form.getByRole('button', { name: 'Place order' }).click();
    await expect
      .poll(() => form.locator('.field-error').allTextContents())
      .toContain('Patient ID is required.');
    await form.getByLabel('Patient ID').fill(`RIS-${tag}`);
    await form.getByLabel('Issuer').fill('HOSP');
    await form.getByLabel('Family name').fill('Tester');
    await form.getByLabel('Given name').fill('Ada');
    await form.getByLabel('Birth date').fill('1970-05-06');
    await form.getByLabel('Sex').selectOption('F');
    await form.getByLabel('Modality').selectOption('CT');
    await form.getByLabel('Procedure code').fill('CTCHEST');
    await form.getByLabel('Procedure description').fill('CT chest');
    await form.getByLabel('Reason for the exam').fill('Persistent cough');
    await form.getByLabel('Referring physician').fill('Welby, Marcus');
    await form.getByLabel('Referring provider ID').fill('NPI-1234567890');
    await form.getByRole('button', { name: 'Place order' }).click();
    const placed = form.locator('.placed strong[data-accession]');
    await placed.waitFor();
    booked = (await placed.textContent()) ?? '';
    expect(booked).toMatch(/^LB\d+$/);
    // The provider ID is what gives the referring physician the study (docs/security.md).
    expect(await order(booked)).toMatchObject({
      status: 'ordered',
      steps: [],
      referringProviderId: 'NPI-1234567890',
    });
    // The new order heads the list below the form.
    await page.locator(`table.orders tr[data-accession="${booked}"]`).waitFor();
    await screenshot(page, 'ris-01-order-entry');

    // Two more exams of the day, entered elsewhere: one to move with the keyboard, one cancelled meanwhile.
    second = await placeOrder(`RIS2-${tag}`, 'Second^Sam', '0900', 'CT_ROOM1');
    const third = await placeOrder(`RIS3-${tag}`, 'Third^Tom', '1400', 'CT_ROOM1');

    // The administrator keeps the department's stations; the scheduler books onto them.
    expect((await api('PUT', '/api/stations/CT_ROOM2', { location: 'ROOM 2', modality: 'CT' })).status).toBe(
      201,
    );
    await nav.getByRole('link', { name: 'Schedule' }).click();
    const column = (station: string) => page.locator(`.calendar-column[data-station="${station}"]`);
    const slot = (station: string, time: string) => column(station).locator(`.slot[data-time="${time}"]`);
    await column('CT_ROOM2').waitFor();
    expect(await page.getByRole('columnheader', { name: /CT_ROOM2/ }).textContent()).toContain('ROOM 2');
    expect(await page.getByRole('form', { name: 'Add a station' }).count()).toBe(0);
    await column('CT_ROOM1').locator(`.cal-block[data-accession="${second}"]`).waitFor();

    const waiting = page.locator(`.waiting-item[data-accession="${booked}"]`);
    await waiting.dragTo(slot('CT_ROOM2', '1000'), { sourcePosition: { x: 10, y: 5 } });
    await expect
      .poll(async () => {
        const o = await order(booked);
        return [o.status, o.steps[0]?.stationAe, o.steps[0]?.startDate, o.steps[0]?.startTime];
      })
      .toEqual(['scheduled', 'CT_ROOM2', today, '100000']);
    const block = column('CT_ROOM2').locator(`.cal-block[data-accession="${booked}"]`);
    await block.waitFor();
    expect(await page.locator('.waiting-item').count()).toBe(0);

    await block.dragTo(slot('CT_ROOM2', '1130'), { sourcePosition: { x: 10, y: 5 } });
    await expect.poll(async () => (await order(booked)).steps[0]?.startTime).toBe('113000');
    // The block is drawn again at its new time once the schedule reloads (slow on a loaded machine).
    await expect
      .poll(() => block.evaluate((el) => getComputedStyle(el).top), { timeout: 10_000 })
      .toBe(`${(4 * 4 + 2) * 22 + 1}px`);
    await screenshot(page, 'ris-02-schedule-dragged');

    // The keyboard's way: select the block, then "Move to…".
    const secondBlock = column('CT_ROOM1').locator(`.cal-block[data-accession="${second}"]`);
    await secondBlock.focus();
    await page.keyboard.press('Enter');
    const move = page.getByRole('form', { name: 'Move to' });
    await move.getByLabel('Time').fill('08:15');
    await move.getByLabel('Minutes').fill('45');
    await move.getByLabel('Technologist').fill('Tech, Tina');
    await move.getByRole('button', { name: 'Move' }).click();
    await expect
      .poll(async () => {
        const o = await order(second);
        return [
          o.steps[0]?.startTime,
          o.steps[0]?.durationMinutes,
          o.steps[0]?.stationAe,
          o.steps[0]?.performingTechnologist,
        ];
      })
      .toEqual(['081500', 45, 'CT_ROOM1', 'Tech^Tina']);

    // Cancelled at the desk while the calendar was open: the server refuses the move, the block goes back.
    expect(
      (await api('POST', `/api/orders/${third}/status`, { status: 'cancelled', reason: 'Phoned' })).status,
    ).toBe(200);
    const thirdBlock = column('CT_ROOM1').locator(`.cal-block[data-accession="${third}"]`);
    const before = await thirdBlock.evaluate((el) => getComputedStyle(el).top);
    await thirdBlock.dragTo(slot('CT_ROOM1', '1500'), { sourcePosition: { x: 10, y: 5 } });
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain(`${third} was not moved`);
    expect(await alert.textContent()).toContain('cancelled');
    expect(await thirdBlock.evaluate((el) => getComputedStyle(el).top)).toBe(before);
    await screenshot(page, 'ris-03-schedule-refused');

    // Unbooked: the exam leaves the calendar for the list of exams to book.
    const fourth = await placeOrder(`RIS4-${tag}`, 'Fourth^Fay', '1600', 'CT_ROOM1');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const fourthBlock = column('CT_ROOM1').locator(`.cal-block[data-accession="${fourth}"]`);
    await fourthBlock.click();
    await page.getByRole('form', { name: 'Move to' }).getByRole('button', { name: 'Unbook' }).click();
    await page.locator(`.waiting-item[data-accession="${fourth}"]`).waitFor();
    expect(await fourthBlock.count()).toBe(0);
    expect(await order(fourth)).toMatchObject({ status: 'ordered' });
    await page.context().close();
  });

  it('technologist: checks in, starts and completes an exam; records a no-show with its reason', async () => {
    const page = await browser.newPage(VIEWPORT);
    await signIn(page, lb.baseUrl, '/worklist', 'tech', TEST_USER_PASSWORD);
    const row = (accession: string) => page.locator(`table.worklist tr[data-accession="${accession}"]`);
    const chip = (accession: string) => row(accession).locator('.chip');
    await row(booked).waitFor();
    // An exam booked elsewhere meanwhile shows at once (order events), not at the next 15 s refresh.
    const walkIn = await placeOrder(`RIS5-${tag}`, 'Walkin^Will', '1700', 'CT_ROOM1');
    await row(walkIn).waitFor({ timeout: 5_000 });
    expect(await row(booked).locator('td.patient-name').textContent()).toBe('Tester, Ada');
    expect(await row(booked).locator('td.time').textContent()).toContain('11:30');
    // Sorted by time: the 08:15 exam before the 11:30 one.
    const order1 = await page
      .locator('table.worklist tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-accession')));
    expect(order1.indexOf(second)).toBeLessThan(order1.indexOf(booked));

    for (const [button, status] of [
      ['Check in', 'arrived'],
      ['Start', 'in-progress'],
      ['Complete', 'completed'],
    ] as const) {
      await row(booked).getByRole('button', { name: button, exact: true }).click();
      await expect.poll(() => chip(booked).getAttribute('data-status')).toBe(status);
      expect((await order(booked)).status).toBe(status);
    }
    expect(await row(booked).getByRole('link', { name: 'Open images' }).getAttribute('href')).toMatch(
      /^\/viewer\?StudyInstanceUIDs=[0-9.]+$/,
    );
    expect(await row(booked).getByRole('button').count()).toBe(0);

    await row(second).getByRole('button', { name: 'No-show' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'No-show' }).click();
    await dialog.locator('.field-error').waitFor();
    // A modal dialog: Tab and Shift+Tab go round its own controls, never to the page behind it.
    for (const key of [
      'Tab',
      'Tab',
      'Tab',
      'Tab',
      'Shift+Tab',
      'Shift+Tab',
      'Shift+Tab',
      'Shift+Tab',
      'Shift+Tab',
    ]) {
      await page.keyboard.press(key);
      expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await dialog.getByLabel('Reason').fill('Did not attend');
    await screenshot(page, 'ris-04-worklist-no-show');
    await dialog.getByRole('button', { name: 'No-show' }).click();
    await expect.poll(() => chip(second).getAttribute('data-status')).toBe('no-show');
    expect(await order(second)).toMatchObject({ status: 'no-show', statusReason: 'Did not attend' });
    await screenshot(page, 'ris-05-worklist');
    await page.context().close();
  });

  it('an HL7 order appears in the worklist; the admin sees it in the monitor with its ACK and segments, and replays a failed one', async () => {
    const accession = `HL7-${tag}`;
    const start = `${today}1045`;
    const msh = (type: string, control: string) =>
      `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||${type}|${control}|P|2.3.1`;
    const orm = hl7Message(
      msh('ORM^O01', `ORM-${tag}`),
      segment('PID', { 1: '1', 3: `HL7P-${tag}^^^HOSP^MR`, 5: 'DOE^JANE^Q', 7: '19800102', 8: 'F' }),
      segment('PV1', { 1: '1', 2: 'O', 3: 'RAD^101^1', 8: '1234^WELBY^MARCUS' }),
      segment('ORC', { 1: 'NW', 2: `PL-${tag}^EHR`, 7: `^^^${start}^^S` }),
      segment('OBR', {
        1: '1',
        2: `PL-${tag}^EHR`,
        4: 'CTHEAD^CT head without contrast^L',
        18: accession,
        24: 'CT',
        27: `^^^${start}^^S`,
      }),
    );
    // A cancellation of an order the RIS does not have: refused with an error.
    const cancel = hl7Message(
      msh('ORM^O01', `BAD-${tag}`),
      segment('PID', { 1: '1', 3: `HL7P-${tag}^^^HOSP^MR`, 5: 'DOE^JANE^Q' }),
      segment('ORC', { 1: 'CA', 2: `NOPE-${tag}^EHR` }),
      segment('OBR', { 1: '1', 2: `NOPE-${tag}^EHR`, 4: 'CTHEAD^CT head^L' }),
    );
    const client = await connectMllp({ host: '127.0.0.1', port: lb.hl7Port });
    const acks: string[] = [];
    try {
      for (const message of [orm, cancel])
        acks.push(Buffer.from(await client.send(message)).toString('latin1'));
    } finally {
      await client.close();
    }
    expect(acks.map((a) => ackOf(a).code)).toEqual(['AA', 'AE']);

    const tech = await browser.newPage(VIEWPORT);
    await signIn(tech, lb.baseUrl, '/worklist', 'tech', TEST_USER_PASSWORD);
    const row = tech.locator(`table.worklist tr[data-accession="${accession}"]`);
    await row.waitFor();
    expect(await row.locator('td.patient-name').textContent()).toBe('DOE, JANE Q');
    expect(await row.locator('.chip').getAttribute('data-status')).toBe('scheduled');
    await tech.context().close();

    const admin = await browser.newPage(VIEWPORT);
    await signIn(admin, lb.baseUrl, '/hl7', 'admin', TEST_ADMIN_PASSWORD);
    const received = admin.locator(`tr[data-control-id="ORM-${tag}"]`);
    await received.waitFor();
    expect(await received.locator('.ack').textContent()).toBe('AA');
    expect(await received.locator('.ack').getAttribute('class')).toContain('ack-ok');
    await received.click();
    const segments = admin.getByRole('list', { name: 'Message segments' }).locator('li');
    await expect.poll(() => segments.count()).toBe(5);
    expect((await segments.allTextContents()).map((s) => s.slice(0, 3))).toEqual([
      'MSH',
      'PID',
      'PV1',
      'ORC',
      'OBR',
    ]);
    expect(await segments.nth(4).textContent()).toContain(accession);
    const ack = admin.getByRole('list', { name: 'Acknowledgement segments' }).locator('li');
    expect(await ack.allTextContents()).toContainEqual(expect.stringMatching(/^MSA\|AA\|ORM-/));
    expect(await admin.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    await screenshot(admin, 'ris-06-hl7-monitor');

    const failed = admin.locator(`tr[data-control-id="BAD-${tag}"]`);
    expect(await failed.locator('.ack').getAttribute('class')).toContain('ack-bad');
    await failed.click();
    await admin.getByRole('button', { name: 'Replay' }).click();
    const result = admin.locator('.replay-result');
    await result.waitFor();
    expect(await result.locator('.ack').first().textContent()).toBe('AE');
    await screenshot(admin, 'ris-07-hl7-replay');

    // The administrator adds a station from the calendar; it becomes a column for everyone.
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule' }).click();
    const addStation = admin.getByRole('form', { name: 'Add a station' });
    await addStation.getByLabel('Station').fill('MR_ROOM1');
    await addStation.getByLabel('Room').fill('MR 1');
    await addStation.getByLabel('Modality').fill('mr');
    await addStation.getByRole('button', { name: 'Add station' }).click();
    await admin.locator('.calendar-column[data-station="MR_ROOM1"]').waitFor();
    const stations = (
      await api<{ aeTitle: string; location: string; modality: string }[]>('GET', '/api/stations')
    ).json;
    expect(stations).toContainEqual(
      expect.objectContaining({ aeTitle: 'MR_ROOM1', location: 'MR 1', modality: 'MR' }),
    );
    await admin.context().close();
  });

  it('exceptions: a study with an unknown accession is linked to its order; another is dismissed with a reason', async () => {
    expect((await api('GET', '/api/exceptions')).status).toBe(200);
    const target = await placeOrder(`EXC-${tag}`, 'Linked^Lena', '1600', 'CT_ROOM1');
    const typo = `TYPO-${tag}`;
    const outside = `OUTSIDE-${tag}`;
    const studies = { typo: generateUid(), outside: generateUid() };
    const { body, contentType } = multipartBody(
      [
        { patientId: `EXC-${tag}`, accessionNumber: typo, studyInstanceUid: studies.typo },
        { patientId: `EXT-${tag}`, accessionNumber: outside, studyInstanceUid: studies.outside },
      ].map((fields) => ({
        bytes: syntheticImage({
          ...fields,
          issuerOfPatientId: 'HOSP',
          patientName: 'SENT^AS',
          sopInstanceUid: generateUid(),
          rows: 8,
          columns: 8,
        }),
      })),
    );
    const stored = await fetch(`${lb.dicomweb}/studies`, {
      method: 'POST',
      headers: {
        authorization: lb.authorization,
        'content-type': contentType,
        accept: 'application/dicom+json',
      },
      body,
    });
    expect(stored.status).toBe(200);
    await lb.running.services.examTracker.settled();

    const page = await browser.newPage(VIEWPORT);
    await signIn(page, lb.baseUrl, '/exceptions', 'sched', TEST_USER_PASSWORD);
    const row = (accession: string) => page.locator(`table.exceptions tr[data-accession="${accession}"]`);
    await row(typo).waitFor();
    await row(outside).waitFor();
    expect(await row(typo).textContent()).toContain('No order with this accession');

    const link = row(typo).getByLabel('Accession');
    expect(await link.inputValue()).toBe(typo);
    // The patient's open orders are offered: one click puts the right accession in.
    await row(typo)
      .getByRole('button', { name: new RegExp(`^${target} CT`) })
      .click();
    expect(await link.inputValue()).toBe(target);
    // Before linking, the screen says whose order it is.
    const id = await row(typo).getAttribute('data-exception-id');
    await expect.poll(() => page.locator(`#target-${id}`).textContent()).toContain('Linked, Lena');
    await screenshot(page, 'ris-08-exceptions');
    await row(typo).getByRole('button', { name: 'Link' }).click();
    await expect.poll(() => row(typo).count()).toBe(0);
    const qido = await fetch(`${lb.dicomweb}/studies?StudyInstanceUID=${studies.typo}`, {
      headers: { authorization: lb.authorization },
    });
    const [study] = (await qido.json()) as Record<string, { Value?: unknown[] }>[];
    expect(study?.['00080050']?.Value).toEqual([target]);

    await row(outside).getByRole('button', { name: 'Dismiss' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Outside study, no order');
    await dialog.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => row(outside).count()).toBe(0);

    await page.getByRole('button', { name: 'Dismissed' }).click();
    await row(outside).waitFor();
    expect(await row(outside).textContent()).toContain('Outside study, no order');
    await page.context().close();
  });
});

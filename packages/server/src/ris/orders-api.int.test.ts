import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackOf, hl7Message, hl7Now, mllpSend } from '../test-support/hl7-peers.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

const run = promisify(execFile);

interface OrderJson {
  accessionNumber: string;
  status: string;
  statusReason: string | null;
  patient: { patientId: string; name: string | null };
  steps: {
    stationAe: string;
    startDate: string | null;
    startTime: string | null;
    status: string;
    durationMinutes: number;
  }[];
  history?: { status: string; reason: string | null; actor: string }[];
}

for (const dialect of DIALECTS) {
  describe(`orders API on ${dialect}`, () => {
    let lb: TestLightbox;
    let scheduler: string;
    let referrer: string;
    const tag = Date.now().toString(36).toUpperCase();
    const today = hl7Now().slice(0, 8);

    const call = async (method: string, url: string, authorization: string, body?: unknown) => {
      const response = await fetch(`${lb.baseUrl}${url}`, {
        method,
        headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      scheduler = await createUser(lb, 'sched', { roles: ['scheduler'] });
      referrer = await createUser(lb, 'referrer', { roles: ['referring-physician'] });
    });

    afterAll(async () => {
      await lb?.stop();
    });

    it('enters an order, books it into a slot, and the modality finds it in its worklist', async () => {
      const placed = await call('POST', '/api/orders', scheduler, {
        patient: {
          patientId: `UI-${tag}`,
          issuer: 'HOSP',
          name: 'Smith^Anna',
          birthDate: '19700101',
          sex: 'F',
        },
        procedure: { code: 'XCHEST', meaning: 'Chest two views' },
        modality: 'DX',
        priority: 'HIGH',
        reason: 'Cough',
      });
      expect(placed.status).toBe(201);
      const accession = (placed.json as { accessionNumber: string; status: string }).accessionNumber;
      expect(accession).toMatch(/^LB\d{8}$/);
      expect((placed.json as { status: string }).status).toBe('ordered');

      const booked = await call('PUT', `/api/orders/${accession}/schedule`, scheduler, {
        date: today,
        time: '0915',
        stationAe: 'DX_ROOM1',
        durationMinutes: 15,
      });
      expect(booked.status).toBe(200);
      const order = booked.json as OrderJson;
      expect(order.status).toBe('scheduled');
      expect(order.steps).toMatchObject([
        { stationAe: 'DX_ROOM1', startDate: today, startTime: '091500', durationMinutes: 15 },
      ]);
      expect(order.history?.map((h) => h.status)).toEqual(['ordered', 'scheduled']);

      const work = await mkdtemp(path.join(tmpdir(), 'lightbox-orders-'));
      try {
        await run(
          'findscu',
          [
            '-W',
            '-X',
            '-od',
            work,
            '-aet',
            'DX_ROOM1',
            '-aec',
            TEST_AE_TITLE,
            '-k',
            'ScheduledProcedureStepSequence[0].ScheduledStationAETitle=DX_ROOM1',
            '-k',
            `AccessionNumber=${accession}`,
            '127.0.0.1',
            String(lb.dicomPort),
          ],
          { env: { ...process.env, TCP_NODELAY: '1' } },
        );
        expect((await readdir(work)).filter((f) => f.startsWith('rsp'))).toHaveLength(1);
      } finally {
        await rm(work, { recursive: true, force: true });
      }

      // Moved by drag in the calendar: the step follows.
      const moved = await call('PUT', `/api/orders/${accession}/schedule`, scheduler, {
        date: today,
        time: '1100',
      });
      expect((moved.json as OrderJson).steps[0]).toMatchObject({
        startTime: '110000',
        stationAe: 'DX_ROOM1',
      });

      const listed = await call('GET', `/api/orders?from=${today}&to=${today}&modality=DX`, scheduler);
      expect((listed.json as OrderJson[]).map((o) => o.accessionNumber)).toContain(accession);
    });

    it('checks a patient in, records a no-show with its reason, and refuses a move backwards', async () => {
      const place = async () =>
        (
          await call('POST', '/api/orders', scheduler, {
            patient: { patientId: `UI2-${tag}`, name: 'Jones^Bob' },
            modality: 'CT',
            requestedDate: today,
            requestedTime: '1300',
          })
        ).json as { accessionNumber: string; status: string };
      const first = await place();
      expect(first.status).toBe('scheduled');
      const arrived = await call('POST', `/api/orders/${first.accessionNumber}/status`, scheduler, {
        status: 'arrived',
      });
      expect((arrived.json as OrderJson).status).toBe('arrived');
      expect((arrived.json as OrderJson).steps[0]!.status).toBe('ARRIVED');
      const back = await call('POST', `/api/orders/${first.accessionNumber}/status`, scheduler, {
        status: 'arrived',
      });
      expect(back.status).toBe(200);

      const second = await place();
      const noShow = await call('POST', `/api/orders/${second.accessionNumber}/status`, scheduler, {
        status: 'no-show',
        reason: 'Patient did not attend',
      });
      const order = noShow.json as OrderJson;
      expect(order.status).toBe('no-show');
      expect(order.history?.at(-1)).toMatchObject({
        status: 'no-show',
        reason: 'Patient did not attend',
        actor: 'sched',
      });
      const revive = await call('POST', `/api/orders/${second.accessionNumber}/status`, scheduler, {
        status: 'arrived',
      });
      expect(revive.status).toBe(409);
      expect((revive.json as { detail: string }).detail).toContain('no-show');

      const bad = await call('POST', '/api/orders', scheduler, {
        patient: { patientId: '' },
        modality: 'CT',
      });
      expect(bad.status).toBe(400);
    });

    it('takes the procedure catalog’s station and scheduling rule', async () => {
      const put = (code: string, body: unknown) =>
        call('PUT', `/api/procedures/${code}`, lb.authorization, body);
      expect(
        (
          await put('CTHEAD', {
            meaning: 'CT head',
            modality: 'CT',
            stationAe: 'CT_ROOM1',
            durationMinutes: 20,
          })
        ).status,
      ).toBe(201);
      expect(
        (await put('MRSPINE', { meaning: 'MR spine', modality: 'MR', autoSchedule: false })).status,
      ).toBe(201);
      expect((await put('MRSPINE', { meaning: 'MR spine' })).status).toBe(200);
      expect((await call('PUT', '/api/procedures/X', scheduler, { meaning: 'x' })).status).toBe(403);
      const order = async (code: string, meaning: string, modality: string) =>
        (
          await call('POST', '/api/orders', scheduler, {
            patient: { patientId: `CAT-${tag}` },
            procedure: { code, meaning },
            modality,
            requestedDate: today,
            requestedTime: '1500',
          })
        ).json as { accessionNumber: string; status: string };
      const ct = await order('CTHEAD', 'CT head', 'CT');
      const detail = (await call('GET', `/api/orders/${ct.accessionNumber}`, scheduler)).json as OrderJson;
      expect(detail.steps[0]).toMatchObject({ stationAe: 'CT_ROOM1', durationMinutes: 20 });
      await call('PUT', '/api/procedures/MRSPINE', lb.authorization, {
        meaning: 'MR spine',
        autoSchedule: false,
      });
      expect((await order('MRSPINE', 'MR spine', 'MR')).status).toBe('ordered');
      const catalog = (await call('GET', '/api/procedures', scheduler)).json as { code: string }[];
      expect(catalog.map((p) => p.code)).toEqual(expect.arrayContaining(['CTHEAD', 'MRSPINE']));
      // Starting an exam is the technologist's act, not the scheduler's.
      const start = await call('POST', `/api/orders/${ct.accessionNumber}/status`, scheduler, {
        status: 'in-progress',
      });
      expect(start.status).toBe(403);
    });

    it('tells the screens at once which orders changed (Server-Sent Events), from the API and from HL7', async () => {
      const response = await fetch(`${lb.baseUrl}/api/order-events`, {
        headers: { authorization: scheduler },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      const heard: string[] = [];
      const nextEvents = async (wanted: string) => {
        const end = Date.now() + 10_000;
        while (!heard.includes(wanted)) {
          if (Date.now() > end) throw new Error(`no event for ${wanted}; heard ${heard.join(', ')}`);
          const { value } = await reader.read();
          buffer += value ?? '';
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = /^event: orders\ndata: (.*)$/m.exec(block)?.[1];
            if (data !== undefined)
              heard.push(...(JSON.parse(data) as { accessionNumbers: string[] }).accessionNumbers);
          }
        }
      };
      const placed = await call('POST', '/api/orders', scheduler, {
        patient: { patientId: `SSE-${tag}` },
        modality: 'CT',
      });
      await nextEvents((placed.json as { accessionNumber: string }).accessionNumber);
      const [ack] = await mllpSend(lb.hl7Port, [
        hl7Message(
          `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||ORM^O01|SSE-${tag}|P|2.3.1`,
          `PID|1||SSE-${tag}^^^HOSP^MR||Lee^Kim`,
          `ORC|NW|PL-SSE-${tag}^EHR`,
          `OBR|1|PL-SSE-${tag}^EHR||CTHEAD^CT head^L||||||||||||||ACC-SSE-${tag}`.slice(0, 200),
        ),
      ]);
      expect(ackOf(ack!).code).toBe('AA');
      await nextEvents(`ACC-SSE-${tag}`.slice(0, 16));
      // Left open: stopping the server must end the stream, not wait for it.
      expect(
        (await fetch(`${lb.baseUrl}/api/order-events`, { headers: { authorization: referrer } })).status,
      ).toBe(403);
    });

    it('keeps orders from roles without the worklist permission, and the HL7 monitor for administrators', async () => {
      expect((await call('GET', '/api/orders', referrer)).status).toBe(403);
      expect((await call('GET', '/api/hl7-messages', scheduler)).status).toBe(403);
    });

    it('lists HL7 messages with their acknowledgements and replays one that failed once its cause is fixed', async () => {
      const msh = (type: string, id: string) =>
        `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Now()}||${type}|${id}|P|2.5.1`;
      const pid = `PID|1||HL7-${tag}^^^HOSP^MR||Lee^Kim`;
      const change = hl7Message(
        msh('ORM^O01', `XO-${tag}`),
        pid,
        `ORC|XO|PLX-${tag}^EHR`,
        `OBR|1|PLX-${tag}^EHR||MRKNEE^MR knee^L|||||||||||||||||||MR`,
      );
      const [failed] = await mllpSend(lb.hl7Port, [change]);
      expect(ackOf(failed!).code).toBe('AE');
      const [placed] = await mllpSend(lb.hl7Port, [
        hl7Message(
          msh('ORM^O01', `NW-${tag}`),
          pid,
          `ORC|NW|PLX-${tag}^EHR`,
          `OBR|1|PLX-${tag}^EHR||MRKNEE^MR knee^L|||||||||||||||||||MR`,
        ),
      ]);
      expect(ackOf(placed!).code).toBe('AA');

      const list = (await call('GET', '/api/hl7-messages?direction=in&limit=10', lb.authorization)).json as {
        id: number;
        controlId: string;
        ackCode: string;
        state: string;
      }[];
      const failedEntry = list.find((m) => m.controlId === `XO-${tag}`)!;
      expect(failedEntry).toMatchObject({ ackCode: 'AE', state: 'error' });
      const detail = (await call('GET', `/api/hl7-messages/${failedEntry.id}`, lb.authorization)).json as {
        raw: string;
        ack: string;
      };
      expect(detail.raw).toContain(`ORC|XO|PLX-${tag}`);
      expect(detail.ack).toContain('MSA|AE');
      // The raw message is patient data: reading it is in the audit trail, naming its patient.
      await lb.running.services.audit.flush();
      const reads = (
        await call('GET', `/api/audit-events?patientId=HL7-${tag}&eventId=110110`, lb.authorization)
      ).json as { action: string; detail: string }[];
      expect(reads.some((e) => e.action === 'R' && e.detail.includes(`HL7 message ${failedEntry.id} `))).toBe(
        true,
      );

      const replay = await call('POST', `/api/hl7-messages/${failedEntry.id}/replay`, lb.authorization);
      expect(replay.json).toMatchObject({ ackCode: 'AA' });
      // Replaying an accepted message answers from the log; nothing is applied twice.
      const again = await call('POST', `/api/hl7-messages/${failedEntry.id}/replay`, lb.authorization);
      expect(again.json).toMatchObject({ ackCode: 'AA' });

      // Messages leave the log after hl7.keepDays (they hold PHI).
      expect(await lb.running.services.hl7Log.prune(Date.now() + 1000)).toBeGreaterThan(0);
      expect((await call('GET', '/api/hl7-messages?direction=in', lb.authorization)).json).toEqual([]);
    });
  });
}

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hl7Now } from '../test-support/hl7-peers.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

const run = promisify(execFile);

interface StepJson {
  stepId: string;
  status: string;
  stationAe: string;
  stationName: string | null;
  location: string | null;
  performingTechnologist: string | null;
}

interface OrderJson {
  accessionNumber: string;
  status: string;
  statusReason: string | null;
  steps: StepJson[];
  history?: { status: string; reason: string | null }[];
}

for (const dialect of DIALECTS) {
  describe(`modality stations, technologists and unbooking on ${dialect}`, () => {
    let lb: TestLightbox;
    let scheduler: string;
    const tag = Date.now().toString(36).toUpperCase();
    const today = hl7Now().slice(0, 8);
    const station = `CT_${tag}`.slice(0, 16);

    const call = async (method: string, url: string, authorization: string, body?: unknown) => {
      const response = await fetch(`${lb.baseUrl}${url}`, {
        method,
        headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
    };

    /** The worklist as DCMTK's findscu asks for it from a station; the dcmdump text of each match. */
    async function worklistOf(callingAe: string, accession: string): Promise<string[]> {
      const work = await mkdtemp(path.join(tmpdir(), 'lightbox-stations-'));
      try {
        await run(
          'findscu',
          [
            '-W',
            '-X',
            '-od',
            work,
            '-aet',
            callingAe,
            '-aec',
            TEST_AE_TITLE,
            '-k',
            `AccessionNumber=${accession}`,
            '-k',
            'ScheduledProcedureStepSequence[0].ScheduledStationAETitle',
            '-k',
            'ScheduledProcedureStepSequence[0].ScheduledProcedureStepLocation',
            '-k',
            'ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName',
            '127.0.0.1',
            String(lb.dicomPort),
          ],
          { env: { ...process.env, TCP_NODELAY: '1' } },
        );
        const files = (await readdir(work)).filter((f) => f.startsWith('rsp'));
        return await Promise.all(files.map(async (f) => (await run('dcmdump', [path.join(work, f)])).stdout));
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }

    const placeCt = async (patientId: string) => {
      const placed = await call('POST', '/api/orders', scheduler, {
        patient: { patientId, issuer: 'HOSP', name: 'Station^Test' },
        modality: 'CT',
      });
      expect(placed.status).toBe(201);
      return (placed.json as { accessionNumber: string }).accessionNumber;
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      scheduler = await createUser(lb, 'sched', { roles: ['scheduler'] });
    });

    afterAll(async () => {
      await lb?.stop();
    });

    it('keeps the department’s stations: administrators change them, everyone with the worklist reads them, changes are audited', async () => {
      const body = { location: 'ROOM 2', modality: 'CT', description: 'Scanner by the ED' };
      expect((await call('PUT', `/api/stations/${station}`, scheduler, body)).status).toBe(403);
      const created = await call('PUT', `/api/stations/${station}`, lb.authorization, body);
      expect(created.status).toBe(201);
      expect(created.json).toEqual({ aeTitle: station, stationName: null, ...body });
      const changed = await call('PUT', `/api/stations/${station}`, lb.authorization, {
        ...body,
        stationName: 'CTSCAN2',
      });
      expect(changed.status).toBe(200);
      const listed = (await call('GET', '/api/stations', scheduler)).json as { aeTitle: string }[];
      expect(listed).toContainEqual({ aeTitle: station, stationName: 'CTSCAN2', ...body });

      expect(
        (await call('PUT', `/api/stations/${encodeURIComponent('A\\B')}`, lb.authorization, body)).status,
      ).toBe(400);
      expect(
        (await call('PUT', `/api/stations/X1`, lb.authorization, { location: 'R'.repeat(17) })).status,
      ).toBe(400);
      expect((await call('PUT', `/api/stations/X1`, lb.authorization, { modality: 'ct' })).status).toBe(400);
      expect((await call('DELETE', '/api/stations/NOSUCH', lb.authorization)).status).toBe(404);

      await lb.running.services.audit.flush();
      const audit = await call('GET', '/api/audit-events?eventId=110113&user=admin', lb.authorization);
      expect(JSON.stringify(audit.json)).toContain(`PUT /api/stations/${station}`);
      expect(JSON.stringify(audit.json)).toContain('110131');
    });

    it('books an exam on a station with its room and technologist; the modality’s worklist says both', async () => {
      const accession = await placeCt(`ST1-${tag}`);
      const booked = await call('PUT', `/api/orders/${accession}/schedule`, scheduler, {
        date: today,
        time: '1030',
        stationAe: station,
        performingTechnologist: 'Tech^Tina',
      });
      expect(booked.status).toBe(200);
      expect((booked.json as OrderJson).steps).toMatchObject([
        {
          stationAe: station,
          stationName: 'CTSCAN2',
          location: 'ROOM 2',
          performingTechnologist: 'Tech^Tina',
        },
      ]);
      const [match] = await worklistOf(station, accession);
      expect(match).toContain(`(0040,0001) AE [${station}]`);
      expect(match).toContain('(0040,0011) SH [ROOM 2]');
      expect(match).toContain('(0040,0006) PN [Tech^Tina]');

      // Moved to no station: the room goes with the station; the technologist stays until changed.
      const unassigned = await call('PUT', `/api/orders/${accession}/schedule`, scheduler, {
        date: today,
        time: '1100',
        stationAe: '',
      });
      expect((unassigned.json as OrderJson).steps[0]).toMatchObject({
        stationAe: '',
        stationName: null,
        location: null,
        performingTechnologist: 'Tech^Tina',
      });

      // A CT exam does not go on an MR station.
      await call('PUT', '/api/stations/MR_A', lb.authorization, { modality: 'MR' });
      const wrong = await call('PUT', `/api/orders/${accession}/schedule`, scheduler, {
        date: today,
        time: '1100',
        stationAe: 'MR_A',
      });
      expect(wrong.status).toBe(409);
      expect((wrong.json as { detail: string }).detail).toContain('MR station');
      expect((await call('DELETE', '/api/stations/MR_A', lb.authorization)).status).toBe(204);
    });

    it('unbooks a scheduled exam: it leaves the worklist, waits to be booked, and can be booked again', async () => {
      const accession = await placeCt(`ST2-${tag}`);
      await call('PUT', `/api/orders/${accession}/schedule`, scheduler, {
        date: today,
        time: '1400',
        stationAe: station,
      });
      expect(await worklistOf(station, accession)).toHaveLength(1);

      const unbooked = await call(
        'DELETE',
        `/api/orders/${accession}/schedule?reason=${encodeURIComponent('Patient asked to move it')}`,
        scheduler,
      );
      expect(unbooked.status).toBe(200);
      const order = unbooked.json as OrderJson;
      expect(order.status).toBe('ordered');
      expect(order.steps.map((s) => s.status)).toEqual(['CANCELED']);
      expect(order.history?.at(-1)).toMatchObject({ status: 'ordered', reason: 'Patient asked to move it' });
      expect(await worklistOf(station, accession)).toHaveLength(0);
      const waiting = (await call('GET', '/api/orders?status=ordered&limit=1000', scheduler))
        .json as OrderJson[];
      expect(waiting.map((o) => o.accessionNumber)).toContain(accession);

      // Only a scheduled exam can be unbooked.
      expect((await call('DELETE', `/api/orders/${accession}/schedule`, scheduler)).status).toBe(409);

      const again = await call('PUT', `/api/orders/${accession}/schedule`, scheduler, {
        date: today,
        time: '1500',
        stationAe: station,
      });
      expect((again.json as OrderJson).status).toBe('scheduled');
      expect((again.json as OrderJson).steps.map((s) => s.status)).toEqual(['CANCELED', 'SCHEDULED']);
      expect(await worklistOf(station, accession)).toHaveLength(1);

      await call('POST', `/api/orders/${accession}/status`, scheduler, { status: 'arrived' });
      expect((await call('DELETE', `/api/orders/${accession}/schedule`, scheduler)).status).toBe(409);
    });

    it('lets a station use the worklist without an unregistered-node alert; an unknown AE still raises one', async () => {
      const unknown = `UNK_${tag}`.slice(0, 16);
      await worklistOf(station, 'NONE');
      await worklistOf(unknown, 'NONE');
      await lb.running.services.audit.flush();
      const alerts = JSON.stringify(
        (await call('GET', '/api/audit-events?eventId=110113&limit=1000', lb.authorization)).json,
      );
      expect(alerts).toContain(`unregistered DICOM node ${unknown}`);
      expect(alerts).not.toContain(`unregistered DICOM node ${station}`);
    });
  });
}

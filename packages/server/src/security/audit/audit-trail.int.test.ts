import { generateUid, TransferSyntaxUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { createServices } from '../../services.js';
import type { Archive } from '../../archive/archive.js';
import { Permission } from '../permissions.js';
import { multipartBody } from '../../test-support/dicomweb-client.js';
import { DIALECTS } from '../../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../../test-support/test-lightbox.js';
import { verifyAuditTrail } from './verify-audit-trail.js';

interface Event {
  seq: number;
  eventId: string;
  action: string;
  outcome: string;
  username: string;
  protocol: string;
  patientIds: string[];
  studyUids: string[];
  detail: string;
}

/**
 * A request, the status it is answered with, and for a 200 how many instances it sends; `cut`: storage
 * fails after the first read, so the body stops after its first part.
 */
type Exchange = { path: string; accept?: string; status: number; instances?: number; cut?: boolean };

const JPEG_PARTS = 'multipart/related; type="image/jpeg"';
const JPEG_SYNTAX = TransferSyntaxUid.JPEGBaseline8Bit;
/** Instances compressed on retrieval: never offered (406). */
const JPEG_INSTANCES = `multipart/related; type="application/dicom"; transfer-syntax=${JPEG_SYNTAX}`;

for (const dialect of DIALECTS) {
  describe(`the audit trail on ${dialect} (issue #4 §3)`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const series = generateUid();
    const sop = generateUid();
    const patientId = `AUDIT-${dialect}`;
    // A study of an RLE image (two frames, decodable, never compressed to anything else) and a native one.
    const sent = { study: generateUid(), series: generateUid(), rle: generateUid(), native: generateUid() };
    const events = async (query: string): Promise<Event[]> => {
      const response = await fetch(`${lb.baseUrl}/api/audit-events?${query}`, {
        headers: { authorization: lb.authorization },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Event[];
    };
    const verify = async () => {
      const { database, auditChainKey } = lb.running.services;
      await lb.running.services.audit.flush();
      return verifyAuditTrail(database.db, auditChainKey.key, auditChainKey.id);
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      const image = (studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string) => ({
        studyInstanceUid,
        seriesInstanceUid,
        sopInstanceUid,
        patientId,
      });
      const { body, contentType } = multipartBody(
        [
          syntheticImage(image(study, series, sop)),
          syntheticImage({
            ...image(sent.study, sent.series, sent.rle),
            transferSyntaxUid: TransferSyntaxUid.RLELossless,
            frames: 2,
          }),
          syntheticImage(image(sent.study, sent.series, sent.native)),
        ].map((bytes) => ({ bytes })),
      );
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('records the store with the patient and study as participants', async () => {
      const found = await events(`studyUid=${study}&eventId=110104`);
      expect(found.find((e) => e.action === 'C')).toMatchObject({
        username: 'admin',
        protocol: 'dicomweb',
        outcome: 'success',
        patientIds: [patientId],
        studyUids: [study],
      });
      expect((await events(`patientId=${patientId}`)).length).toBeGreaterThan(0);
    });

    it("names the study's patient for a query of its series or instances, whose answers lack the patient", async () => {
      for (const path of [`/studies/${study}/series`, `/studies/${study}/series/${series}/instances`]) {
        const response = await fetch(`${lb.dicomweb}${path}`, {
          headers: { authorization: lb.authorization },
        });
        expect(response.status, path).toBe(200);
        await response.arrayBuffer();
        const [query] = await events(`studyUid=${study}&eventId=110112&limit=1`);
        expect(query, path).toMatchObject({ patientIds: [patientId], studyUids: [study] });
      }
    });

    it('audits every DICOMweb route that reads patient data, with the study it touched', async () => {
      const routes = lb.running.http.routeTable.filter(
        // The department's hanging protocols are for study readers but hold no patient data.
        (r) =>
          r.method === 'GET' && r.permission === Permission.StudyRead && r.url !== '/api/hanging-protocols',
      );
      expect(routes.length).toBeGreaterThan(20);
      for (const route of routes) {
        const url = route.url
          .replace(':study', study)
          .replace(':series', series)
          .replace(':instance', sop)
          .replace(':frames', '1')
          .replace('*', '7fe00010');
        const query =
          route.url === '/wado'
            ? `?requestType=WADO&studyUID=${study}&seriesUID=${series}&objectUID=${sop}`
            : '';
        const before = (await events('limit=1'))[0]!.seq;
        const response = await fetch(`${lb.baseUrl}${url}${query}`, {
          headers: { authorization: lb.authorization },
        });
        expect(response.status, `GET ${route.url}`).toBeLessThan(300);
        await response.arrayBuffer();
        const recorded = (await events(`user=admin&studyUid=${study}&limit=20`)).filter(
          (e) => e.seq > before,
        );
        const expected =
          route.url.endsWith('/studies') || route.url.endsWith('/series') || route.url.endsWith('/instances')
            ? ['110112']
            : ['110103', '110104'];
        expect(
          recorded.map((e) => e.eventId).some((id) => expected.includes(id)),
          `GET ${route.url} audited`,
        ).toBe(true);
      }
    });

    describe('a transfer is audited only when instances go out', () => {
      const studyPath = `/dicomweb/studies/${sent.study}`;
      const rlePath = `${studyPath}/series/${sent.series}/instances/${sent.rle}`;
      const wado = (query: string) =>
        `/wado?requestType=WADO&studyUID=${sent.study}&seriesUID=${sent.series}&objectUID=${sent.rle}${query}`;
      /** The retrieves (110104 R) that name the study, newest first. */
      const transfers = async () =>
        (await events(`studyUid=${sent.study}&eventId=110104&limit=1000`)).filter((e) => e.action === 'R');
      /** Makes every read of a stored byte range after the first fail; returns the undo. */
      const failReadsAfterFirst = () => {
        const archive = lb.running.services.archive;
        const readObjectRange = archive.readObjectRange;
        let reads = 0;
        archive.readObjectRange = (...args: Parameters<Archive['readObjectRange']>) =>
          ++reads > 1 ? Promise.reject(new Error('storage failed')) : readObjectRange.apply(archive, args);
        return () => {
          archive.readObjectRange = readObjectRange;
        };
      };
      /** Answers a request (its body read to the end, or until cut), then what it added to the trail. */
      const exchange = async ({ path, accept, status, cut = false }: Exchange) => {
        const before = (await transfers()).length;
        const undo = cut ? failReadsAfterFirst() : () => {};
        try {
          const response = await fetch(`${lb.baseUrl}${path}`, {
            headers: { authorization: lb.authorization, ...(accept === undefined ? {} : { accept }) },
          });
          expect(response.status, `${path} ${accept ?? ''}`).toBe(status);
          const whole = await response.arrayBuffer().then(
            () => true,
            () => false,
          );
          expect(whole, `${path} read to its end`).toBe(!cut);
        } finally {
          undo();
        }
        const after = await transfers();
        return after.slice(0, after.length - before);
      };
      const cases: Record<string, Exchange[]> = {
        'retrieve (WADO-RS)': [
          { path: studyPath, accept: JPEG_INSTANCES, status: 406 },
          { path: rlePath, accept: `application/dicom; transfer-syntax=${JPEG_SYNTAX}`, status: 406 },
          { path: studyPath, status: 200, instances: 2 },
          { path: rlePath, accept: 'application/dicom', status: 200, instances: 1 },
        ],
        frames: [
          { path: `${rlePath}/frames/1`, accept: JPEG_PARTS, status: 406 },
          { path: `${rlePath}/frames/3`, status: 404 },
          { path: `${rlePath}/frames/1,2`, status: 200, instances: 1 },
          // The first frame went out before the second failed: a transfer all the same.
          { path: `${rlePath}/frames/1,2`, status: 200, instances: 1, cut: true },
        ],
        'bulk data': [
          { path: `${rlePath}/bulkdata/7FE00010`, accept: JPEG_PARTS, status: 406 },
          { path: `${rlePath}/bulkdata/00091001`, status: 404 },
          { path: `${rlePath}/bulkdata/7FE00010`, status: 200, instances: 1 },
        ],
        'WADO-URI': [
          { path: wado(`&contentType=application/dicom&transferSyntax=${JPEG_SYNTAX}`), status: 406 },
          { path: wado('&contentType=text/plain'), status: 406 },
          { path: wado('&contentType=image/jpeg&frameNumber=3'), status: 404 },
          { path: wado(''), status: 200, instances: 1 },
          { path: wado('&contentType=application/dicom'), status: 200, instances: 1 },
        ],
        'rendered and thumbnail': [
          { path: `${rlePath}/frames/3/rendered`, status: 404 },
          { path: `${rlePath}/frames/3/thumbnail`, status: 404 },
          { path: `${rlePath}/frames/2/rendered`, status: 200, instances: 1 },
          { path: `${studyPath}/thumbnail`, status: 200, instances: 1 },
          { path: `${studyPath}/rendered`, status: 200, instances: 2 },
        ],
      };
      for (const [route, exchanges] of Object.entries(cases)) {
        it(`${route}: nothing for an answer that sends nothing, one event naming what a 200 sent`, async () => {
          for (const request of exchanges) {
            const added = await exchange(request);
            const what = `${request.path} ${request.accept ?? ''}`;
            if (request.instances === undefined) {
              expect(added, what).toEqual([]);
              continue;
            }
            expect(added, what).toHaveLength(1);
            expect(added[0], what).toMatchObject({
              outcome: 'success',
              patientIds: [patientId],
              studyUids: [sent.study],
              detail: `${request.instances} instances`,
            });
          }
        });
      }
    });

    it('verifies an intact chain and names the first edited, deleted or truncated event', async () => {
      const { db } = lb.running.services.database;
      const intact = await verify();
      expect(intact.ok).toBe(true);
      expect(intact.events).toBeGreaterThan(10);

      const target = 5;
      const original = await db
        .selectFrom('audit_event')
        .select('detail')
        .where('seq', '=', target)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('audit_event')
        .set({ detail: 'nothing to see here' })
        .where('seq', '=', target)
        .execute();
      expect(await verify()).toMatchObject({ ok: false, brokenAt: target, events: target - 1 });
      await db
        .updateTable('audit_event')
        .set({ detail: original.detail })
        .where('seq', '=', target)
        .execute();
      expect((await verify()).ok).toBe(true);

      const row = await db
        .selectFrom('audit_event')
        .selectAll()
        .where('seq', '=', target)
        .executeTakeFirstOrThrow();
      await db.deleteFrom('audit_event').where('seq', '=', target).execute();
      expect(await verify()).toMatchObject({ ok: false, brokenAt: target });
      await db.insertInto('audit_event').values(row).execute();
      expect((await verify()).ok).toBe(true);

      // The participant rows that patient and study searches use are checked against the chain too.
      const participant = await db
        .selectFrom('audit_participant')
        .selectAll()
        .where('kind', '=', 'study')
        .where('value', '=', study)
        .orderBy('event_seq')
        .limit(1)
        .executeTakeFirstOrThrow();
      await db
        .deleteFrom('audit_participant')
        .where('event_seq', '=', participant.event_seq)
        .where('kind', '=', 'study')
        .execute();
      expect(await verify()).toMatchObject({ ok: false, brokenAt: Number(participant.event_seq) });
      await db.insertInto('audit_participant').values(participant).execute();
      expect((await verify()).ok).toBe(true);

      // The API says the same, and records that the trail was used.
      const api = await fetch(`${lb.baseUrl}/api/audit-events/verify`, {
        headers: { authorization: lb.authorization },
      });
      expect(await api.json()).toMatchObject({ ok: true });
      expect((await events('eventId=110101')).length).toBeGreaterThan(0);

      await lb.running.services.audit.flush();
      const last = await db
        .selectFrom('audit_event')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      await db.deleteFrom('audit_event').where('seq', '=', last.seq).execute();
      const truncated = await verify();
      expect(truncated.ok).toBe(false);
      expect(truncated.reason).toMatch(/chain head/);
      await db.insertInto('audit_event').values(last).execute();
      expect((await verify()).ok).toBe(true);
    });

    it('refuses to start with another master key than the one that sealed the trail', async () => {
      const config = loadConfig({
        LIGHTBOX_DATA_DIR: lb.dataDir,
        LIGHTBOX_DATABASE_URL: lb.databaseUrl,
        LIGHTBOX_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      });
      await expect(createServices(config, pino({ level: 'silent' }))).rejects.toThrow(/another master key/);
    });
  });
}

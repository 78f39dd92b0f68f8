import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateUid, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { syntheticImage, type SyntheticImageOptions } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetBytes, registerNode, storeInArchive } from '../test-support/dimse-fixtures.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { startStorescp, type StorescpPeer } from '../test-support/storescp-peer.js';
import { freePort } from '../test-support/free-port.js';
import { verifyAuditTrail } from '../security/audit/verify-audit-trail.js';

const run = promisify(execFile);
const dcmtkEnv = { ...process.env, TCP_NODELAY: '1' };

async function pixelData(bytes: Uint8Array): Promise<Buffer> {
  const object = await readPart10(bytes, { readPixelData: true });
  return Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!);
}

for (const dialect of DIALECTS) {
  describe(`C-MOVE and C-GET SCP on ${dialect}`, () => {
    let lb: TestLightbox;
    let work: string;
    let acceptAll: StorescpPeer;
    let uncompressedOnly: StorescpPeer;
    const studyUid = generateUid();
    const seriesUid = generateUid();
    const options: SyntheticImageOptions[] = [];
    const sent = new Map<string, Uint8Array>();

    async function register(name: string, aet: string, port: number): Promise<void> {
      expect(await registerNode(lb, name, { aet, port })).toBe(201);
    }

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      work = await mkdtemp(path.join(tmpdir(), 'lightbox-retrieve-'));
      acceptAll = await startStorescp('DEST_ALL', { acceptAll: true });
      uncompressedOnly = await startStorescp('DEST_NATIVE');
      await register('dest-all', 'DEST_ALL', acceptAll.port);
      await register('dest-native', 'DEST_NATIVE', uncompressedOnly.port);
      await register('movescu', 'MOVESCU', 104);
      await register('getscu', 'GETSCU', 104);
      for (let i = 0; i < 4; i++) {
        const o: SyntheticImageOptions = {
          studyInstanceUid: studyUid,
          seriesInstanceUid: seriesUid,
          sopInstanceUid: generateUid(),
          instanceNumber: i + 1,
          rows: 32,
          columns: 32,
          ...(i === 3 ? { transferSyntaxUid: TransferSyntaxUid.RLELossless } : {}),
        };
        options.push(o);
        const bytes = syntheticImage(o);
        sent.set(o.sopInstanceUid!, bytes);
        await storeInArchive(lb, bytes);
      }
    });
    afterAll(async () => {
      await lb?.stop();
      await acceptAll?.stop();
      await uncompressedOnly?.stop();
      await rm(work, { recursive: true, force: true });
    });

    const movescu = (destination: string, keys: string[], extra: string[] = []) =>
      run(
        'movescu',
        [
          '-v',
          '-S',
          ...extra,
          '-aec',
          TEST_AE_TITLE,
          '-aem',
          destination,
          ...keys.flatMap((k) => ['-k', k]),
          '127.0.0.1',
          String(lb.dicomPort),
        ],
        { env: dcmtkEnv },
      ).then(
        ({ stderr }) => stderr,
        (error: { stderr: string }) => error.stderr,
      );

    it('moves a study to a registered node, each instance byte for byte as stored', async () => {
      const log = await movescu('DEST_ALL', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`]);
      expect(log).toContain('Received Final Move Response (Success)');
      expect(log).toContain('Received Move Response 4 (Pending)');
      const received = await acceptAll.received();
      expect(received.size).toBe(4);
      for (const file of received.values()) {
        const uid = getString((await readPart10(file)).dataSet, Tag.SOPInstanceUID)!;
        expect(Buffer.compare(dataSetBytes(file), dataSetBytes(sent.get(uid)!))).toBe(0);
      }
    });

    it('converts what the destination does not accept, pixel for pixel', async () => {
      const rle = options[3]!;
      const log = await movescu('DEST_NATIVE', [
        'QueryRetrieveLevel=IMAGE',
        `StudyInstanceUID=${studyUid}`,
        `SeriesInstanceUID=${seriesUid}`,
        `SOPInstanceUID=${rle.sopInstanceUid}`,
      ]);
      expect(log).toContain('Received Final Move Response (Success)');
      const [file] = [...(await uncompressedOnly.received()).values()];
      const received = await readPart10(file!);
      expect(getString(received.meta, 0x00020010)).not.toBe(TransferSyntaxUid.RLELossless);
      const native = syntheticImage({ ...rle, transferSyntaxUid: TransferSyntaxUid.ExplicitVRLittleEndian });
      expect(Buffer.compare(await pixelData(file!), await pixelData(native))).toBe(0);
    });

    it('reports an instance whose stored object is gone as a failed sub-operation and still sends the rest', async () => {
      const study = generateUid();
      const series = generateUid();
      const uids = [generateUid(), generateUid(), generateUid()];
      for (const [i, sopInstanceUid] of uids.entries()) {
        await storeInArchive(
          lb,
          syntheticImage({
            studyInstanceUid: study,
            seriesInstanceUid: series,
            sopInstanceUid,
            instanceNumber: i + 1,
          }),
        );
      }
      const actor = { username: 'test', roles: ['admin'], protocol: 'system' as const };
      const stored = (await lb.running.services.archive.prepareInstances({ studyUid: study }, actor))
        .instances;
      const lost = stored.find((instance) => instance.sopInstanceUid === uids[1])!;
      await rm(path.join(lb.dataDir, 'objects', lost.blobKey));
      const destination = await startStorescp('DEST_LOSS', { acceptAll: true });
      try {
        await register('dest-loss', 'DEST_LOSS', destination.port);
        const log = await movescu('DEST_LOSS', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${study}`]);
        expect(log).toContain(
          'Received Final Move Response (Warning: SubOperationsCompleteOneOrMoreFailures)',
        );
        const received = await destination.received();
        const arrived = [];
        for (const file of received.values())
          arrived.push(getString((await readPart10(file)).dataSet, Tag.SOPInstanceUID));
        expect(arrived.sort()).toEqual([uids[0], uids[2]].sort());
      } finally {
        await destination.stop();
      }
    });

    it('moves a deflated object whose patient was corrected since inflated, with its current values', async () => {
      const patientId = `DEFL-${dialect}`;
      const sopInstanceUid = generateUid();
      const bytes = syntheticImage({
        patientId,
        patientName: 'BEFORE^NAME',
        studyInstanceUid: generateUid(),
        seriesInstanceUid: generateUid(),
        sopInstanceUid,
        rows: 16,
        columns: 16,
        transferSyntaxUid: TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
      });
      await storeInArchive(lb, bytes);
      const system = { username: 'hl7', roles: ['admin'], protocol: 'system' as const };
      await lb.running.services.ris.recordPatient({ patientId, issuer: '', name: 'AFTER^NAME' }, system);
      const destination = await startStorescp('DEST_DEFL', { acceptAll: true });
      try {
        await register('dest-defl', 'DEST_DEFL', destination.port);
        const log = await movescu(
          'DEST_DEFL',
          ['QueryRetrieveLevel=IMAGE', `SOPInstanceUID=${sopInstanceUid}`],
          ['-P'],
        );
        expect(log).toContain('Received Final Move Response (Success)');
        const [file] = [...(await destination.received()).values()];
        // Deflate is never written: the destination took it inflated, which carries the current name.
        const received = await readPart10(file!, { readPixelData: true });
        expect(received.transferSyntaxUid).not.toBe(TransferSyntaxUid.DeflatedExplicitVRLittleEndian);
        expect(getString(received.dataSet, Tag.PatientName)).toBe('AFTER^NAME');
        expect(Buffer.compare(await pixelData(file!), await pixelData(bytes))).toBe(0);
      } finally {
        await destination.stop();
      }
    });

    it('refuses a destination that is not registered with A801', async () => {
      const log = await movescu('NOBODY', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`]);
      expect(log).toContain('Refused: MoveDestinationUnknown');
    });

    it('fails the move with A702 when the destination cannot be reached', async () => {
      await register('dest-down', 'DEST_DOWN', await freePort());
      const log = await movescu('DEST_DOWN', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`]);
      expect(log).toMatch(/Refused: OutOfResourcesSubOperations|Unable to perform/i);
    });

    it('refuses C-MOVE from a calling AE that is not registered', async () => {
      const log = await movescu(
        'DEST_ALL',
        ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`],
        ['-aet', 'STRANGER'],
      );
      expect(log).toMatch(/No Acceptable Presentation Contexts|no presentation context/i);
    });

    it('returns a series over the requesting association with C-GET', async () => {
      const out = await mkdtemp(path.join(work, 'get-'));
      const { stderr } = await run(
        'getscu',
        [
          '-v',
          '-S',
          '-aec',
          TEST_AE_TITLE,
          '-od',
          out,
          '-k',
          'QueryRetrieveLevel=SERIES',
          '-k',
          `StudyInstanceUID=${studyUid}`,
          '-k',
          `SeriesInstanceUID=${seriesUid}`,
          '127.0.0.1',
          String(lb.dicomPort),
        ],
        { env: dcmtkEnv },
      );
      expect(stderr).toContain('Number of Completed Suboperations : 4');
      const files = await readdir(out);
      expect(files).toHaveLength(4);
      for (const name of files) {
        const file = await readFile(path.join(out, name));
        const uid = getString((await readPart10(file)).dataSet, Tag.SOPInstanceUID)!;
        const original = sent.get(uid)!;
        if (uid === options[3]!.sopInstanceUid) {
          // getscu proposes uncompressed syntaxes only: the RLE object is converted.
          const native = syntheticImage({
            ...options[3]!,
            transferSyntaxUid: TransferSyntaxUid.ExplicitVRLittleEndian,
          });
          expect(Buffer.compare(await pixelData(file), await pixelData(native))).toBe(0);
        } else {
          expect(Buffer.compare(dataSetBytes(file), dataSetBytes(original))).toBe(0);
        }
      }
    });

    describe('audit: a transfer (110104) is recorded only when instances go out', () => {
      const patientId = `MOVED-${dialect}`;
      /** A study of two series, one instance each: a retrieve of it is one event, not one per series. */
      const audited = generateUid();
      /** A study of one instance of a private SOP class: getscu offers no storage context for it. */
      const privateStudy = generateUid();

      interface Event {
        seq: number;
        eventId: string;
        action: string;
        outcome: string;
        patientIds: string[];
        studyUids: string[];
        detail: string;
        transfer?: {
          source: { aeTitle: string; host?: string };
          destination: { aeTitle: string; host?: string };
        };
      }
      const events = async (query: string): Promise<Event[]> => {
        const response = await fetch(`${lb.baseUrl}/api/audit-events?${query}`, {
          headers: { authorization: lb.authorization },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as Event[];
      };
      const newest = async () => (await events('limit=1'))[0]?.seq ?? 0;
      /** The retrieves (110104 R) recorded after `seq`, for any study. */
      const transfersSince = async (seq: number) =>
        (await events('eventId=110104&limit=1000')).filter((e) => e.seq > seq && e.action === 'R');
      const getscu = async (keys: string[]) => {
        const out = await mkdtemp(path.join(work, 'get-'));
        const log = await run(
          'getscu',
          [
            ...['-v', '-S', '-aec', TEST_AE_TITLE, '-od', out],
            ...keys.flatMap((k) => ['-k', k]),
            ...['127.0.0.1', String(lb.dicomPort)],
          ],
          { env: dcmtkEnv },
        ).then(
          ({ stderr }) => stderr,
          (error: { stderr: string }) => error.stderr,
        );
        return { log, files: await readdir(out) };
      };
      const studyKeys = (uid: string) => ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${uid}`];

      beforeAll(async () => {
        for (const [i, studyInstanceUid] of [audited, audited, privateStudy].entries()) {
          await storeInArchive(
            lb,
            syntheticImage({
              patientId,
              studyInstanceUid,
              seriesInstanceUid: generateUid(),
              sopInstanceUid: generateUid(),
              instanceNumber: i + 1,
              rows: 8,
              columns: 8,
              ...(studyInstanceUid === privateStudy ? { sopClassUid: '1.3.6.1.4.1.99999.1.1' } : {}),
            }),
          );
        }
        await register('audit-down', 'AUDIT_DOWN', await freePort());
      });

      it('a C-MOVE to an unregistered destination (A801) queries nothing: no query, no transfer', async () => {
        const before = await newest();
        expect(await movescu('NOBODY', studyKeys(audited))).toContain('Refused: MoveDestinationUnknown');
        await lb.running.services.audit.flush();
        const since = (await events('limit=1000')).filter((e) => e.seq > before);
        expect(since.filter((e) => ['110112', '110104'].includes(e.eventId))).toEqual([]);
      });

      it('a C-MOVE whose sub-association cannot be opened records none', async () => {
        const before = await newest();
        const log = await movescu('AUDIT_DOWN', studyKeys(audited));
        expect(log).toMatch(/Refused: OutOfResourcesSubOperations|Unable to perform/i);
        expect(await transfersSince(before)).toEqual([]);
      });

      it('a C-MOVE or C-GET that matches nothing records none', async () => {
        const before = await newest();
        const nothing = generateUid();
        expect(await movescu('DEST_ALL', studyKeys(nothing))).toContain(
          'Received Final Move Response (Success)',
        );
        expect((await getscu(studyKeys(nothing))).files).toEqual([]);
        expect(await transfersSince(before)).toEqual([]);
      });

      it('a C-GET that sends nothing (no storage context for the instance) records none', async () => {
        const before = await newest();
        const { log, files } = await getscu(studyKeys(privateStudy));
        expect(log).toMatch(/Number of Failed Suboperations\s*: 1/);
        expect(files).toEqual([]);
        expect(await transfersSince(before)).toEqual([]);
      });

      // PS3.15 A.5.3.4: Lightbox's AE is the Source; the Destination is the move destination (the
      // registered node), or for C-GET the calling AE that asked, on the same association.
      it.each([
        ['C-MOVE', 'DEST_ALL'],
        ['C-GET', 'GETSCU'],
      ])(
        'a %s that sends the study records one transfer naming it, from Lightbox to %s',
        async (service, to) => {
          const before = await newest();
          if (service === 'C-MOVE')
            expect(await movescu('DEST_ALL', studyKeys(audited))).toContain(
              'Received Final Move Response (Success)',
            );
          else expect((await getscu(studyKeys(audited))).files).toHaveLength(2);
          const added = await transfersSince(before);
          expect(added).toHaveLength(1);
          expect(added[0]).toMatchObject({
            outcome: 'success',
            patientIds: [patientId],
            studyUids: [audited],
            detail: `from "${TEST_AE_TITLE}" (127.0.0.1) to "${to}" (127.0.0.1): 2 instances`,
            transfer: {
              source: { aeTitle: TEST_AE_TITLE, host: '127.0.0.1' },
              destination: { aeTitle: to, host: '127.0.0.1' },
            },
          });
          // The C-MOVE or C-GET matched the study first: a query of it is recorded as well.
          expect((await events('eventId=110112&limit=1000')).some((e) => e.seq > before)).toBe(true);
          // A security officer finds where instances went by the receiving AE.
          const byAe = await events(`aeTitle=${to}&eventId=110104&limit=1000`);
          expect(byAe.map((e) => e.seq)).toContain(added[0]!.seq);
          expect(
            byAe.every((e) => e.transfer?.destination.aeTitle === to || e.transfer?.source.aeTitle === to),
          ).toBe(true);
          expect(await events(`aeTitle=NOBODY_${dialect}`)).toEqual([]);

          // The FHIR AuditEvent names both ends by their Role IDs.
          const response = await fetch(`${lb.baseUrl}/fhir/AuditEvent/${added[0]!.seq}`, {
            headers: { authorization: lb.authorization },
          });
          expect(response.status).toBe(200);
          const { agent } = (await response.json()) as {
            agent: Array<{
              type?: { coding: Array<{ code: string }> };
              who: { identifier: { value: string } };
            }>;
          };
          const role = (code: string) => agent.find((a) => a.type?.coding[0]?.code === code);
          expect(role('110153')).toMatchObject({
            who: { identifier: { value: TEST_AE_TITLE } },
            network: { address: '127.0.0.1' },
          });
          expect(role('110152')).toMatchObject({
            who: { identifier: { value: to } },
            network: { address: '127.0.0.1' },
          });
        },
      );

      it('chains the named AEs with the event: the trail verifies, and not once a destination is edited', async () => {
        const [moved] = (await events('eventId=110104&limit=1000')).filter(
          (e) => e.transfer?.destination.aeTitle === 'DEST_ALL',
        );
        expect(moved).toBeDefined();
        const { database, auditChainKey } = lb.running.services;
        const verify = async () => {
          await lb.running.services.audit.flush();
          return verifyAuditTrail(database.db, auditChainKey.key, auditChainKey.id);
        };
        // The trail holds events that name no AEs (stores, DICOMweb) and transfers that do.
        expect(await verify()).toMatchObject({ ok: true });
        const forged = moved!.detail.replace('"DEST_ALL"', '"ELSEWHERE"');
        await database.db
          .updateTable('audit_event')
          .set({ detail: forged })
          .where('seq', '=', moved!.seq)
          .execute();
        expect(await verify()).toMatchObject({ ok: false, brokenAt: moved!.seq });
        await database.db
          .updateTable('audit_event')
          .set({ detail: moved!.detail })
          .where('seq', '=', moved!.seq)
          .execute();
        expect(await verify()).toMatchObject({ ok: true });

        // The AE rows are a search index: an AE row edited to point the search elsewhere is detected;
        // a transfer with none (recorded by an older node during a rolling upgrade) still verifies.
        const aeRows = database.db
          .selectFrom('audit_participant')
          .selectAll()
          .where('event_seq', '=', moved!.seq)
          .where('kind', '=', 'ae');
        const rows = await aeRows.execute();
        expect(rows.map((r) => r.value).sort()).toEqual(['DEST_ALL', TEST_AE_TITLE].sort());
        await database.db
          .updateTable('audit_participant')
          .set({ value: 'ELSEWHERE' })
          .where('event_seq', '=', moved!.seq)
          .where('kind', '=', 'ae')
          .where('value', '=', 'DEST_ALL')
          .execute();
        expect(await verify()).toMatchObject({ ok: false, brokenAt: moved!.seq });
        await database.db
          .deleteFrom('audit_participant')
          .where('event_seq', '=', moved!.seq)
          .where('kind', '=', 'ae')
          .execute();
        expect(await verify()).toMatchObject({ ok: true });
        await database.db.insertInto('audit_participant').values(rows).execute();
        expect(await verify()).toMatchObject({ ok: true });
      });
    });
  });
}

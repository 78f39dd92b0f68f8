import { readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Archive } from '../archive/archive.js';
import { stowObjects } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

interface Event {
  eventId: string;
  action: string;
}

/** The part of a Content-Type that does not change from one answer to the next (not the boundary). */
const mediaTypeOf = (contentType: string | null) => (contentType ?? '').replace(/; *boundary=[^;]+/, '');

/** The file descriptors this process holds (the test Lightbox runs in it). */
const openFiles = () => readdirSync('/proc/self/fd').length;

/** A configuration file that stores objects sealed (the default) or in the clear. */
function storageConfig(encryptAtRest: boolean): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'lightbox-head-')), 'lightbox.json');
  writeFileSync(file, JSON.stringify({ archive: { encryptAtRest } }));
  return { LIGHTBOX_CONFIG: file };
}

const CASES = DIALECTS.flatMap((dialect) =>
  [true, false].map((encryptAtRest) => ({ dialect, encryptAtRest })),
);

for (const { dialect, encryptAtRest } of CASES) {
  const storage = encryptAtRest ? 'sealed' : 'in the clear';
  describe(`HEAD on the retrieve resources on ${dialect}, objects ${storage} (RFC 9110 §9.3.2)`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const series = generateUid();
    const sops = [generateUid(), generateUid()];
    const instance = `/dicomweb/studies/${study}/series/${series}/instances/${sops[0]}`;
    const request = (method: 'GET' | 'HEAD', path: string, accept?: string) =>
      fetch(`${lb.baseUrl}${path}`, {
        method,
        headers: { authorization: lb.authorization, ...(accept === undefined ? {} : { accept }) },
      });
    /** How many retrieves and metadata reads of the study the audit trail holds. */
    const studyReads = async () => {
      await lb.running.services.audit.flush();
      const response = await fetch(`${lb.baseUrl}/api/audit-events?studyUid=${study}&limit=1000`, {
        headers: { authorization: lb.authorization },
      });
      // Transfers (110104 R) and metadata reads (110103); searching the trail names the study too.
      const events = (await response.json()) as Event[];
      return events.filter((e) => e.action === 'R' && ['110103', '110104'].includes(e.eventId)).length;
    };
    /** Counts the stored objects the archive opens while `run` runs. */
    const objectsOpened = async (run: () => Promise<void>) => {
      const archive = lb.running.services.archive;
      const openObject = archive.openObject;
      let opened = 0;
      archive.openObject = (...args: Parameters<Archive['openObject']>) => {
        opened++;
        return openObject.apply(archive, args);
      };
      try {
        await run();
      } finally {
        archive.openObject = openObject;
      }
      return opened;
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect, storageConfig(encryptAtRest));
      const objects = sops.map((sopInstanceUid, n) =>
        syntheticImage({
          studyInstanceUid: study,
          seriesInstanceUid: series,
          sopInstanceUid,
          patientId: `HEAD-${dialect}`,
          instanceNumber: n + 1,
        }),
      );
      expect(await stowObjects(lb, objects)).toBe(200);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    const resources: Array<{ path: string; accept?: string }> = [
      { path: `/dicomweb/studies/${study}` },
      { path: instance, accept: 'application/dicom' },
      { path: instance, accept: 'application/dicom; transfer-syntax=*' },
      { path: `${instance}/frames/1` },
      { path: `${instance}/bulkdata/7FE00010` },
      { path: `/dicomweb/studies/${study}/bulkdata` },
      { path: `${instance}/rendered`, accept: 'image/png' },
      { path: `/dicomweb/studies/${study}/thumbnail` },
      { path: `/dicomweb/studies/${study}/rendered` },
      { path: `/wado?requestType=WADO&studyUID=${study}&seriesUID=${series}&objectUID=${sops[0]}` },
      {
        path: `/wado?requestType=WADO&studyUID=${study}&seriesUID=${series}&objectUID=${sops[0]}&contentType=application/dicom`,
      },
    ];

    it('answers as GET does, with no body and no transfer recorded', async () => {
      for (const { path, accept } of resources) {
        const before = await studyReads();
        const head = await request('HEAD', path, accept);
        expect(head.status, path).toBe(200);
        expect((await head.arrayBuffer()).byteLength, path).toBe(0);
        expect(await studyReads(), `HEAD ${path} recorded nothing`).toBe(before);
        const get = await request('GET', path, accept);
        expect(get.status, path).toBe(200);
        expect(mediaTypeOf(head.headers.get('content-type')), path).toBe(
          mediaTypeOf(get.headers.get('content-type')),
        );
        await get.arrayBuffer();
        expect(await studyReads(), `GET ${path} recorded`).toBeGreaterThan(before);
      }
    });

    it('leaves no stored object open', async () => {
      const before = openFiles();
      for (let round = 0; round < 10; round++) {
        for (const { path, accept } of resources) {
          const head = await request('HEAD', path, accept);
          expect(head.status, path).toBe(200);
          await head.arrayBuffer();
        }
      }
      // A hundred and ten answers: one object left open by each would show as that many descriptors.
      await expect.poll(() => openFiles() - before, { timeout: 5_000 }).toBeLessThan(10);
    });

    it('does not read a single instance from storage', async () => {
      const archive = lb.running.services.archive;
      const openObject = archive.openObject;
      const streams: Readable[] = [];
      archive.openObject = async (...args: Parameters<Archive['openObject']>) => {
        const stream = await openObject.apply(archive, args);
        streams.push(stream);
        return stream;
      };
      try {
        for (const accept of ['application/dicom', 'application/dicom; transfer-syntax=*']) {
          const head = await request('HEAD', instance, accept);
          expect(head.status).toBe(200);
          await head.arrayBuffer();
        }
      } finally {
        archive.openObject = openObject;
      }
      // Opened (the answer is decided on the object) but closed unread: no byte of it went anywhere.
      expect(streams.length).toBeGreaterThan(0);
      await expect.poll(() => streams.every((s) => s.destroyed && s.readableDidRead === false)).toBe(true);
    });

    it('does not read a single bulk data value from storage', async () => {
      const archive = lb.running.services.archive;
      const openObject = archive.openObject;
      const values: Readable[] = [];
      archive.openObject = async (...args: Parameters<Archive['openObject']>) => {
        const stream = await openObject.apply(archive, args);
        if (args[1] !== undefined) values.push(stream); // a value's byte range; the header is read whole
        return stream;
      };
      try {
        const head = await request('HEAD', `${instance}/bulkdata/7FE00010`);
        expect(head.status).toBe(200);
        await head.arrayBuffer();
      } finally {
        archive.openObject = openObject;
      }
      expect(values.length).toBeGreaterThan(0);
      await expect.poll(() => values.every((s) => s.destroyed && s.readableDidRead === false)).toBe(true);
    });

    it('does not read a multipart body from storage', async () => {
      const opened = await objectsOpened(async () => {
        const head = await request('HEAD', `/dicomweb/studies/${study}`);
        expect(head.status).toBe(200);
        await head.arrayBuffer();
      });
      expect(opened).toBe(0);
    });

    it('answers the refusals of GET: 406 for what cannot be produced, 404 for what is not there', async () => {
      const refused = await request('HEAD', instance, 'image/gif');
      expect(refused.status).toBe(406);
      expect((await request('HEAD', `/dicomweb/studies/${generateUid()}`)).status).toBe(404);
      expect((await request('HEAD', `${instance}/frames/9`)).status).toBe(404);
    });
  });
}

import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { generateUid, getString, readPart10, Tag } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

type Json = Record<string, { vr: string; Value?: unknown[] }>;

async function objectFiles(lb: TestLightbox): Promise<number> {
  const entries = await readdir(path.join(lb.dataDir, 'objects'), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && !e.parentPath.includes('.partial')).length;
}

for (const dialect of DIALECTS) {
  describe(`STOW-RS policies and limits on ${dialect}`, () => {
    let lb: TestLightbox | undefined;
    afterEach(async () => {
      await lb?.stop();
      lb = undefined;
    });
    const stow = (server: TestLightbox, body: Uint8Array<ArrayBuffer>, contentType: string) =>
      fetch(`${server.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: server.authorization, 'content-type': contentType },
      });

    it('rejects a duplicate with 0111H under the reject policy and keeps the first copy', async () => {
      lb = await startTestLightbox(dialect, { LIGHTBOX_DUPLICATE_POLICY: 'reject' });
      const bytes = syntheticImage({ sopInstanceUid: generateUid(), patientName: 'First^Copy' });
      const first = multipartBody([{ bytes }]);
      expect((await stow(lb, first.body, first.contentType)).status).toBe(200);
      const again = syntheticImage({ ...(await uidsOf(bytes)), patientName: 'Second^Copy' });
      const second = multipartBody([{ bytes: again }]);
      const response = await stow(lb, second.body, second.contentType);
      expect(response.status).toBe(409);
      const failed = ((await response.json()) as Json)['00081198']!.Value as Json[];
      expect(failed[0]!['00081197']!.Value).toEqual([0x0111]);
      expect(await objectFiles(lb)).toBe(1);
    });

    it('replaces the stored object under the overwrite policy and deletes the old one', async () => {
      lb = await startTestLightbox(dialect, { LIGHTBOX_DUPLICATE_POLICY: 'overwrite' });
      const bytes = syntheticImage({ sopInstanceUid: generateUid(), instanceNumber: 1 });
      const first = multipartBody([{ bytes }]);
      expect((await stow(lb, first.body, first.contentType)).status).toBe(200);
      const uids = await uidsOf(bytes);
      const replacement = syntheticImage({ ...uids, instanceNumber: 7 });
      const second = multipartBody([{ bytes: replacement }]);
      expect((await stow(lb, second.body, second.contentType)).status).toBe(200);
      expect(await objectFiles(lb)).toBe(1);
      const retrieved = await fetch(
        `${lb.dicomweb}/studies/${uids.studyInstanceUid}/series/${uids.seriesInstanceUid}/instances/${uids.sopInstanceUid}`,
        {
          headers: {
            authorization: lb.authorization,
            accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
          },
        },
      );
      const [part] = splitMultipart(
        Buffer.from(await retrieved.arrayBuffer()),
        retrieved.headers.get('content-type')!,
      );
      expect(Buffer.compare(part!.body, replacement)).toBe(0);
      const study = await fetch(`${lb.dicomweb}/studies?StudyInstanceUID=${uids.studyInstanceUid}`, {
        headers: { authorization: lb.authorization },
      });
      expect(((await study.json()) as Json[])[0]!['00201208']!.Value).toEqual([1]);
    });

    it('answers 413 for a body over the limit, whether declared or streamed', async () => {
      lb = await startTestLightbox(dialect, { LIGHTBOX_MAX_STOW_BYTES: '100000' });
      const big = multipartBody([{ bytes: syntheticImage({ rows: 256, columns: 256 }) }]);
      const declared = await stow(lb, big.body, big.contentType);
      expect(declared.status).toBe(413);
      expect(declared.headers.get('content-type')).toContain('application/problem+json');
      // Chunked (no Content-Length): counted while streaming.
      const body = big.body;
      const chunked = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < body.length; i += 16384) controller.enqueue(body.subarray(i, i + 16384));
            controller.close();
          },
        }),
        duplex: 'half',
        headers: { authorization: lb.authorization, 'content-type': big.contentType },
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await objectFiles(lb)).toBe(0);
    });

    it('survives garbage: random bodies and truncated objects never crash the server or store anything', async () => {
      lb = await startTestLightbox(dialect);
      const good = syntheticImage({});
      for (let i = 0; i < 40; i++) {
        const kind = i % 4;
        const bytes =
          kind === 0
            ? randomBytes(1 + ((i * 97) % 3000))
            : kind === 1
              ? good.subarray(0, 132 + ((i * 131) % (good.length - 140)))
              : kind === 2
                ? Buffer.concat([good.subarray(0, 400), randomBytes(600)])
                : Buffer.from(good).fill(0xff, 140, 180);
        const { body, contentType } = multipartBody([{ bytes }]);
        const response = await stow(lb, body, contentType);
        expect([400, 409], `case ${i}`).toContain(response.status);
      }
      const garbled = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body: randomBytes(5000),
        headers: {
          authorization: lb.authorization,
          'content-type': 'multipart/related; type="application/dicom"; boundary=xyz',
        },
      });
      expect(garbled.status).toBe(400);
      expect(await objectFiles(lb)).toBe(0);
      expect((await fetch(`${lb.baseUrl}/api/health`)).status).toBe(200);
    });
  });
}

async function uidsOf(bytes: Uint8Array) {
  const { dataSet } = await readPart10(bytes);
  return {
    studyInstanceUid: getString(dataSet, Tag.StudyInstanceUID)!,
    seriesInstanceUid: getString(dataSet, Tag.SeriesInstanceUID)!,
    sopInstanceUid: getString(dataSet, Tag.SOPInstanceUID)!,
    patientId: getString(dataSet, Tag.PatientID)!,
  };
}

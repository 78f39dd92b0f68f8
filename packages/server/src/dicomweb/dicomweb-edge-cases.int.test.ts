import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, getNumber, getString, readPart10, Tag } from '@lightbox/dicom';
import { sequenceElement, syntheticImage, textElement } from '@lightbox/dicom/test-support';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

const REQUEST_ATTRIBUTES = 0x00400275;
const SPS_ID = 0x00400009;
const REQUESTED_PROCEDURE_ID = 0x00401001;

for (const dialect of DIALECTS) {
  describe(`DICOMweb edge cases on ${dialect}`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const series = generateUid();
    const get = (url: string, headers: Record<string, string> = {}) =>
      fetch(url.startsWith('http') ? url : `${lb.dicomweb}${url}`, {
        headers: { authorization: lb.authorization, ...headers },
      });
    const stow = async (objects: Uint8Array[]) => {
      const { body, contentType } = multipartBody(objects.map((bytes) => ({ bytes })));
      return fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
    };

    beforeAll(async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lightbox-config-'));
      const config = path.join(dir, 'lightbox.json');
      writeFileSync(config, JSON.stringify({ archive: { qidoMaxResults: 3 } }));
      lb = await startTestLightbox(dialect, { LIGHTBOX_CONFIG: config });
      const requestAttributes = sequenceElement(REQUEST_ATTRIBUTES, [
        [textElement(SPS_ID, 'SH', 'SPS-A'), textElement(REQUESTED_PROCEDURE_ID, 'SH', 'RP-1')],
        [textElement(SPS_ID, 'SH', 'SPS-B'), textElement(REQUESTED_PROCEDURE_ID, 'SH', 'RP-2')],
      ]);
      const objects = [1, 2, 3, 4, 5].map((n) =>
        syntheticImage({
          studyInstanceUid: n <= 2 ? study : generateUid(),
          seriesInstanceUid: n <= 2 ? series : generateUid(),
          sopInstanceUid: generateUid(),
          patientId: 'EDGE-1',
          patientName: n === 2 ? 'Renamed^Later' : 'Original^Name',
          instanceNumber: n,
          extra: n === 1 ? [requestAttributes] : [],
        }),
      );
      expect((await stow(objects)).status).toBe(200);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('warns when the server maximum cuts the results, and only then', async () => {
      const capped = await get('/studies?PatientID=EDGE-1');
      expect(((await capped.json()) as Json[]).length).toBe(3);
      expect(capped.headers.get('warning')).toMatch(/^299 /);
      const all = await get(`/studies/${study}/series/${series}/instances`);
      expect(((await all.json()) as Json[]).length).toBe(2);
      expect(all.headers.get('warning')).toBeNull();
      const paged = await get('/studies?PatientID=EDGE-1&limit=2&offset=3');
      expect(((await paged.json()) as Json[]).length).toBe(1);
      expect(paged.headers.get('warning')).toBeNull();
    });

    it('matches the keys of one sequence in the same item (PS3.4 §C.2.2.2.6)', async () => {
      const uids = async (q: string) =>
        ((await (await get(`/studies?${q}`)).json()) as Json[]).map((r) => r['0020000D']!.Value![0]);
      expect(
        await uids(
          'RequestAttributesSequence.ScheduledProcedureStepID=SPS-A&RequestAttributesSequence.RequestedProcedureID=RP-1',
        ),
      ).toEqual([study]);
      expect(
        await uids(
          'RequestAttributesSequence.ScheduledProcedureStepID=SPS-A&RequestAttributesSequence.RequestedProcedureID=RP-2',
        ),
      ).toEqual([]);
      expect(await uids('RequestAttributesSequence.ScheduledProcedureStepID=SPS-B')).toEqual([study]);
    });

    it('answers instance queries with the patient values of the index, not those of each instance', async () => {
      const results = (await (
        await get(`/studies/${study}/series/${series}/instances?includefield=all`)
      ).json()) as Json[];
      expect(results.map((r) => (r['00100010']!.Value![0] as { Alphabetic: string }).Alphabetic)).toEqual([
        'Original^Name',
        'Original^Name',
      ]);
    });

    it('honours the accept query parameter and ignores charset (PS3.18 §8.3.3)', async () => {
      expect(
        (await get('/studies?accept=application/dicom%2Bjson&charset=utf-8&PatientID=EDGE-1&limit=1')).status,
      ).toBe(200);
      expect((await get('/studies?accept=image/jpeg')).status).toBe(406);
    });

    it('stores and serves UIDs with leading zeros, which old devices send (PS3.5 §9.1 forbids them)', async () => {
      const suffix = `${Date.now()}`;
      const uids = {
        study: `1.2.826.0.1.3680043.8.498.0${suffix}`,
        series: `1.2.826.0.1.3680043.8.498.0${suffix}.01`,
      };
      const sop = `${uids.series}.001`;
      const object = syntheticImage({
        studyInstanceUid: uids.study,
        seriesInstanceUid: uids.series,
        sopInstanceUid: sop,
        patientId: 'EDGE-UID',
      });
      expect((await stow([object])).status).toBe(200);
      const found = await get(`/studies?StudyInstanceUID=${uids.study}`, {
        accept: 'application/dicom+json',
      });
      expect(((await found.json()) as Json[]).map((s) => s['0020000D']?.Value?.[0])).toEqual([uids.study]);
      const instance = `/studies/${uids.study}/series/${uids.series}/instances/${sop}`;
      const metadata = (await (await get(`${instance}/metadata`)).json()) as Json[];
      expect(metadata[0]?.['00080018']?.Value).toEqual([sop]);
      const retrieved = await get(instance, {
        accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
      });
      expect(retrieved.status).toBe(200);
      const parts = splitMultipart(
        Buffer.from(await retrieved.arrayBuffer()),
        retrieved.headers.get('content-type')!,
      );
      expect(Buffer.from(parts[0]!.body).equals(Buffer.from(object))).toBe(true);
    });

    it('refuses a SOP Instance UID already stored in another study instead of dropping it', async () => {
      const [first] = (await (
        await get(`/studies/${study}/series/${series}/instances?limit=1`)
      ).json()) as Json[];
      const sop = String(first!['00080018']!.Value![0]);
      const moved = syntheticImage({
        studyInstanceUid: generateUid(),
        patientId: 'EDGE-1',
        sopInstanceUid: sop,
      });
      const response = await stow([moved]);
      expect(response.status).toBe(409);
      const failed = ((await response.json()) as Record<string, { Value: Json[] }>)['00081198']!.Value;
      expect(failed[0]!['00081197']!.Value).toEqual([0xa900]);
    });

    it('refuses compressed Pixel Data labelled with a native transfer syntax (C000, PS3.5 A.4)', async () => {
      const sopInstanceUid = generateUid();
      const rle = Buffer.from(
        syntheticImage({ patientId: 'EDGE-1', sopInstanceUid, transferSyntaxUid: '1.2.840.10008.1.2.5' }),
      );
      // The same bytes under Explicit VR Little Endian (the UIDs have the same length): what a sender
      // that negotiated a native syntax and sent a compressed file unchanged delivers.
      const at = rle.indexOf('1.2.840.10008.1.2.5\0', 0, 'latin1');
      expect(at).toBeGreaterThan(0);
      rle.write('1.2.840.10008.1.2.1\0', at, 'latin1');
      const response = await stow([rle]);
      expect(response.status).toBe(409);
      const failed = ((await response.json()) as Record<string, { Value: Json[] }>)['00081198']!.Value;
      expect(failed[0]!['00081197']!.Value).toEqual([0xc000]);
      expect(response.headers.get('warning')).toContain('PS3.5 A.4');
      // Nothing of it was stored.
      expect(await (await get(`/instances?SOPInstanceUID=${sopInstanceUid}`)).json()).toEqual([]);
    });

    it('answers bad rendering parameters with 400, not an error or a black image', async () => {
      const [first] = (await (
        await get(`/studies/${study}/series/${series}/instances?limit=1`)
      ).json()) as Json[];
      const sop = String(first!['00080018']!.Value![0]);
      const base = `/studies/${study}/series/${series}/instances/${sop}`;
      expect((await get(`${base}/rendered?viewport=32,32,50,50,100,100`)).status).toBe(400);
      expect((await get(`${base}/rendered?viewport=100000,100000`)).status).toBe(400);
      const wado = (q: string) =>
        get(`${lb.baseUrl}/wado?requestType=WADO&studyUID=${study}&seriesUID=${series}&objectUID=${sop}${q}`);
      expect((await wado('&windowCenter=abc&windowWidth=100')).status).toBe(400);
      expect((await wado('&frameNumber=9')).status).toBe(404);
      expect((await wado('&rows=32')).status).toBe(200);
    });

    it('serves the bulk data of a deflated object named in its metadata', async () => {
      const bytes = readFileSync('/usr/lib/python3/dist-packages/pydicom/data/test_files/image_dfl.dcm');
      expect((await stow([bytes])).status).toBe(200);
      const object = await readPart10(bytes, { readPixelData: true, bulkDataThreshold: Infinity });
      const s = getString(object.dataSet, Tag.StudyInstanceUID)!;
      const [metadata] = (await (await get(`/studies/${s}/metadata`)).json()) as Json[];
      const bulk = await get(metadata!['7FE00010']!.BulkDataURI!);
      expect(bulk.status).toBe(200);
      const [part] = splitMultipart(Buffer.from(await bulk.arrayBuffer()), bulk.headers.get('content-type')!);
      expect(part!.body).toEqual(Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!));
    });

    it('serves the frame, rendering and thumbnail of a deflated object', async () => {
      const bytes = readFileSync('/usr/lib/python3/dist-packages/pydicom/data/test_files/image_dfl.dcm');
      expect((await stow([bytes])).status).toBe(200);
      const object = await readPart10(bytes, { readPixelData: true, bulkDataThreshold: Infinity });
      const s = getString(object.dataSet, Tag.StudyInstanceUID)!;
      const se = getString(object.dataSet, Tag.SeriesInstanceUID)!;
      const i = getString(object.dataSet, Tag.SOPInstanceUID)!;
      const instance = `/studies/${s}/series/${se}/instances/${i}`;
      const frame = await get(`${instance}/frames/1`);
      expect(frame.status).toBe(200);
      const [part] = splitMultipart(
        Buffer.from(await frame.arrayBuffer()),
        frame.headers.get('content-type')!,
      );
      expect(part!.body).toEqual(Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!));
      expect((await get(`${instance}/frames/2`)).status).toBe(404);
      for (const path of [
        `${instance}/rendered`,
        `/studies/${s}/thumbnail`,
        `${instance}/frames/1/rendered`,
      ]) {
        const image = await fetch(`${lb.dicomweb}${path}`, {
          headers: { authorization: lb.authorization, accept: 'image/png' },
        });
        expect(image.status, path).toBe(200);
        expect(image.headers.get('content-type')).toBe('image/png');
        const png = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
        const size = path.endsWith('thumbnail') ? 128 : getNumber(object.dataSet, Tag.Columns);
        expect([png.width, png.height]).toEqual([size, size]); // a square 512×512 image
      }
    });

    it('answers a wrong method on a known resource 405, and only to a caller who authenticated', async () => {
      const response = await fetch(`${lb.dicomweb}/studies`, {
        method: 'PUT',
        headers: { authorization: lb.authorization },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await fetch(`${lb.dicomweb}/studies`, { method: 'PUT' })).status).toBe(401);
    });
  });
}

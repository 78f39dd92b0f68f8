import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { generateUid, getNumber, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import {
  nativeFrameLittleEndian,
  syntheticImage,
  type SyntheticImageOptions,
} from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }>;

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.parentPath.includes('.partial')) n++;
  }
  return n;
}

for (const dialect of DIALECTS) {
  describe(`DICOMweb over HTTP on ${dialect}`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const ctSeries = generateUid();
    const mrSeries = generateUid();
    const common: SyntheticImageOptions = {
      studyInstanceUid: study,
      patientId: 'PID-1',
      issuerOfPatientId: 'HOSP-A',
      patientName: 'Müller^Jürgen',
      studyDate: '20240315',
      studyTime: '101500',
      accessionNumber: 'ACC-42',
      studyDescription: 'CT CHEST',
      referringPhysicianName: 'Smith^John',
      specificCharacterSet: 'ISO_IR 100',
    };
    const ct = [1, 2, 3].map((n) =>
      syntheticImage({
        ...common,
        seriesInstanceUid: ctSeries,
        modality: 'CT',
        seriesNumber: 1,
        instanceNumber: n,
        sopInstanceUid: generateUid(),
      }),
    );
    const mrOptions: SyntheticImageOptions = {
      ...common,
      seriesInstanceUid: mrSeries,
      modality: 'MR',
      seriesNumber: 2,
      instanceNumber: 1,
      sopInstanceUid: generateUid(),
      transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian,
      frames: 3,
      rows: 16,
      columns: 16,
    };
    const mr = syntheticImage(mrOptions);
    const sopOf = (bytes: Uint8Array) =>
      readPart10(bytes).then((o) => getString(o.dataSet, Tag.SOPInstanceUID)!);

    const request = (url: string, init: RequestInit = {}) =>
      fetch(url.startsWith('http') ? url : `${lb.dicomweb}${url}`, {
        ...init,
        headers: { authorization: lb.authorization, ...(init.headers as Record<string, string>) },
      });
    const stow = (parts: Array<{ bytes: Uint8Array; contentType?: string }>, url = '/studies') => {
      const { body, contentType } = multipartBody(parts);
      return request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
    };
    const qido = async (url: string): Promise<Json[]> => {
      const response = await request(url);
      expect(response.status, await response.clone().text()).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/dicom+json');
      return (await response.json()) as Json[];
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('answers the health check without credentials and refuses everything else without them', async () => {
      expect((await fetch(`${lb.baseUrl}/api/health`)).status).toBe(200);
      const anonymous = await fetch(`${lb.dicomweb}/studies`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
      const wrong = await fetch(`${lb.dicomweb}/studies`, {
        headers: { authorization: `Basic ${Buffer.from('admin:wrong-password').toString('base64')}` },
      });
      expect(wrong.status).toBe(401);
    });

    it('stores a study with STOW-RS and answers the referenced instances with their RetrieveURLs', async () => {
      const response = await stow([...ct, mr].map((bytes) => ({ bytes })));
      expect(response.status).toBe(200);
      const body = (await response.json()) as Json;
      const referenced = body['00081199']!.Value as Json[];
      expect(referenced).toHaveLength(4);
      expect(body['00081198']).toBeUndefined();
      expect(String(body['00081190']!.Value![0])).toBe(`${lb.dicomweb}/studies/${study}`);
      const sop = await sopOf(ct[0]!);
      const item = referenced.find((r) => r['00081155']!.Value![0] === sop)!;
      expect(item['00081190']!.Value![0]).toBe(
        `${lb.dicomweb}/studies/${study}/series/${ctSeries}/instances/${sop}`,
      );
    });

    it('keeps one copy of a re-sent instance and says it was already stored', async () => {
      const files = await countFiles(path.join(lb.dataDir, 'objects'));
      const response = await stow([{ bytes: ct[0]! }]);
      expect(response.status).toBe(200);
      expect(response.headers.get('warning')).toMatch(/^299 .*already stored/);
      expect(await countFiles(path.join(lb.dataDir, 'objects'))).toBe(files);
      const [studyResult] = await qido(`/studies?StudyInstanceUID=${study}`);
      expect(studyResult!['00201208']!.Value).toEqual([4]);
      expect(studyResult!['00201206']!.Value).toEqual([2]);
    });

    it('fails single parts with the standard FailureReason and keeps the good ones (202)', async () => {
      const good = syntheticImage({
        ...common,
        seriesInstanceUid: ctSeries,
        sopInstanceUid: generateUid(),
        modality: 'CT',
      });
      const noSop = syntheticImage({ ...common, sopInstanceUid: '' });
      const response = await stow([
        { bytes: Buffer.from('this is not DICOM at all') },
        { bytes: good },
        { bytes: noSop },
      ]);
      expect(response.status).toBe(202);
      const body = (await response.json()) as Json;
      const failed = body['00081198']!.Value as Json[];
      expect(failed.map((f) => f['00081197']!.Value![0]).sort()).toEqual([0xa900, 0xc000]);
      expect(body['00081199']!.Value).toHaveLength(1);
    });

    it('answers 409 when no instance could be stored, e.g. a study mismatch with the target URL', async () => {
      const other = syntheticImage({
        ...common,
        studyInstanceUid: generateUid(),
        sopInstanceUid: generateUid(),
      });
      const response = await stow([{ bytes: other }], `/studies/${study}`);
      expect(response.status).toBe(409);
      const failed = ((await response.json()) as Json)['00081198']!.Value as Json[];
      expect(failed[0]!['00081197']!.Value).toEqual([0xa900]);
    });

    it('refuses a study UID that is already stored for another patient (no silent merge)', async () => {
      const intruder = syntheticImage({
        ...common,
        patientId: 'OTHER-PATIENT',
        sopInstanceUid: generateUid(),
        seriesInstanceUid: generateUid(),
      });
      const response = await stow([{ bytes: intruder }]);
      expect(response.status).toBe(409);
      // The Failure Reason (A900) says what kind of failure; the Warning header says which, in words.
      expect(response.headers.get('warning')).toMatch(/^299 lightbox ".*stored for another patient.*"$/);
      const otherIssuer = syntheticImage({
        ...common,
        issuerOfPatientId: 'HOSP-B',
        studyInstanceUid: generateUid(),
        sopInstanceUid: generateUid(),
      });
      expect((await stow([{ bytes: otherIssuer }])).status).toBe(200);
      const patients = await qido('/studies?PatientID=PID-1');
      expect(new Set(patients.map((p) => p['00100021']!.Value![0]))).toEqual(new Set(['HOSP-A', 'HOSP-B']));
    });

    it('answers bad STOW requests with problem+json', async () => {
      const wrongType = await request('/studies', {
        method: 'POST',
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(wrongType.status).toBe(415);
      expect(wrongType.headers.get('content-type')).toContain('application/problem+json');
      // A bare Part 10 body (as `curl --data-binary @file.dcm` sends it) is told what STOW-RS takes.
      const bare = await request('/studies', {
        method: 'POST',
        body: Buffer.from(ct[1]!),
        headers: { 'content-type': 'application/dicom' },
      });
      expect(bare.status).toBe(415);
      expect(((await bare.json()) as { detail: string }).detail).toContain(
        'multipart/related; type="application/dicom"',
      );
      const noBoundary = await request('/studies', {
        method: 'POST',
        body: 'x',
        headers: { 'content-type': 'multipart/related; type="application/dicom"' },
      });
      expect(noBoundary.status).toBe(400);
      const truncated = multipartBody([{ bytes: ct[1]! }]);
      const cut = await request('/studies', {
        method: 'POST',
        body: truncated.body.subarray(0, truncated.body.length - 40),
        headers: { 'content-type': truncated.contentType },
      });
      expect(cut.status).toBe(400);
    });

    it('matches studies on every QIDO-RS key type', async () => {
      const uids = (results: Json[]) => results.map((r) => r['0020000D']!.Value![0]);
      expect(uids(await qido(`/studies?PatientID=PID-1&IssuerOfPatientID=HOSP-A`))).toEqual([study]);
      expect(uids(await qido(`/studies?PatientName=m%C3%BCller*`))).toContain(study);
      expect(uids(await qido(`/studies?PatientName=MULLER%5EJURGEN`))).toContain(study);
      expect(uids(await qido(`/studies?PatientName=Mueler&fuzzymatching=true`))).toContain(study);
      expect(uids(await qido(`/studies?PatientName=Mueler`))).not.toContain(study);
      expect(uids(await qido(`/studies?ReferringPhysicianName=Smyth%5EJon&fuzzymatching=true`))).toContain(
        study,
      );
      expect(uids(await qido(`/studies?StudyDate=20240301-20240331`))).toContain(study);
      expect(uids(await qido(`/studies?StudyDate=20240316-`))).not.toContain(study);
      expect(uids(await qido(`/studies?StudyTime=10-11`))).toContain(study);
      expect(uids(await qido(`/studies?AccessionNumber=ACC-4?`))).toContain(study);
      expect(uids(await qido(`/studies?ModalitiesInStudy=MR`))).toContain(study);
      expect(uids(await qido(`/studies?ModalitiesInStudy=US`))).not.toContain(study);
      expect(uids(await qido(`/studies?StudyInstanceUID=1.2.3,${study}`))).toEqual([study]);
      expect(uids(await qido(`/studies?StudyDescription=ct*`))).not.toContain(study); // case-sensitive outside PN
      // Any attribute, through the stored metadata: an instance-level one.
      expect(uids(await qido(`/studies?SOPClassUID=1.2.840.10008.5.1.4.1.1.2`))).toContain(study);
      expect(uids(await qido(`/studies?PixelRepresentation=0&StudyInstanceUID=${study}`))).toEqual([study]);
    });

    it('returns the required study attributes, the matching keys and includefield', async () => {
      const [result] = await qido(
        `/studies?StudyInstanceUID=${study}&includefield=00081030&includefield=SOPClassesInStudy`,
      );
      expect(result!['00100010']!.Value).toEqual([{ Alphabetic: 'Müller^Jürgen' }]);
      expect(result!['00080061']!.Value).toEqual(['CT', 'MR']);
      expect(result!['00080062']!.Value).toContain('1.2.840.10008.5.1.4.1.1.2');
      expect(result!['00081190']!.Value).toEqual([`${lb.dicomweb}/studies/${study}`]);
      expect(result!['00080056']!.Value).toEqual(['ONLINE']);
      const [all] = await qido(`/studies?StudyInstanceUID=${study}&includefield=all`);
      expect(all!['00081030']!.Value).toEqual(['CT CHEST']);
    });

    it('queries series and instances, with paging and sequence matching', async () => {
      const series = await qido(`/studies/${study}/series`);
      expect(series.map((s) => s['00080060']!.Value![0])).toEqual(['CT', 'MR']);
      expect(series[0]!['00201209']!.Value).toEqual([4]);
      const mrOnly = await qido(`/series?Modality=MR&StudyInstanceUID=${study}`);
      expect(mrOnly).toHaveLength(1);
      expect(mrOnly[0]!['00100020']!.Value).toEqual(['PID-1']); // study attributes when not scoped to a study
      const instances = await qido(`/studies/${study}/series/${ctSeries}/instances`);
      expect(instances.map((i) => i['00200013']!.Value![0])).toEqual([1, 1, 2, 3]);
      const page = await qido(`/studies/${study}/series/${ctSeries}/instances?limit=2&offset=1`);
      expect(page.map((i) => i['00080018']!.Value![0])).toEqual(
        instances.slice(1, 3).map((i) => i['00080018']!.Value![0]),
      );
      const frames = await qido(`/studies/${study}/instances?NumberOfFrames=3`);
      expect(frames).toHaveLength(1);
      expect(
        await qido(
          `/series?RequestAttributesSequence.ScheduledProcedureStepID=NOPE&StudyInstanceUID=${study}`,
        ),
      ).toEqual([]);
    });

    it('answers bad QIDO parameters with 400 naming the parameter', async () => {
      for (const [query, parameter] of [
        ['StudyDate=2024-03-15', 'StudyDate'],
        ['limit=-1', 'limit'],
        ['fuzzymatching=maybe', 'fuzzymatching'],
        ['emptyvaluematching=maybe', 'emptyvaluematching'],
        ['StudyInstanceUID=1.2.abc', 'StudyInstanceUID'],
      ] as const) {
        const response = await request(`/studies?${query}`);
        expect(response.status, query).toBe(400);
        expect(((await response.json()) as { parameter: string }).parameter).toBe(parameter);
      }
    });

    it('ignores a query parameter that is not an attribute, with a warning (PS3.18 §8.3)', async () => {
      const response = await request(
        `/studies?StudyInstanceUID=${study}&NoSuchKeyword=1&multiplevaluematching=true`,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('warning')).toContain('The query parameter NoSuchKeyword is not supported');
      expect(((await response.json()) as Json[]).map((s) => s['0020000D']!.Value![0])).toEqual([study]);
      const empty = await request(`/studies?StudyInstanceUID=${study}&emptyvaluematching=true`);
      expect(empty.headers.get('warning')).toContain('Empty Value Matching has not been performed');
    });

    it('serves series metadata from the index with absolute BulkDataURIs', async () => {
      const response = await request(`/studies/${study}/series/${mrSeries}/metadata`);
      expect(response.status).toBe(200);
      const [metadata] = (await response.json()) as Json[];
      expect(metadata!['00100010']!.Value).toEqual([{ Alphabetic: 'Müller^Jürgen' }]);
      const uri = metadata!['7FE00010']!.BulkDataURI!;
      expect(uri.startsWith(`${lb.dicomweb}/studies/${study}/series/${mrSeries}/instances/`)).toBe(true);
      const bulk = await request(uri);
      expect(bulk.status).toBe(200);
      const [part] = splitMultipart(Buffer.from(await bulk.arrayBuffer()), bulk.headers.get('content-type')!);
      const expected = Buffer.concat([0, 1, 2].map((f) => nativeFrameLittleEndian(mrOptions, f)));
      expect(Buffer.compare(part!.body, expected)).toBe(0);
    });

    it('retrieves a study byte for byte with transfer-syntax=*, and in Explicit VR Little Endian by default', async () => {
      const stored = await request(`/studies/${study}/series/${mrSeries}`, {
        headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
      });
      expect(stored.status).toBe(200);
      const [asStored] = splitMultipart(
        Buffer.from(await stored.arrayBuffer()),
        stored.headers.get('content-type')!,
      );
      expect(asStored!.headers['content-type']).toContain(
        `transfer-syntax=${TransferSyntaxUid.ImplicitVRLittleEndian}`,
      );
      expect(createHash('sha256').update(asStored!.body).digest('hex')).toBe(
        createHash('sha256').update(mr).digest('hex'),
      );

      const converted = await request(`/studies/${study}/series/${mrSeries}`);
      const [explicit] = splitMultipart(
        Buffer.from(await converted.arrayBuffer()),
        converted.headers.get('content-type')!,
      );
      expect(explicit!.headers['content-type']).toContain(
        `transfer-syntax=${TransferSyntaxUid.ExplicitVRLittleEndian}`,
      );
      const object = await readPart10(explicit!.body, { readPixelData: true });
      expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      expect(getNumber(object.dataSet, Tag.NumberOfFrames)).toBe(3);
      expect(Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(
        Buffer.concat([0, 1, 2].map((f) => nativeFrameLittleEndian(mrOptions, f))),
      );

      const whole = await request(`/studies/${study}`);
      expect(
        splitMultipart(Buffer.from(await whole.arrayBuffer()), whole.headers.get('content-type')!),
      ).toHaveLength(5);
    });

    it('serves single frames by byte range', async () => {
      const sop = await sopOf(mr);
      const response = await request(`/studies/${study}/series/${mrSeries}/instances/${sop}/frames/3,1`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('type="application/octet-stream"');
      const parts = splitMultipart(
        Buffer.from(await response.arrayBuffer()),
        response.headers.get('content-type')!,
      );
      expect(parts.map((p) => p.body)).toEqual(
        [nativeFrameLittleEndian(mrOptions, 2), nativeFrameLittleEndian(mrOptions, 0)].map((b) =>
          Buffer.from(b),
        ),
      );
      expect((await request(`/studies/${study}/series/${mrSeries}/instances/${sop}/frames/4`)).status).toBe(
        404,
      );
      expect((await request(`/studies/${study}/series/${mrSeries}/instances/${sop}/frames/0`)).status).toBe(
        400,
      );
    });

    it('renders instances and thumbnails as JPEG and PNG, and serves WADO-URI', async () => {
      const sop = await sopOf(ct[1]!);
      const base = `/studies/${study}/series/${ctSeries}/instances/${sop}`;
      const jpeg = await request(`${base}/rendered?window=100,200&viewport=32,32`);
      expect(jpeg.status).toBe(200);
      expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await jpeg.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      const png = await request(`${base}/rendered`, { headers: { accept: 'image/png' } });
      expect(
        Buffer.from(await png.arrayBuffer())
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
      const thumbnail = await request(`/studies/${study}/thumbnail`);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
      expect((await request(`${base}/rendered?window=1`)).status).toBe(400);

      const wado = (q: string) =>
        fetch(
          `${lb.baseUrl}/wado?requestType=WADO&studyUID=${study}&seriesUID=${ctSeries}&objectUID=${sop}${q}`,
          { headers: { authorization: lb.authorization } },
        );
      const dicom = await wado('&contentType=application/dicom');
      expect(dicom.headers.get('content-type')).toContain('application/dicom');
      const object = await readPart10(new Uint8Array(await dicom.arrayBuffer()));
      expect(getString(object.dataSet, Tag.SOPInstanceUID)).toBe(sop);
      const image = await wado('&contentType=image/jpeg&windowCenter=50&windowWidth=300');
      expect(image.headers.get('content-type')).toBe('image/jpeg');
      expect(
        (
          await fetch(`${lb.baseUrl}/wado?requestType=WADO&studyUID=${study}`, {
            headers: { authorization: lb.authorization },
          })
        ).status,
      ).toBe(400);
    });

    it('answers unknown resources with 404 problem+json', async () => {
      const response = await request(`/studies/${generateUid()}/metadata`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { title: string }).title).toBe('Not Found');
      expect((await request(`/studies/${study}/series/${generateUid()}`)).status).toBe(404);
    });

    it('says why a part failed in a Warning header even when the client sent characters a header cannot carry', async () => {
      // A study of its own, so the other tests' counts stay as they are.
      const good = syntheticImage({
        ...common,
        studyInstanceUid: generateUid(),
        seriesInstanceUid: generateUid(),
        sopInstanceUid: generateUid(),
      });
      const response = await stow([
        { bytes: good },
        { bytes: good, contentType: 'text/plain; name=\u{1F9B4}\u0142' },
      ]);
      expect(response.status).toBe(202);
      const warning = response.headers.get('warning') ?? '';
      expect(warning).toMatch(/^299 lightbox ".*part of type text\/plain; name=\?+"/);
      expect(warning).toMatch(/^[\x20-\x7e]+$/);
    });
  });
}

/**
 * Lightbox's DICOMweb (PS3.18) against a third-party DICOMweb client over real HTTP: Debian's Orthanc
 * with its DICOMweb plugin, configured with Lightbox as a remote server (HTTP Basic, user admin). Through
 * Orthanc's REST API it sends instances to Lightbox (STOW-RS), queries Lightbox (QIDO-RS, plain GETs) and
 * pulls studies, series and instances from Lightbox into itself (WADO-RS), byte for byte.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateUid, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { syntheticImage, type SyntheticImageOptions } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { startOrthanc, type OrthancPeer } from '../test-support/orthanc-peer.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_ADMIN_PASSWORD, type TestLightbox } from '../test-support/test-lightbox.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;
const value = (json: Json | undefined, tag: string): unknown => json?.[tag]?.Value?.[0];
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sopOf = async (bytes: Uint8Array) => getString((await readPart10(bytes)).dataSet, Tag.SOPInstanceUID)!;

/** What Orthanc answers to POST /instances. */
interface OrthancStored {
  ID: string;
  ParentStudy: string;
  Status: string;
}

for (const dialect of DIALECTS) {
  describe(`Orthanc (DICOMweb plugin) as a client of Lightbox on ${dialect}`, () => {
    let lb: TestLightbox;
    let orthanc: OrthancPeer;

    const lightbox = (url: string, init: RequestInit = {}) =>
      fetch(url.startsWith('http') ? url : `${lb.dicomweb}${url}`, {
        ...init,
        headers: { authorization: lb.authorization, ...(init.headers as Record<string, string>) },
      });
    const lightboxQido = async (url: string): Promise<Json[]> => {
      const response = await lightbox(url, { headers: { accept: 'application/dicom+json' } });
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as Json[];
    };
    /** The instances of a Lightbox resource as stored (transfer-syntax=*). */
    const lightboxAsStored = async (url: string): Promise<Buffer[]> => {
      const response = await lightbox(url, {
        headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
      });
      expect(response.status).toBe(200);
      const body = Buffer.from(await response.arrayBuffer());
      return splitMultipart(body, response.headers.get('content-type')!).map((p) => p.body);
    };
    /** Orthanc's files of a study it holds, keyed by SOP Instance UID. */
    const orthancStudyFiles = async (studyUid: string): Promise<Map<string, Buffer>> => {
      const found = await orthanc.post<Array<{ ID: string; Type: string }>>('/tools/lookup', studyUid);
      const study = found.find((f) => f.Type === 'Study');
      if (study === undefined) return new Map();
      const instances = await orthanc.get<Array<{ ID: string }>>(`/studies/${study.ID}/instances`);
      const files = new Map<string, Buffer>();
      for (const { ID } of instances) {
        const file = await orthanc.getBytes(`/instances/${ID}/file`);
        files.set(await sopOf(file), file);
      }
      return files;
    };

    // Sent from Orthanc to Lightbox: a synthetic two-instance study and pydicom's CT_small.
    const sentStudy = generateUid();
    const sent = [1, 2].map((n) =>
      syntheticImage({
        studyInstanceUid: sentStudy,
        seriesInstanceUid: `${sentStudy}.1`,
        sopInstanceUid: generateUid(),
        instanceNumber: n,
        patientId: 'ORT-1',
        patientName: 'Orthanc^Sent',
        modality: 'CT',
        rows: 16,
        columns: 16,
      }),
    );
    const ctSmall = new Uint8Array(readFileSync(`${PYDICOM}/CT_small.dcm`));

    // Stored in Lightbox, then queried and pulled by Orthanc: a synthetic study with a CT series and a
    // multi-frame series, and pydicom's RLE MR (a study of its own) to show compressed objects pass intact.
    const pulledStudy = generateUid();
    const pulledCtSeries = generateUid();
    const pulledCommon: SyntheticImageOptions = {
      studyInstanceUid: pulledStudy,
      patientId: 'ORT-2',
      patientName: 'Lightbox^Pulled',
      studyDate: '20240521',
      accessionNumber: 'ORT-ACC-2',
      studyDescription: 'PULLED BY ORTHANC',
      rows: 16,
      columns: 16,
    };
    const pulledCt = [1, 2, 3].map((n) =>
      syntheticImage({
        ...pulledCommon,
        seriesInstanceUid: pulledCtSeries,
        sopInstanceUid: generateUid(),
        instanceNumber: n,
        modality: 'CT',
        seriesNumber: 1,
      }),
    );
    const pulledMultiFrame = syntheticImage({
      ...pulledCommon,
      seriesInstanceUid: generateUid(),
      sopInstanceUid: generateUid(),
      modality: 'OT',
      seriesNumber: 2,
      frames: 4,
      transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian,
    });
    const mrRle = new Uint8Array(readFileSync(`${PYDICOM}/MR_small_RLE.dcm`));
    const mrRleStudy = '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457';

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      orthanc = await startOrthanc({
        dicomwebServers: {
          lightbox: { url: `${lb.dicomweb}/`, username: 'admin', password: TEST_ADMIN_PASSWORD },
        },
      });
      const { body, contentType } = multipartBody(
        [...pulledCt, pulledMultiFrame, mrRle].map((bytes) => ({ bytes })),
      );
      const stored = await lightbox('/studies', {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
      });
      expect(stored.status, await stored.clone().text()).toBe(200);
    });
    afterAll(async () => {
      await orthanc?.stop();
      await lb?.stop();
    });

    it('has Lightbox configured as a DICOMweb server', async () => {
      expect(await orthanc.get<string[]>('/dicom-web/servers')).toEqual(['lightbox']);
    });

    it('sends a study and an instance from Orthanc to Lightbox with STOW-RS', async () => {
      const uploaded: OrthancStored[] = [];
      for (const file of [...sent, ctSmall])
        uploaded.push(await orthanc.post<OrthancStored>('/instances', file));
      expect(uploaded.map((u) => u.Status)).toEqual(['Success', 'Success', 'Success']);
      // A study (both its instances) and a single instance, in one STOW-RS request.
      const answer = await orthanc.post<Record<string, unknown>>('/dicom-web/servers/lightbox/stow', {
        Resources: [uploaded[0]!.ParentStudy, uploaded[2]!.ID],
        Synchronous: true,
      });
      // The plugin itself checks the Store Instances Response (every instance in the Referenced SOP
      // Sequence, none failed) and fails the request otherwise.
      expect(answer, orthanc.log()).toBeTypeOf('object');

      const instances = await lightboxQido(`/studies/${sentStudy}/instances`);
      expect(instances.map((i) => value(i, '00080018')).sort()).toEqual(
        (await Promise.all(sent.map(sopOf))).sort(),
      );
      const [study] = await lightboxQido(`/studies?StudyInstanceUID=${sentStudy}`);
      expect(value(study, '00100010')).toEqual({ Alphabetic: 'Orthanc^Sent' });
      expect(value(study, '00201208')).toBe(2);
      const ct = await lightboxQido(`/instances?SOPInstanceUID=${await sopOf(ctSmall)}`);
      expect(value(ct[0], '00100010')).toEqual({ Alphabetic: 'CompressedSamples^CT1' });

      // What Lightbox keeps is byte for byte what Orthanc held.
      const kept = await lightboxAsStored(`/studies/${sentStudy}`);
      expect(kept.map(sha256).sort()).toEqual(sent.map(sha256).sort());
      const [keptCt] = await lightboxAsStored(
        `/studies/${value(ct[0], '0020000D')}/series/${value(ct[0], '0020000E')}/instances/${await sopOf(ctSmall)}`,
      );
      expect(sha256(keptCt!)).toBe(sha256(ctSmall));
    });

    it('queries Lightbox through Orthanc with QIDO-RS', async () => {
      // The plugin's /qido answers in Orthanc's own tag format: one string per tag (it keeps the first
      // of several values and drops the JSON numbers of IS values: an Orthanc 1.10/plugin 1.7 trait).
      type OrthancTags = Record<string, { Name: string; Value?: string }>;
      const qido = (Uri: string, Arguments: Record<string, string> = {}) =>
        orthanc.post<OrthancTags[]>('/dicom-web/servers/lightbox/qido', { Uri, Arguments });
      const tag = (result: OrthancTags | undefined, id: string) => result?.[id]?.Value;

      const studies = await qido('/studies', { PatientID: 'ORT-2', includefield: 'StudyDescription' });
      expect(studies.map((s) => tag(s, '0020000D'))).toEqual([pulledStudy]);
      expect(tag(studies[0], '00100010')).toBe('Lightbox^Pulled');
      expect(tag(studies[0], '00080050')).toBe('ORT-ACC-2');
      expect(tag(studies[0], '00081030')).toBe('PULLED BY ORTHANC');
      expect(tag(studies[0], '00081190')).toBe(`${lb.dicomweb}/studies/${pulledStudy}`);

      const byName = await qido('/studies', { PatientName: 'lightbox*', StudyDate: '20240501-20240531' });
      expect(byName.map((s) => tag(s, '0020000D'))).toEqual([pulledStudy]);
      expect(await qido('/studies', { PatientName: 'lightbox*', StudyDate: '20240601-' })).toEqual([]);

      const series = await qido(`/studies/${pulledStudy}/series`);
      expect(series.map((s) => tag(s, '00080060'))).toEqual(['CT', 'OT']);
      const instances = await qido(`/studies/${pulledStudy}/series/${pulledCtSeries}/instances`, {
        limit: '2',
        offset: '1',
      });
      expect(instances.map((i) => tag(i, '00080018'))).toEqual(
        await Promise.all(pulledCt.slice(1).map(sopOf)),
      );

      // The plugin's /get passes Lightbox's DICOM JSON through untouched: counters and all values.
      const [study] = await orthanc.post<Json[]>('/dicom-web/servers/lightbox/get', {
        Uri: '/studies',
        Arguments: { StudyInstanceUID: pulledStudy },
      });
      expect(value(study, '00201208')).toBe(4);
      expect(value(study, '00201206')).toBe(2);
      expect(study!['00080061']!.Value).toEqual(['CT', 'OT']);
    });

    it('reads Lightbox metadata through Orthanc (GET through the plugin)', async () => {
      const metadata = await orthanc.post<Json[]>('/dicom-web/servers/lightbox/get', {
        Uri: `/studies/${pulledStudy}/series/${pulledCtSeries}/metadata`,
      });
      expect(metadata.map((m) => value(m, '00080018')).sort()).toEqual(
        (await Promise.all(pulledCt.map(sopOf))).sort(),
      );
      expect(metadata.every((m) => value(m, '0020000D') === pulledStudy)).toBe(true);
      expect(metadata[0]!['7FE00010']!.BulkDataURI).toMatch(
        new RegExp(`^${lb.dicomweb}/studies/${pulledStudy}/series/${pulledCtSeries}/instances/`),
      );
    });

    it('pulls a whole study from Lightbox into Orthanc with WADO-RS, byte for byte', async () => {
      const answer = await orthanc.post<Record<string, unknown>>('/dicom-web/servers/lightbox/retrieve', {
        Resources: [{ Study: pulledStudy }],
        Synchronous: true,
      });
      expect(answer, orthanc.log()).toBeTypeOf('object');
      const files = await orthancStudyFiles(pulledStudy);
      const expected = [...pulledCt, pulledMultiFrame];
      expect([...files.keys()].sort()).toEqual((await Promise.all(expected.map(sopOf))).sort());
      for (const original of expected)
        expect(sha256(files.get(await sopOf(original))!)).toBe(sha256(original));
      // Orthanc indexed what it received: the multi-frame instance with its 4 frames.
      const found = await orthanc.post<Array<{ ID: string; Type: string }>>(
        '/tools/lookup',
        await sopOf(pulledMultiFrame),
      );
      const tags = await orthanc.get<Record<string, string>>(`/instances/${found[0]!.ID}/simplified-tags`);
      expect(tags.NumberOfFrames).toBe('4');
      expect(tags.PatientName).toBe('Lightbox^Pulled');
    });

    it('pulls a compressed (RLE) instance by series and by instance, as stored', async () => {
      const object = await readPart10(mrRle);
      const series = getString(object.dataSet, Tag.SeriesInstanceUID)!;
      const sop = getString(object.dataSet, Tag.SOPInstanceUID)!;
      await orthanc.post('/dicom-web/servers/lightbox/retrieve', {
        Resources: [{ Study: mrRleStudy, Series: series }],
        Synchronous: true,
      });
      let files = await orthancStudyFiles(mrRleStudy);
      expect([...files.keys()]).toEqual([sop]);
      expect(sha256(files.get(sop)!)).toBe(sha256(mrRle));
      const [found] = await orthanc.post<Array<{ ID: string }>>('/tools/lookup', sop);
      const syntax = await orthanc.getBytes(`/instances/${found!.ID}/metadata/TransferSyntax`);
      expect(syntax.toString('latin1')).toBe(TransferSyntaxUid.RLELossless);

      // Again by instance, after Orthanc forgot it.
      expect((await fetch(`${orthanc.url}/instances/${found!.ID}`, { method: 'DELETE' })).status).toBe(200);
      expect((await orthancStudyFiles(mrRleStudy)).size).toBe(0);
      await orthanc.post('/dicom-web/servers/lightbox/retrieve', {
        Resources: [{ Study: mrRleStudy, Series: series, Instance: sop }],
        Synchronous: true,
      });
      files = await orthancStudyFiles(mrRleStudy);
      expect(sha256(files.get(sop)!)).toBe(sha256(mrRle));
    });
  });
}

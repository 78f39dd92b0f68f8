/**
 * Lightbox's DICOMweb (PS3.18) through a third-party client over real HTTP: dicomweb-client, the
 * library OHIF uses, running under Node with xhr2 as its XMLHttpRequest. Every answer is checked for
 * its values (UIDs, names, pixel bytes), not only for a status.
 */
import { readFileSync } from 'node:fs';
import { generateUid, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import {
  nativeFrameLittleEndian,
  syntheticFrame,
  syntheticImage,
  type SyntheticImageOptions,
} from '@lightbox/dicom/test-support';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import {
  createNodeDicomwebClient,
  type ClientRequestError,
  type DicomJsonDataSet,
  type NodeDicomwebClient,
} from '../test-support/node-dicomweb-client.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';

const bytesOf = (part: ArrayBuffer | Uint8Array) =>
  Buffer.from(part instanceof Uint8Array ? part : new Uint8Array(part));
const arrayBufferOf = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer;
const value = (json: DicomJsonDataSet | undefined, tag: string): unknown => json?.[tag]?.Value?.[0];
const values = (json: DicomJsonDataSet | undefined, tag: string): unknown[] => json?.[tag]?.Value ?? [];

/** The pixel data of a pydicom file as stored (native bytes, or encapsulated fragments concatenated). */
async function pixelBytes(file: Uint8Array): Promise<Buffer> {
  const object = await readPart10(file, { readPixelData: true });
  const element = object.dataSet.get(Tag.PixelData)!;
  if (element.encapsulated !== undefined)
    return Buffer.concat(element.encapsulated.fragments.map((f) => f.bytes!));
  return Buffer.from(element.bytes!);
}

for (const dialect of DIALECTS) {
  describe(`dicomweb-client (OHIF's DICOMweb client) against Lightbox on ${dialect}`, () => {
    let lb: TestLightbox;
    let client: NodeDicomwebClient;

    // Study A: a CT series, a native multi-frame series and an RLE multi-frame series.
    const studyA = generateUid();
    const ctSeries = generateUid();
    const patientA: SyntheticImageOptions = {
      studyInstanceUid: studyA,
      patientId: 'DWC-1',
      patientName: 'Schmidt^Anna',
      studyDate: '20230704',
      studyTime: '083000',
      accessionNumber: 'DWC-ACC-1',
      studyDescription: 'CT ABDOMEN',
      referringPhysicianName: 'Kathryn^Doe',
    };
    const ctOptions = [1, 2, 3].map((n): SyntheticImageOptions => ({
      ...patientA,
      seriesInstanceUid: ctSeries,
      modality: 'CT',
      seriesNumber: 1,
      instanceNumber: n,
      sopInstanceUid: generateUid(),
      rows: 32,
      columns: 32,
    }));
    const ct = ctOptions.map((o) => syntheticImage(o));
    const multiFrame: SyntheticImageOptions = {
      ...patientA,
      seriesInstanceUid: generateUid(),
      modality: 'OT',
      seriesNumber: 2,
      sopInstanceUid: generateUid(),
      transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian,
      frames: 3,
      rows: 16,
      columns: 16,
    };
    const rle: SyntheticImageOptions = {
      ...patientA,
      seriesInstanceUid: generateUid(),
      modality: 'OT',
      seriesNumber: 3,
      sopInstanceUid: generateUid(),
      transferSyntaxUid: TransferSyntaxUid.RLELossless,
      frames: 2,
      rows: 16,
      columns: 16,
    };
    const studyAFiles = [...ct, syntheticImage(multiFrame), syntheticImage(rle)];

    // Study B: another patient, two instances.
    const studyB = generateUid();
    const studyBFiles = [1, 2].map((n) =>
      syntheticImage({
        studyInstanceUid: studyB,
        seriesInstanceUid: `${studyB}.1`,
        sopInstanceUid: generateUid(),
        instanceNumber: n,
        patientId: 'DWC-2',
        patientName: 'Kowalski^Jan',
        studyDate: '20240110',
        modality: 'MR',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
        rows: 8,
        columns: 8,
      }),
    );

    // Study C: pydicom's JPEG-LS lossless MR, with its uncompressed twin as the reference.
    const jls = new Uint8Array(readFileSync(`${PYDICOM}/MR_small_jpeg_ls_lossless.dcm`));
    const jlsReference = new Uint8Array(readFileSync(`${PYDICOM}/MR_small.dcm`));
    const jlsStudy = '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457';
    const jlsSeries = '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457';
    const jlsSop = '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457';
    const jlsInstance = { studyInstanceUID: jlsStudy, seriesInstanceUID: jlsSeries, sopInstanceUID: jlsSop };

    const ctInstance = (i: number) => ({
      studyInstanceUID: studyA,
      seriesInstanceUID: ctSeries,
      sopInstanceUID: ctOptions[i]!.sopInstanceUid!,
    });
    const multiFrameInstance = {
      studyInstanceUID: studyA,
      seriesInstanceUID: multiFrame.seriesInstanceUid!,
      sopInstanceUID: multiFrame.sopInstanceUid!,
    };
    const rleInstance = {
      studyInstanceUID: studyA,
      seriesInstanceUID: rle.seriesInstanceUid!,
      sopInstanceUID: rle.sopInstanceUid!,
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      client = createNodeDicomwebClient(lb.dicomweb, lb.authorization);
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('stores several datasets in one STOW-RS request and reads the Store Instances Response', async () => {
      const answer = await client.storeInstances({ datasets: studyAFiles.map(arrayBufferOf) });
      const response = JSON.parse(String(answer)) as DicomJsonDataSet;
      const referenced = values(response, '00081199') as DicomJsonDataSet[];
      const expectedSops = [...ctOptions, multiFrame, rle].map((o) => o.sopInstanceUid);
      expect(referenced.map((r) => value(r, '00081155')).sort()).toEqual([...expectedSops].sort());
      expect(response['00081198']).toBeUndefined();
      expect(value(response, '00081190')).toBe(`${lb.dicomweb}/studies/${studyA}`);

      // To a study's URL (POST /studies/{study}), and a pydicom file in JPEG-LS.
      const b = JSON.parse(
        String(
          await client.storeInstances({ datasets: studyBFiles.map(arrayBufferOf), studyInstanceUID: studyB }),
        ),
      ) as DicomJsonDataSet;
      expect(values(b, '00081199')).toHaveLength(2);
      const c = JSON.parse(
        String(await client.storeInstances({ datasets: [arrayBufferOf(jls)] })),
      ) as DicomJsonDataSet;
      expect(value((values(c, '00081199') as DicomJsonDataSet[])[0], '00081155')).toBe(jlsSop);
    });

    it('refuses an instance stored to another study URL, and the client sees the 409', async () => {
      const error = (await client
        .storeInstances({ datasets: [arrayBufferOf(studyBFiles[0]!)], studyInstanceUID: studyA })
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as ClientRequestError | undefined;
      expect(error?.status).toBe(409);
      const failed = values(
        JSON.parse(String(error!.response)) as DicomJsonDataSet,
        '00081198',
      ) as DicomJsonDataSet[];
      expect(value(failed[0], '00081197')).toBe(0xa900);
    });

    it('searches for studies by patient, name (wildcard, fuzzy), date range and modality', async () => {
      const uids = (results: DicomJsonDataSet[]) => results.map((r) => value(r, '0020000D'));
      const [a] = await client.searchForStudies({ queryParams: { PatientID: 'DWC-1' } });
      expect(value(a, '0020000D')).toBe(studyA);
      expect(value(a, '00100010')).toEqual({ Alphabetic: 'Schmidt^Anna' });
      expect(value(a, '00080050')).toBe('DWC-ACC-1');
      expect(value(a, '00080020')).toBe('20230704');
      expect(value(a, '00201208')).toBe(5); // NumberOfStudyRelatedInstances
      expect(value(a, '00201206')).toBe(3); // NumberOfStudyRelatedSeries
      expect(values(a, '00080061')).toEqual(['CT', 'OT']);
      expect(value(a, '00081190')).toBe(`${lb.dicomweb}/studies/${studyA}`);

      expect(uids(await client.searchForStudies({ queryParams: { PatientName: 'schm*' } }))).toEqual([
        studyA,
      ]);
      expect(uids(await client.searchForStudies({ queryParams: { PatientName: 'Schmitt' } }))).toEqual([]);
      expect(
        uids(
          await client.searchForStudies({ queryParams: { PatientName: 'Schmitt', fuzzymatching: 'true' } }),
        ),
      ).toEqual([studyA]);
      expect(
        uids(
          await client.searchForStudies({
            queryParams: { ReferringPhysicianName: 'Catherine', fuzzymatching: 'true' },
          }),
        ),
      ).toEqual([studyA]);
      expect(
        uids(await client.searchForStudies({ queryParams: { StudyDate: '20240101-20241231' } })),
      ).toEqual(expect.arrayContaining([studyB]));
      expect(
        uids(await client.searchForStudies({ queryParams: { StudyDate: '20240101-20241231' } })),
      ).not.toContain(studyA);
      expect(
        uids(await client.searchForStudies({ queryParams: { ModalitiesInStudy: 'MR', PatientID: 'DWC-*' } })),
      ).toEqual([studyB]);
    });

    it('pages studies with limit and offset, and returns includefield attributes', async () => {
      const all = await client.searchForStudies({ queryParams: { PatientID: 'DWC-*' } });
      expect(all.map((r) => value(r, '0020000D')).sort()).toEqual([studyA, studyB].sort());
      const first = await client.searchForStudies({
        queryParams: { PatientID: 'DWC-*', limit: 1, offset: 0 },
      });
      const second = await client.searchForStudies({
        queryParams: { PatientID: 'DWC-*', limit: 1, offset: 1 },
      });
      expect(first).toHaveLength(1);
      expect(second).toHaveLength(1);
      expect([value(first[0], '0020000D'), value(second[0], '0020000D')].sort()).toEqual(
        [studyA, studyB].sort(),
      );
      expect(await client.searchForStudies({ queryParams: { PatientID: 'DWC-*', offset: 2 } })).toEqual([]);

      const [withDescription] = await client.searchForStudies({
        queryParams: { StudyInstanceUID: studyA, includefield: 'StudyDescription' },
      });
      expect(value(withDescription, '00081030')).toBe('CT ABDOMEN');
    });

    it("answers the study list query OHIF's data source sends", async () => {
      // OHIF v3 (DicomWebDataSource → qido.search) pages with limit/offset, sends fuzzymatching=false
      // and asks for StudyDescription and Modality with includefield.
      const results = await client.searchForStudies({
        queryParams: {
          PatientName: '*midt*',
          StudyDate: '20230101-20231231',
          limit: 101,
          offset: 0,
          fuzzymatching: 'false',
          includefield: '00081030,00080060',
        },
      });
      expect(results.map((r) => value(r, '0020000D'))).toEqual([studyA]);
      expect(value(results[0], '00081030')).toBe('CT ABDOMEN');
      expect(value(results[0], '00100020')).toBe('DWC-1');
      expect(values(results[0], '00080061')).toEqual(['CT', 'OT']);
    });

    it('searches for series and instances at every level, with paging', async () => {
      const series = await client.searchForSeries({ studyInstanceUID: studyA });
      expect(series.map((s) => [value(s, '00080060'), value(s, '00200011'), value(s, '00201209')])).toEqual([
        ['CT', 1, 3],
        ['OT', 2, 1],
        ['OT', 3, 1],
      ]);
      const ctOnly = await client.searchForSeries({ queryParams: { Modality: 'CT', PatientID: 'DWC-1' } });
      expect(ctOnly.map((s) => value(s, '0020000E'))).toEqual([ctSeries]);
      expect(value(ctOnly[0], '00100010')).toEqual({ Alphabetic: 'Schmidt^Anna' });

      const instances = await client.searchForInstances({
        studyInstanceUID: studyA,
        seriesInstanceUID: ctSeries,
      });
      expect(instances.map((i) => value(i, '00080018'))).toEqual(ctOptions.map((o) => o.sopInstanceUid));
      expect(instances.map((i) => value(i, '00080016'))).toEqual(Array(3).fill('1.2.840.10008.5.1.4.1.1.2'));
      const page = await client.searchForInstances({
        studyInstanceUID: studyA,
        seriesInstanceUID: ctSeries,
        queryParams: { limit: 2, offset: 1 },
      });
      expect(page.map((i) => value(i, '00200013'))).toEqual([2, 3]);
      const byFrames = await client.searchForInstances({
        studyInstanceUID: studyA,
        queryParams: { NumberOfFrames: 3 },
      });
      expect(byFrames.map((i) => value(i, '00080018'))).toEqual([multiFrame.sopInstanceUid]);
      const everywhere = await client.searchForInstances({ queryParams: { SOPInstanceUID: jlsSop } });
      expect(value(everywhere[0], '0020000D')).toBe(jlsStudy);
    });

    it('answers every QIDO-RS path with RetrieveURLs that name the resource', async () => {
      // PS3.18 §10.6.3.3 (Tables 10.6.3-3/-4/-5): each result carries its Retrieve URL (0008,1190), the
      // URL of the study, series or instance (the resource paths of Table 10.4.1-1), also when the
      // query was scoped by the path and the Study/Series Instance UIDs are not among the return keys.
      const sop = ctOptions[0]!.sopInstanceUid!;
      const studyUrl = `${lb.dicomweb}/studies/${studyA}`;
      const seriesUrl = `${studyUrl}/series/${ctSeries}`;
      const instanceUrl = `${seriesUrl}/instances/${sop}`;
      const retrieveUrl = (results: DicomJsonDataSet[]) => value(results[0], '00081190');
      // Soft assertions: a failure names every path that answers a wrong URL.
      expect
        .soft(retrieveUrl(await client.searchForStudies({ queryParams: { StudyInstanceUID: studyA } })))
        .toBe(studyUrl);
      expect
        .soft(retrieveUrl(await client.searchForSeries({ queryParams: { SeriesInstanceUID: ctSeries } })))
        .toBe(seriesUrl);
      expect
        .soft(retrieveUrl(await client.searchForInstances({ queryParams: { SOPInstanceUID: sop } })))
        .toBe(instanceUrl);
      expect
        .soft(
          retrieveUrl(
            await client.searchForSeries({ studyInstanceUID: studyA, queryParams: { SeriesNumber: 1 } }),
          ),
        )
        .toBe(seriesUrl);
      expect
        .soft(
          retrieveUrl(
            await client.searchForInstances({
              studyInstanceUID: studyA,
              queryParams: { SOPInstanceUID: sop },
            }),
          ),
        )
        .toBe(instanceUrl);
      expect
        .soft(
          retrieveUrl(
            await client.searchForInstances({
              studyInstanceUID: studyA,
              seriesInstanceUID: ctSeries,
              queryParams: { SOPInstanceUID: sop },
            }),
          ),
        )
        .toBe(instanceUrl);
    });

    it('retrieves study, series and instance metadata with values and BulkDataURIs', async () => {
      const study = await client.retrieveStudyMetadata({ studyInstanceUID: studyA });
      expect(study).toHaveLength(5);
      for (const instance of study) {
        expect(value(instance, '0020000D')).toBe(studyA);
        expect(value(instance, '00100010')).toEqual({ Alphabetic: 'Schmidt^Anna' });
        expect(instance['7FE00010']?.BulkDataURI).toMatch(
          new RegExp(`^${lb.dicomweb}/studies/${studyA}/series/`),
        );
      }
      const series = await client.retrieveSeriesMetadata({
        studyInstanceUID: studyA,
        seriesInstanceUID: ctSeries,
      });
      expect(series.map((i) => value(i, '00080018')).sort()).toEqual(
        ctOptions.map((o) => o.sopInstanceUid).sort(),
      );
      expect(series.map((i) => value(i, '00280010'))).toEqual([32, 32, 32]);
      const [instance] = await client.retrieveInstanceMetadata(multiFrameInstance);
      expect(value(instance, '00280008')).toBe(3);
      expect(value(instance, '00280010')).toBe(16);
      expect(value(instance, '00080060')).toBe('OT');
      const [compressed] = await client.retrieveInstanceMetadata(jlsInstance);
      expect(value(compressed, '00100010')).toEqual({ Alphabetic: 'CompressedSamples^MR1' });
    });

    it('retrieves instances, series and studies as DICOM in Explicit VR Little Endian', async () => {
      // dicomweb-client 0.11.3 cannot ask for another transfer syntax here: with any `mediaTypes`,
      // retrieveInstance/Series/Study throw "Media type application/ is not supported" (its
      // _getCommonMediaType answers "application/", compared with "application/dicom"). So this is the
      // default representation (PS3.18 §8.7.3.5.2), which OHIF gets too.
      const converted = await client.retrieveInstance(ctInstance(1));
      const object = await readPart10(bytesOf(converted), { readPixelData: true });
      expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      expect(getString(object.dataSet, Tag.SOPInstanceUID)).toBe(ctOptions[1]!.sopInstanceUid);
      expect(getString(object.dataSet, Tag.PatientName)).toBe('Schmidt^Anna');
      expect(Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(
        Buffer.from(nativeFrameLittleEndian(ctOptions[1]!, 0)),
      );

      // The JPEG-LS instance comes back decoded, with the pixels of its uncompressed twin.
      const decoded = await readPart10(bytesOf(await client.retrieveInstance(jlsInstance)), {
        readPixelData: true,
      });
      expect(decoded.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      expect(getString(decoded.dataSet, Tag.SOPInstanceUID)).toBe(jlsSop);
      expect(Buffer.from(decoded.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(await pixelBytes(jlsReference));

      const series = await client.retrieveSeries({ studyInstanceUID: studyA, seriesInstanceUID: ctSeries });
      const objects = await Promise.all(series.map((p) => readPart10(bytesOf(p), { readPixelData: true })));
      const bySop = new Map(objects.map((o) => [getString(o.dataSet, Tag.SOPInstanceUID), o]));
      expect([...bySop.keys()].sort()).toEqual(ctOptions.map((o) => o.sopInstanceUid).sort());
      for (const options of ctOptions) {
        expect(Buffer.from(bySop.get(options.sopInstanceUid)!.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(
          Buffer.from(nativeFrameLittleEndian(options, 0)),
        );
      }

      const [multi] = await client.retrieveSeries({
        studyInstanceUID: studyA,
        seriesInstanceUID: multiFrame.seriesInstanceUid!,
      });
      const multiObject = await readPart10(bytesOf(multi!), { readPixelData: true });
      expect(multiObject.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      expect(Buffer.from(multiObject.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(
        Buffer.concat([0, 1, 2].map((f) => nativeFrameLittleEndian(multiFrame, f))),
      );

      const study = await client.retrieveStudy({ studyInstanceUID: studyB });
      const sops = await Promise.all(
        study.map(async (p) => getString((await readPart10(bytesOf(p))).dataSet, Tag.SOPInstanceUID)),
      );
      const storedSops = await Promise.all(
        studyBFiles.map(async (f) => getString((await readPart10(f)).dataSet, Tag.SOPInstanceUID)),
      );
      expect(sops.sort()).toEqual(storedSops.sort());
    });

    it('builds WADO-URI URLs that Lightbox answers, as stored and rendered', async () => {
      // OHIF's wadouri image loading: URLs built under the WADO-URI root (/wado), transferSyntax=*.
      const wado = createNodeDicomwebClient(`${lb.baseUrl}/wado`, lb.authorization);
      const get = (url: string) => fetch(url, { headers: { authorization: lb.authorization } });
      const object = await get(wado.buildInstanceWadoURIUrl(jlsInstance));
      expect(object.status).toBe(200);
      expect(object.headers.get('content-type')).toContain('application/dicom');
      expect(Buffer.from(await object.arrayBuffer())).toEqual(Buffer.from(jls));

      const converted = await get(
        wado.buildInstanceWadoURIUrl({
          ...ctInstance(2),
          transferSyntax: TransferSyntaxUid.ExplicitVRLittleEndian,
        }),
      );
      const parsed = await readPart10(new Uint8Array(await converted.arrayBuffer()), { readPixelData: true });
      expect(getString(parsed.dataSet, Tag.SOPInstanceUID)).toBe(ctOptions[2]!.sopInstanceUid);
      expect(Buffer.from(parsed.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(
        Buffer.from(nativeFrameLittleEndian(ctOptions[2]!, 0)),
      );

      const jpeg = await get(wado.buildInstanceWadoURIUrl({ ...ctInstance(2), contentType: 'image/jpeg' }));
      expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
      const info = await sharp(Buffer.from(await jpeg.arrayBuffer())).metadata();
      expect([info.format, info.width, info.height]).toEqual(['jpeg', 32, 32]);
    });

    it('retrieves uncompressed frames of native and compressed instances', async () => {
      const frames = await client.retrieveInstanceFrames({ ...multiFrameInstance, frameNumbers: [3, 1] });
      expect(frames.map(bytesOf)).toEqual(
        [nativeFrameLittleEndian(multiFrame, 2), nativeFrameLittleEndian(multiFrame, 0)].map((b) =>
          Buffer.from(b),
        ),
      );
      expect(frames[0]!.contentType).toBe('application/octet-stream');

      // Decoded by the server: RLE and JPEG-LS frames equal their uncompressed originals.
      const rleFrames = await client.retrieveInstanceFrames({ ...rleInstance, frameNumbers: '2' });
      expect(bytesOf(rleFrames[0]!)).toEqual(Buffer.from(nativeFrameLittleEndian(rle, 1)));
      const [decoded] = await client.retrieveInstanceFrames({ ...jlsInstance, frameNumbers: '1' });
      expect(bytesOf(decoded!)).toEqual(await pixelBytes(jlsReference));
    });

    it('retrieves frames in their stored compressed syntax when the client asks for it', async () => {
      const [jlsFrame] = await client.retrieveInstanceFrames({
        ...jlsInstance,
        frameNumbers: '1',
        mediaTypes: [{ mediaType: 'image/jls', transferSyntaxUID: JPEG_LS_LOSSLESS }],
      });
      expect(jlsFrame!.contentType).toBe('image/jls');
      expect(jlsFrame!.transferSyntaxUID).toBe(JPEG_LS_LOSSLESS);
      expect(bytesOf(jlsFrame!)).toEqual(await pixelBytes(jls));
      // A JPEG-LS bitstream: SOI (FFD8) and an SOF55 (FFF7) marker.
      expect(bytesOf(jlsFrame!).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(bytesOf(jlsFrame!).indexOf(Buffer.from([0xff, 0xf7]))).toBeGreaterThan(0);

      const rleFrames = await client.retrieveInstanceFrames({
        ...rleInstance,
        frameNumbers: [1, 2],
        mediaTypes: [{ mediaType: 'image/x-dicom-rle', transferSyntaxUID: TransferSyntaxUid.RLELossless }],
      });
      expect(rleFrames.map(bytesOf)).toEqual([0, 1].map((f) => Buffer.from(syntheticFrame(rle, f))));
      expect(rleFrames[0]!.transferSyntaxUID).toBe(TransferSyntaxUid.RLELossless);
    });

    it('retrieves bulk data through the BulkDataURI of the metadata', async () => {
      const [metadata] = await client.retrieveInstanceMetadata(multiFrameInstance);
      const uri = metadata!['7FE00010']!.BulkDataURI!;
      const [bulk] = await client.retrieveBulkData({ BulkDataURI: uri });
      expect(bytesOf(bulk!)).toEqual(
        Buffer.concat([0, 1, 2].map((f) => nativeFrameLittleEndian(multiFrame, f))),
      );

      const [ctMetadata] = await client.retrieveInstanceMetadata(ctInstance(2));
      const [ctBulk] = await client.retrieveBulkData({ BulkDataURI: ctMetadata!['7FE00010']!.BulkDataURI! });
      expect(bytesOf(ctBulk!)).toEqual(Buffer.from(nativeFrameLittleEndian(ctOptions[2]!, 0)));
    });

    it('answers a bulk data request for octet-stream with octet-stream, also for compressed pixel data', async () => {
      // dicomweb-client asks for bulk data with Accept: multipart/related; type="application/octet-stream".
      // PS3.18 §8.7.8.1: the media type of each part is chosen from the Accept header (else 406), and
      // RFC 2387 §3.1: the multipart `type` parameter is the type of the root part. For encapsulated
      // pixel data the server must therefore decode it (it can: /frames does) or answer 406.
      const [metadata] = await client.retrieveInstanceMetadata(jlsInstance);
      const uri = metadata!['7FE00010']!.BulkDataURI!;
      const [bulk] = await client.retrieveBulkData({ BulkDataURI: uri });
      expect(bulk!.contentType).toBe('application/octet-stream');
      expect(bytesOf(bulk!)).toEqual(await pixelBytes(jlsReference));
    });

    it('retrieves rendered instances, frames and thumbnails as consumer images', async () => {
      const [jpeg] = await client.retrieveInstanceRendered(ctInstance(0));
      const jpegInfo = await sharp(bytesOf(jpeg!)).metadata();
      expect([jpegInfo.format, jpegInfo.width, jpegInfo.height]).toEqual(['jpeg', 32, 32]);

      const [png] = await client.retrieveInstanceRendered({
        ...ctInstance(0),
        mediaTypes: [{ mediaType: 'image/png' }],
        queryParams: { viewport: '64,64' },
      });
      const pngInfo = await sharp(bytesOf(png!)).metadata();
      expect([pngInfo.format, pngInfo.width, pngInfo.height]).toEqual(['png', 64, 64]);

      // A fixed window, so that frames differing by an offset render differently.
      const render = async (frame: number) => {
        const [image] = await client.retrieveInstanceFramesRendered({
          ...multiFrameInstance,
          frameNumbers: String(frame),
          mediaTypes: [{ mediaType: 'image/png' }],
          queryParams: { window: '64,128' },
        });
        const { data, info } = await sharp(bytesOf(image!)).raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([16, 16]);
        return data;
      };
      const [frame1, frame3] = await Promise.all([render(1), render(3)]);
      expect(Buffer.compare(frame1, frame3)).not.toBe(0);
      expect(frame1.equals(await render(1))).toBe(true);

      // dicomweb-client 0.11.3 has retrieveInstanceThumbnail (no series thumbnail method).
      const [thumbnail] = await client.retrieveInstanceThumbnail({
        ...ctInstance(0),
        mediaTypes: [{ mediaType: 'image/jpeg' }],
      });
      expect((await sharp(bytesOf(thumbnail!)).metadata()).format).toBe('jpeg');
    });
  });
}

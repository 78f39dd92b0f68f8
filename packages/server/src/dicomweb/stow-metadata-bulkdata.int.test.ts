import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateUid, getNumber, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEncodedFrames } from '../imaging/codecs/read-encoded-frames.js';
import { splitMultipart } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

/**
 * STOW-RS with separate metadata and bulk data (PS3.18 §10.5.1.4, JSON): a DICOM JSON array, then the
 * bulk data parts its BulkDataURIs name by Content-Location. The stored objects are read back with
 * WADO-RS, QIDO-RS and DCMTK's dcmdump.
 */

type Attribute = { vr: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string };
type Json = Record<string, Attribute>;

interface Part {
  contentType: string;
  body: Uint8Array | string;
  headers?: Record<string, string>;
}

/** A multipart/related body from parts with any headers (the test-support helper sets Content-Type only). */
function multipart(
  parts: readonly Part[],
  type = '"application/dicom+json"',
): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `meta-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const headers = { 'Content-Type': part.contentType, ...part.headers };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), Buffer.from(part.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/related; type=${type}; boundary=${boundary}`,
  };
}

/** pydicom's test files (Debian's python3-pydicom), written by other implementations. */
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

const metadataPart = (instances: unknown): Part => ({
  contentType: 'application/dicom+json',
  body: JSON.stringify(instances),
});

const text = (vr: string, ...values: unknown[]): Attribute => ({ vr, Value: values });

/** The identifying attributes of one instance. */
function identity(study: string, series: string, sop: string, sopClass: string, modality: string): Json {
  return {
    '00080016': text('UI', sopClass),
    '00080018': text('UI', sop),
    '00080020': text('DA', '20240601'),
    '00080060': text('CS', modality),
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
    '00100020': text('LO', 'META-1'),
    '0020000D': text('UI', study),
    '0020000E': text('UI', series),
    '00200011': text('IS', 1),
    '00200013': text('IS', 1),
  };
}

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const ENCAPSULATED_PDF = '1.2.840.10008.5.1.4.1.1.104.1';
const VL_PHOTOGRAPHIC = '1.2.840.10008.5.1.4.1.1.77.1.4';

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`STOW-RS with metadata and bulk data on ${dialect}`, () => {
    let lb: TestLightbox;
    let scratch: string;
    const study = generateUid();

    const request = (url: string, init: RequestInit = {}) =>
      fetch(url.startsWith('http') ? url : `${lb.dicomweb}${url}`, {
        ...init,
        headers: { authorization: lb.authorization, ...(init.headers as Record<string, string>) },
      });
    const stow = (parts: readonly Part[], url = '/studies', type?: string) => {
      const { body, contentType } = multipart(parts, type);
      return request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
    };
    const stowJson = async (parts: readonly Part[], url = '/studies', type?: string) => {
      const response = await stow(parts, url, type);
      const body = (await response.json()) as Json;
      return {
        status: response.status,
        warning: response.headers.get('warning'),
        referenced: (body['00081199']?.Value ?? []) as Json[],
        failed: (body['00081198']?.Value ?? []) as Json[],
      };
    };
    /** The stored Part 10 object, as sent back by WADO-RS in its stored transfer syntax. */
    const retrieve = async (series: string, sop: string): Promise<Buffer> => {
      const response = await request(`/studies/${study}/series/${series}/instances/${sop}`, {
        headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
      });
      expect(response.status).toBe(200);
      const [part] = splitMultipart(
        Buffer.from(await response.arrayBuffer()),
        response.headers.get('content-type')!,
      );
      return part!.body;
    };
    let files = 0;
    const dcmdump = async (bytes: Uint8Array): Promise<string> => {
      const file = path.join(scratch, `${++files}.dcm`);
      writeFileSync(file, bytes);
      return run('dcmdump', ['+U8', '-M', file]);
    };
    const metadataOf = async (series: string, sop: string): Promise<Json> => {
      const response = await request(`/studies/${study}/series/${series}/instances/${sop}/metadata`);
      expect(response.status).toBe(200);
      return ((await response.json()) as Json[])[0]!;
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      scratch = mkdtempSync(path.join(tmpdir(), 'lightbox-stow-meta-'));
    });
    afterAll(async () => {
      await lb?.stop();
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    });

    it('stores a CT image whose native pixel data comes as an octet-stream part', async () => {
      const series = generateUid();
      const sop = generateUid();
      const pixels = randomBytes(16 * 16 * 2);
      const ct: Json = {
        ...identity(study, series, sop, CT_IMAGE, 'CT'),
        '00180050': text('DS', '2.5'),
        '00280002': text('US', 1),
        '00280004': text('CS', 'MONOCHROME2'),
        '00280010': text('US', 16),
        '00280011': text('US', 16),
        '00280100': text('US', 16),
        '00280101': text('US', 12),
        '00280102': text('US', 11),
        '00280103': text('US', 1),
        '00281050': text('DS', 40),
        '00281051': text('DS', 400),
        '7FE00010': { vr: 'OW', BulkDataURI: 'pixels/ct-1' },
      };
      const result = await stowJson([
        metadataPart([ct]),
        {
          contentType: 'application/octet-stream',
          body: pixels,
          headers: { 'Content-Location': 'pixels/ct-1' },
        },
      ]);
      expect(result.status).toBe(200);
      expect(result.failed).toEqual([]);
      expect(result.referenced.map((r) => r['00081155']!.Value![0])).toEqual([sop]);
      expect(result.referenced[0]!['00081190']!.Value![0]).toBe(
        `${lb.dicomweb}/studies/${study}/series/${series}/instances/${sop}`,
      );

      const stored = await retrieve(series, sop);
      const dump = await dcmdump(stored);
      expect(dump).toContain('(0002,0002) UI =CTImageStorage');
      expect(dump).toContain(`(0002,0003) UI [${sop}]`);
      expect(dump).toContain('(0002,0010) UI =LittleEndianExplicit');
      expect(dump).toMatch(/\(0002,0012\) UI \[2\.25\.\d+\]/);
      expect(dump).toContain('(0010,0010) PN [Doe^Jane]');
      expect(dump).toContain('(0028,0010) US 16');
      expect(dump).toContain('(0028,0103) US 1');
      expect(dump).toMatch(/\(7fe0,0010\) OW .*# +512, 1 PixelData/);
      const object = await readPart10(stored, { readPixelData: true });
      expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
      expect(Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!).equals(pixels)).toBe(true);

      const metadata = await metadataOf(series, sop);
      expect(metadata['00100010']!.Value).toEqual([{ Alphabetic: 'Doe^Jane' }]);
      expect(metadata['00280101']!.Value).toEqual([12]);
      const found = (await (await request(`/instances?SOPInstanceUID=${sop}`)).json()) as Json[];
      expect(found.map((f) => f['0020000E']!.Value![0])).toEqual([series]);
      // The frame is served as it was sent.
      const frame = await request(`/studies/${study}/series/${series}/instances/${sop}/frames/1`, {
        headers: { accept: 'multipart/related; type="application/octet-stream"' },
      });
      expect(frame.status).toBe(200);
      const [framePart] = splitMultipart(
        Buffer.from(await frame.arrayBuffer()),
        frame.headers.get('content-type')!,
      );
      expect(framePart!.body.equals(pixels)).toBe(true);
    });

    it('stores an Encapsulated PDF sent as an application/pdf part, with its MIME type and length', async () => {
      const series = generateUid();
      const sop = generateUid();
      // Odd length: the value is padded, the Encapsulated Document Length keeps the true size.
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n!');
      expect(pdf.length % 2).toBe(1);
      const document: Json = {
        ...identity(study, series, sop, ENCAPSULATED_PDF, 'DOC'),
        '00280301': text('CS', 'NO'),
        '00420010': text('ST', 'Referral letter'),
        '00420011': { vr: 'OB', BulkDataURI: 'http://client.example/documents/letter.pdf' },
      };
      const result = await stowJson([
        metadataPart([document]),
        {
          contentType: 'application/pdf',
          body: pdf,
          headers: { 'Content-Location': 'http://client.example/documents/letter.pdf' },
        },
      ]);
      expect(result.status).toBe(200);
      expect(result.referenced).toHaveLength(1);

      const stored = await retrieve(series, sop);
      const dump = await dcmdump(stored);
      expect(dump).toContain('(0002,0002) UI =EncapsulatedPDFStorage');
      expect(dump).toContain('(0042,0012) LO [application/pdf]');
      expect(dump).toContain(`(0042,0015) UL ${pdf.length}`);
      const object = await readPart10(stored, { bulkDataThreshold: Number.MAX_SAFE_INTEGER });
      const value = Buffer.from(object.dataSet.get(Tag.EncapsulatedDocument)!.bytes!);
      expect(value.subarray(0, pdf.length).equals(pdf)).toBe(true);
      expect(value.length).toBe(pdf.length + 1);
      const metadata = await metadataOf(series, sop);
      expect(metadata['00420012']!.Value).toEqual(['application/pdf']);
    });

    it('flags an image lossy when any of its frames is, not only the first', async () => {
      const series = generateUid();
      const sop = generateUid();
      // SC_rgb_jpeg_gdcm.dcm: lossless JPEG (SOF3, point transform 0); its second frame with Pt = 2.
      const source = await readPart10(readFileSync(`${PYDICOM}/SC_rgb_jpeg_gdcm.dcm`), {
        readPixelData: true,
      });
      const lossless = Buffer.from(readEncodedFrames(source.dataSet)![0]!);
      const shifted = Buffer.from(lossless);
      const sos = shifted.findIndex((b, i) => b === 0xff && shifted[i + 1] === 0xda);
      shifted[sos + 2 + shifted.readUInt16BE(sos + 2) - 1] = 0x02; // Ah/Al: Pt in the low nibble
      const photo: Json = {
        ...identity(study, series, sop, VL_PHOTOGRAPHIC, 'XC'),
        '7FE00010': { vr: 'OB', BulkDataURI: 'frames' },
      };
      const result = await stowJson([
        metadataPart([photo]),
        { contentType: 'image/jpeg', body: lossless, headers: { 'Content-Location': 'frames' } },
        { contentType: 'image/jpeg', body: shifted, headers: { 'Content-Location': 'frames' } },
      ]);
      expect(result.status).toBe(200);
      const object = await readPart10(await retrieve(series, sop));
      expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGLosslessSV1);
      expect(getNumber(object.dataSet, Tag.NumberOfFrames)).toBe(2);
      expect(getString(object.dataSet, Tag.LossyImageCompression)).toBe('01');
      expect(getString(object.dataSet, Tag.LossyImageCompressionMethod)).toBe('ISO_10918_1');
    });

    it('stores a JPEG photo without Image Pixel attributes, derived from the JPEG, and renders it', async () => {
      const series = generateUid();
      const sop = generateUid();
      const jpeg = await sharp({
        create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } },
      })
        .jpeg({ quality: 95 })
        .toBuffer();
      const photo: Json = {
        ...identity(study, series, sop, VL_PHOTOGRAPHIC, 'XC'),
        '7FE00010': { vr: 'OB', BulkDataURI: 'photo.jpg' },
      };
      const result = await stowJson([
        metadataPart([photo]),
        { contentType: 'image/jpeg', body: jpeg, headers: { 'Content-Location': 'photo.jpg' } },
      ]);
      expect(result.status).toBe(200);

      const stored = await retrieve(series, sop);
      const object = await readPart10(stored, { readPixelData: true });
      expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGBaseline8Bit);
      const dataSet = object.dataSet;
      expect(getNumber(dataSet, Tag.Rows)).toBe(48);
      expect(getNumber(dataSet, Tag.Columns)).toBe(64);
      expect(getNumber(dataSet, Tag.SamplesPerPixel)).toBe(3);
      expect(getNumber(dataSet, Tag.BitsAllocated)).toBe(8);
      expect(getNumber(dataSet, Tag.BitsStored)).toBe(8);
      expect(getNumber(dataSet, Tag.HighBit)).toBe(7);
      expect(getNumber(dataSet, Tag.PixelRepresentation)).toBe(0);
      expect(getNumber(dataSet, Tag.PlanarConfiguration)).toBe(0);
      expect(getString(dataSet, Tag.PhotometricInterpretation)).toBe('YBR_FULL_422'); // sharp subsamples 4:2:0
      expect(getString(dataSet, Tag.LossyImageCompression)).toBe('01');
      const { fragments, basicOffsetTable } = dataSet.get(Tag.PixelData)!.encapsulated!;
      expect(basicOffsetTable.length).toBe(0);
      expect(fragments).toHaveLength(1);
      const dump = await dcmdump(stored);
      expect(dump).toContain('(0002,0010) UI =JPEGBaseline');
      expect(dump).toContain('(0028,0004) CS [YBR_FULL_422]');

      const rendered = await request(`/studies/${study}/series/${series}/instances/${sop}/rendered`, {
        headers: { accept: 'image/png' },
      });
      expect(rendered.status, await rendered.clone().text()).toBe(200);
      const { data, info } = await sharp(Buffer.from(await rendered.arrayBuffer()))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([64, 48, 3]);
      const [r, g, b] = [data[0]!, data[1]!, data[2]!];
      expect(Math.abs(r - 200)).toBeLessThan(8);
      expect(Math.abs(g - 40)).toBeLessThan(8);
      expect(Math.abs(b - 40)).toBeLessThan(8);
    });

    it('stores the instances it can and fails the one whose bulk data part is missing (202)', async () => {
      const series = generateUid();
      const [good, orphan] = [generateUid(), generateUid()];
      const instance = (sop: string, uri: string): Json => ({
        ...identity(study, series, sop, ENCAPSULATED_PDF, 'DOC'),
        '00420011': { vr: 'OB', BulkDataURI: uri },
      });
      const result = await stowJson([
        metadataPart([instance(good, 'doc/1'), instance(orphan, 'doc/2')]),
        {
          contentType: 'application/pdf',
          body: '%PDF-1.4\n%%EOF\n',
          headers: { 'Content-Location': 'doc/1' },
        },
      ]);
      expect(result.status).toBe(202);
      expect(result.referenced.map((r) => r['00081155']!.Value![0])).toEqual([good]);
      expect(result.failed).toHaveLength(1);
      expect(result.failed[0]!['00081155']!.Value).toEqual([orphan]);
      expect(result.failed[0]!['00081150']!.Value).toEqual([ENCAPSULATED_PDF]);
      expect(result.failed[0]!['00081197']!.Value).toEqual([0xc000]);
      expect(result.warning).toContain('no bulk data part has its Content-Location');
      const found = (await (await request(`/instances?SeriesInstanceUID=${series}`)).json()) as Json[];
      expect(found.map((f) => f['00080018']!.Value![0])).toEqual([good]);
    });

    it('refuses octet-stream pixel data a part names Explicit VR Big Endian, storing the rest (PS3.18 §8.7.3.3.1)', async () => {
      const series = generateUid();
      const [bigEndianMeta, bigEndianPart, littleEndian] = [generateUid(), generateUid(), generateUid()];
      const image = (sop: string, uri: string, extra: Json = {}): Json => ({
        ...identity(study, series, sop, CT_IMAGE, 'CT'),
        '00280002': text('US', 1),
        '00280004': text('CS', 'MONOCHROME2'),
        '00280010': text('US', 4),
        '00280011': text('US', 4),
        '00280100': text('US', 16),
        '00280101': text('US', 16),
        '00280102': text('US', 15),
        '00280103': text('US', 0),
        '7FE00010': { vr: 'OW', BulkDataURI: uri },
        ...extra,
      });
      const pixels = (uri: string, contentType = 'application/octet-stream'): Part => ({
        contentType,
        body: Buffer.from(Uint16Array.from({ length: 16 }, (_, i) => 0x0100 + i).buffer),
        headers: { 'Content-Location': uri },
      });
      const result = await stowJson([
        metadataPart([
          // Only the File Meta says big endian, as in the file the metadata was taken from: the octet-stream
          // part is little endian by definition (a converter that swapped the bytes may leave it as it was).
          image(bigEndianMeta, 'be/1', { '00020010': text('UI', TransferSyntaxUid.ExplicitVRBigEndian) }),
          image(bigEndianPart, 'be/2'),
          image(littleEndian, 'le/1', { '00020010': text('UI', TransferSyntaxUid.ExplicitVRLittleEndian) }),
        ]),
        pixels('be/1'),
        pixels('be/2', `application/octet-stream; transfer-syntax=${TransferSyntaxUid.ExplicitVRBigEndian}`),
        pixels('le/1'),
      ]);
      expect(result.status).toBe(202);
      expect(result.failed.map((f) => f['00081155']!.Value![0])).toEqual([bigEndianPart]);
      expect(result.failed.map((f) => f['00081197']!.Value![0])).toEqual([0xc122]);
      expect(result.warning).toContain('Explicit VR Big Endian');
      expect(result.referenced.map((r) => r['00081155']!.Value![0]).sort()).toEqual(
        [bigEndianMeta, littleEndian].sort(),
      );
      for (const [sop, uri] of [
        [littleEndian, 'le/1'],
        [bigEndianMeta, 'be/1'],
      ] as const) {
        const stored = await readPart10(await retrieve(series, sop), { readPixelData: true });
        expect(stored.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
        expect(Buffer.from(stored.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(pixels(uri).body);
      }
      const found = (await (await request(`/instances?SeriesInstanceUID=${series}`)).json()) as Json[];
      expect(found.map((f) => f['00080018']!.Value![0]).sort()).toEqual([bigEndianMeta, littleEndian].sort());
    });

    it('refuses any octet-stream bulk value named Explicit VR Big Endian, as for pixel data (PS3.18 §8.7.3.3.1)', async () => {
      const series = generateUid();
      const [overlayPart, floatPart, lutPart] = [generateUid(), generateUid(), generateUid()];
      const [fileMetaOnly, littleEndian] = [generateUid(), generateUid()];
      const BIG_ENDIAN = `application/octet-stream; transfer-syntax=${TransferSyntaxUid.ExplicitVRBigEndian}`;
      const samples = Buffer.from(Uint16Array.from({ length: 16 }, (_, i) => 0x0100 + i).buffer);
      const value = (uri: string, contentType = 'application/octet-stream'): Part => ({
        contentType,
        body: samples,
        headers: { 'Content-Location': uri },
      });
      const instance = (sop: string, values: Json, extra: Json = {}): Json => ({
        ...identity(study, series, sop, CT_IMAGE, 'CT'),
        ...values,
        ...extra,
      });
      const overlay = (uri: string): Json => ({ '60003000': { vr: 'OW', BulkDataURI: uri } });
      const result = await stowJson([
        metadataPart([
          instance(overlayPart, overlay('ov/1')),
          instance(floatPart, { '7FE00008': { vr: 'OF', BulkDataURI: 'float/1' } }),
          // A LUT's data inside a sequence item is looked up as any other bulk value.
          instance(lutPart, {
            '00283010': { vr: 'SQ', Value: [{ '00283006': { vr: 'OW', BulkDataURI: 'lut/1' } }] },
          }),
          // Only the File Meta names big endian: it describes the file the metadata came from.
          instance(fileMetaOnly, overlay('ov/2'), {
            '00020010': text('UI', TransferSyntaxUid.ExplicitVRBigEndian),
          }),
          instance(littleEndian, overlay('ov/3')),
        ]),
        value('ov/1', BIG_ENDIAN),
        value('float/1', BIG_ENDIAN),
        value('lut/1', BIG_ENDIAN),
        value('ov/2'),
        value(
          'ov/3',
          `application/octet-stream; transfer-syntax=${TransferSyntaxUid.ExplicitVRLittleEndian}`,
        ),
      ]);
      expect(result.status).toBe(202);
      const failed = (items: Json[]) => items.map((f) => f['00081155']!.Value![0]).sort();
      expect(failed(result.failed)).toEqual([overlayPart, floatPart, lutPart].sort());
      expect(result.failed.map((f) => f['00081197']!.Value![0])).toEqual([0xc122, 0xc122, 0xc122]);
      expect(result.warning).toContain('Explicit VR Big Endian');
      expect(failed(result.referenced)).toEqual([fileMetaOnly, littleEndian].sort());
      for (const sop of [fileMetaOnly, littleEndian]) {
        const stored = await readPart10(await retrieve(series, sop), { bulkDataThreshold: Infinity });
        expect(Buffer.from(stored.dataSet.get(0x60003000)!.bytes!)).toEqual(samples);
      }

      // The metadata part's transfer-syntax stands for every octet-stream part that names none.
      const named = generateUid();
      const refused = await stowJson([
        {
          contentType: `application/dicom+json; transfer-syntax=${TransferSyntaxUid.ExplicitVRBigEndian}`,
          body: JSON.stringify([instance(named, overlay('ov/4'))]),
        },
        value('ov/4'),
      ]);
      expect(refused.status).toBe(409);
      expect(refused.failed.map((f) => f['00081197']!.Value![0])).toEqual([0xc122]);
      const found = (await (await request(`/instances?SeriesInstanceUID=${series}`)).json()) as Json[];
      expect(found.map((f) => f['00080018']!.Value![0]).sort()).toEqual([fileMetaOnly, littleEndian].sort());
    });

    it('refuses malformed metadata JSON with 400, and invalid instances each with its failure reason', async () => {
      const malformed = await stow([
        { contentType: 'application/dicom+json', body: '[{"00080016": {"vr": "UI", "Value": ["1.2.3"]}' },
      ]);
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toContain('application/problem+json');
      expect(((await malformed.json()) as { detail: string }).detail).toContain('not valid JSON');

      const notMetadata = await stow([
        { contentType: 'application/pdf', body: '%PDF', headers: { 'Content-Location': 'x' } },
      ]);
      expect(notMetadata.status).toBe(400);

      const series = generateUid();
      const noSop: Json = identity(study, series, generateUid(), ENCAPSULATED_PDF, 'DOC');
      delete noSop['00080018'];
      const wrongType: Json = {
        ...identity(study, series, generateUid(), CT_IMAGE, 'CT'),
        '00280010': text('US', 'many'),
      };
      const badPixels: Json = {
        ...identity(study, series, generateUid(), CT_IMAGE, 'CT'),
        '00280002': text('US', 1),
        '00280004': text('CS', 'MONOCHROME2'),
        '00280010': text('US', 16),
        '00280011': text('US', 16),
        '00280100': text('US', 16),
        '7FE00010': { vr: 'OW', BulkDataURI: 'short' },
      };
      const result = await stowJson([
        metadataPart([noSop, wrongType, badPixels, 'not an instance']),
        {
          contentType: 'application/octet-stream',
          body: randomBytes(100),
          headers: { 'Content-Location': 'short' },
        },
      ]);
      expect(result.status).toBe(409);
      expect(result.referenced).toEqual([]);
      expect(result.failed.map((f) => f['00081197']!.Value![0])).toEqual([0xa900, 0xc000, 0xc000, 0xc000]);
      expect(result.failed[1]!['00081155']!.Value).toEqual([wrongType['00080018']!.Value![0]]);
      expect(result.warning).toContain('00280010 holds a non-number');
      expect(result.warning).toContain('the uncompressed Pixel Data is 100 bytes');

      const xml = await stow(
        [{ contentType: 'application/dicom+xml', body: '<NativeDicomModel/>' }],
        '/studies',
        '"application/dicom+xml"',
      );
      expect(xml.status).toBe(415);
    });

    it('matches a Content-Location to a BulkDataURI written relative or absolute, or by Content-ID', async () => {
      const series = generateUid();
      const sops = [generateUid(), generateUid(), generateUid()];
      const documents = [
        `${lb.dicomweb}/studies/bulk/absolute-uri`,
        'bulk/relative-uri',
        'cid:part-3@client',
      ].map((uri, i): Json => ({
        ...identity(study, series, sops[i]!, ENCAPSULATED_PDF, 'DOC'),
        '00420011': { vr: 'OB', BulkDataURI: uri },
      }));
      const pdf = (n: number) => `%PDF-1.4\n% document ${n}\n%%EOF\n`;
      // The request goes to /dicomweb/studies/{study}: relative references resolve against it.
      const result = await stowJson(
        [
          metadataPart(documents),
          {
            contentType: 'application/pdf',
            body: pdf(1),
            headers: { 'Content-Location': 'bulk/absolute-uri' },
          },
          {
            contentType: 'application/pdf',
            body: pdf(2),
            headers: { 'Content-Location': `${lb.dicomweb}/studies/bulk/relative-uri` },
          },
          { contentType: 'application/pdf', body: pdf(3), headers: { 'Content-ID': '<part-3@client>' } },
        ],
        `/studies/${study}`,
        'application/dicom+json', // unquoted
      );
      expect(result.status).toBe(200);
      expect(result.referenced.map((r) => r['00081155']!.Value![0])).toEqual(sops);
      for (const [i, sop] of sops.entries()) {
        const stored = await retrieve(series, sop);
        expect(stored.includes(Buffer.from(pdf(i + 1)))).toBe(true);
      }
    });
  });
}

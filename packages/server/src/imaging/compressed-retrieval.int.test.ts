import { readFileSync } from 'node:fs';
import { frameRanges, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';

// Debian's python3-pydicom ships the same MR slice uncompressed and in several compressed syntaxes:
// third-party data whose decoded pixels must equal the uncompressed original exactly.
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const VARIANTS = [
  ['MR_small_RLE.dcm', TransferSyntaxUid.RLELossless, 'image/dicom-rle'],
  ['MR_small_jpeg_ls_lossless.dcm', TransferSyntaxUid.JPEGLSLossless, 'image/jls'],
  ['MR_small_jp2klossless.dcm', TransferSyntaxUid.JPEG2000Lossless, 'image/jp2'],
  ['MR_small_bigendian.dcm', TransferSyntaxUid.ExplicitVRBigEndian, 'application/octet-stream'],
  ['MR_small_implicit.dcm', TransferSyntaxUid.ImplicitVRLittleEndian, 'application/octet-stream'],
] as const;

async function pixelsOf(bytes: Uint8Array): Promise<Buffer> {
  const object = await readPart10(bytes, { readPixelData: true });
  return Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!);
}

for (const dialect of DIALECTS) {
  describe(`retrieval of compressed and big-endian objects on ${dialect}`, () => {
    let lb: TestLightbox;
    let reference: Buffer;
    const get = (url: string, accept?: string) =>
      fetch(`${lb.dicomweb}${url}`, {
        headers: { authorization: lb.authorization, ...(accept ? { accept } : {}) },
      });

    beforeAll(async () => {
      // The variants share one SOP Instance UID: each upload replaces the previous one.
      lb = await startTestLightbox(dialect, { LIGHTBOX_DUPLICATE_POLICY: 'overwrite' });
      reference = await pixelsOf(readFileSync(`${PYDICOM}/MR_small.dcm`));
    });
    afterAll(async () => {
      await lb?.stop();
    });

    for (const [file, syntax, mediaType] of VARIANTS) {
      it(`serves ${file} decompressed by default and as stored on request`, async () => {
        const bytes = readFileSync(`${PYDICOM}/${file}`);
        const original = await readPart10(bytes, { readPixelData: true });
        expect(original.transferSyntaxUid).toBe(syntax);
        const { body, contentType } = multipartBody([{ bytes }]);
        const stored = await fetch(`${lb.dicomweb}/studies`, {
          method: 'POST',
          body,
          headers: { authorization: lb.authorization, 'content-type': contentType },
        });
        expect(stored.status).toBe(200);
        const study = getString(original.dataSet, Tag.StudyInstanceUID)!;
        const series = getString(original.dataSet, Tag.SeriesInstanceUID)!;
        const sop = getString(original.dataSet, Tag.SOPInstanceUID)!;
        const instance = `/studies/${study}/series/${series}/instances/${sop}`;

        const converted = await get(instance);
        expect(converted.status).toBe(200);
        const [part] = splitMultipart(
          Buffer.from(await converted.arrayBuffer()),
          converted.headers.get('content-type')!,
        );
        const object = await readPart10(part!.body, { readPixelData: true });
        expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
        expect(Buffer.from(object.dataSet.get(Tag.PixelData)!.bytes!)).toEqual(reference);
        expect(getString(object.dataSet, Tag.PatientName)).toBe(getString(original.dataSet, Tag.PatientName));

        const frame = await get(`${instance}/frames/1`);
        const [uncompressed] = splitMultipart(
          Buffer.from(await frame.arrayBuffer()),
          frame.headers.get('content-type')!,
        );
        expect(uncompressed!.headers['content-type']).toContain('application/octet-stream');
        expect(uncompressed!.body).toEqual(reference);

        const asStored = await get(
          `${instance}/frames/1`,
          'multipart/related; type="application/octet-stream"; transfer-syntax=*',
        );
        const [raw] = splitMultipart(
          Buffer.from(await asStored.arrayBuffer()),
          asStored.headers.get('content-type')!,
        );
        expect(raw!.headers['content-type']).toBe(`${mediaType}; transfer-syntax=${syntax}`);
        if (syntax !== TransferSyntaxUid.ExplicitVRBigEndian) {
          const range = frameRanges(original.dataSet)!.frames[0]!;
          const expected = Buffer.concat(range.map((r) => bytes.subarray(r.offset, r.offset + r.length)));
          expect(raw!.body).toEqual(expected);
        }

        const rendered = await get(`${instance}/rendered`);
        expect(rendered.status).toBe(200);
        expect(Buffer.from(await rendered.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      });
    }

    it('decodes colour JPEG to RGB, and says so in the converted header', async () => {
      const bytes = readFileSync(`${PYDICOM}/SC_rgb_jpeg_dcmtk.dcm`);
      const original = await readPart10(bytes);
      const { body, contentType } = multipartBody([{ bytes }]);
      await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      const study = getString(original.dataSet, Tag.StudyInstanceUID)!;
      const response = await get(`/studies/${study}`);
      const [part] = splitMultipart(
        Buffer.from(await response.arrayBuffer()),
        response.headers.get('content-type')!,
      );
      const object = await readPart10(part!.body, { readPixelData: true });
      expect(getString(object.dataSet, Tag.PhotometricInterpretation)).toBe('RGB');
      const rows = 100;
      expect(object.dataSet.get(Tag.PixelData)!.bytes!.length).toBe(rows * 100 * 3);
    });

    it('answers a codestream that does not decode with an error status, not a 200 cut short', async () => {
      // pydicom's file whose JPEG 2000 size field holds a sequence delimiter's bytes, on purpose.
      const bytes = readFileSync(`${PYDICOM}/JPEG2000-embedded-sequence-delimiter.dcm`);
      const original = await readPart10(bytes);
      const { body, contentType } = multipartBody([{ bytes }]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      const uid = (tag: number) => getString(original.dataSet, tag)!;
      const instance = `/studies/${uid(Tag.StudyInstanceUID)}/series/${uid(Tag.SeriesInstanceUID)}/instances/${uid(Tag.SOPInstanceUID)}`;
      for (const accept of [undefined, 'application/dicom']) {
        const converted = await get(instance, accept);
        expect(converted.status).toBe(500);
        expect(converted.headers.get('content-type')).toContain('application/problem+json');
        expect(((await converted.json()) as { detail: string }).detail).toMatch(
          /could not be decoded: JPEG 2000/,
        );
      }
      const decodedPixels = await get(
        `${instance}/bulkdata/7FE00010`,
        'multipart/related; type="application/octet-stream"',
      );
      expect(decodedPixels.status).toBe(500);
      expect(decodedPixels.headers.get('content-type')).toContain('application/problem+json');
      const asStored = await get(instance, 'application/dicom; transfer-syntax=*');
      expect(asStored.status).toBe(200);
      expect(Buffer.from(await asStored.arrayBuffer())).toEqual(bytes);
    });
  });
}

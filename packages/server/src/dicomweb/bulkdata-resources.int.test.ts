import { generateUid, readPart10, Tag, TransferSyntaxUid, type DataElement } from '@lightbox/dicom';
import {
  bytesElement,
  concatBytes,
  encodeTestDataSet,
  encodeTestFileMeta,
  EXPLICIT_LITTLE,
  nativeFrameLittleEndian,
  numberElement,
  part10Preamble,
  rleEncodeFrame,
  sequenceElement,
  syntheticImage,
  textElement,
  type SyntheticImageOptions,
} from '@lightbox/dicom/test-support';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Archive } from '../archive/archive.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { encapsulatedPixelData } from './stow-pixel-data.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser } from '../test-support/test-users.js';

// Behind a proxy: every BulkDataURI and Content-Location must carry the public URL, not the socket's.
const PUBLIC_URL = 'https://pacs.example.org/lightbox';
const PUBLIC_DICOMWEB = `${PUBLIC_URL}/dicomweb`;
const OCTET = 'multipart/related; type="application/octet-stream"';
const RLE = TransferSyntaxUid.RLELossless;
const RLE_TYPE = 'multipart/related; type="image/dicom-rle"';
const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11';
const BIG_INSTANCES = 16;

type Part = { headers: Record<string, string>; body: Buffer };

/** Deterministic bytes that differ from one seed to another. */
function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

/** All native frames of a synthetic image, little endian. */
function nativeFrames(options: SyntheticImageOptions, count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, f) => nativeFrameLittleEndian(options, f)));
}

const us = (tag: number, value: number) => numberElement(tag, 'US', [value]);

/** An Icon Image Sequence (PS3.3 F.7) of one 8-bit monochrome item of this size and pixel data. */
function iconSequence(rows: number, columns: number, pixelData: DataElement): DataElement {
  return sequenceElement(0x00880200, [
    [
      us(Tag.SamplesPerPixel, 1),
      textElement(Tag.PhotometricInterpretation, 'CS', 'MONOCHROME2'),
      us(Tag.Rows, rows),
      us(Tag.Columns, columns),
      us(Tag.BitsAllocated, 8),
      us(Tag.BitsStored, 8),
      us(Tag.HighBit, 7),
      us(Tag.PixelRepresentation, 0),
      pixelData,
    ],
  ]);
}

/** A 16 × 16 RLE image of a study, in a series of its own, with this icon sequence. */
function rleImageWithIcon(studyInstanceUid: string, icon: DataElement): SyntheticImageOptions {
  return {
    studyInstanceUid,
    patientId: 'BULK-1',
    referringPhysicianName: 'Doe^Jane',
    rows: 16,
    columns: 16,
    seriesInstanceUid: generateUid(),
    sopInstanceUid: generateUid(),
    transferSyntaxUid: RLE,
    extra: [icon],
  };
}

/** An object without any bulk data (a structured report's identifiers only). */
function reportWithoutBulkData(studyInstanceUid: string): Uint8Array {
  const sop = generateUid();
  const ui = (tag: number, uid: string) => textElement(tag, 'UI', uid);
  const elements: DataElement[] = [
    ui(Tag.SOPClassUID, BASIC_TEXT_SR),
    ui(Tag.SOPInstanceUID, sop),
    textElement(Tag.Modality, 'CS', 'SR'),
    textElement(Tag.PatientID, 'LO', 'BULK-1'),
    textElement(Tag.ReferringPhysicianName, 'PN', 'Doe^Jane'),
    ui(Tag.StudyInstanceUID, studyInstanceUid),
    ui(Tag.SeriesInstanceUID, generateUid()),
  ];
  return concatBytes([
    part10Preamble(),
    encodeTestFileMeta(BASIC_TEXT_SR, sop, TransferSyntaxUid.ExplicitVRLittleEndian),
    encodeTestDataSet(elements, EXPLICIT_LITTLE),
  ]);
}

for (const dialect of DIALECTS) {
  describe(`Study, Series and Instance Bulkdata resources (PS3.18 §10.4.1.1.5) on ${dialect}`, () => {
    let lb: TestLightbox;
    let outsider: string;
    const study = generateUid();
    const seriesA = generateUid();
    const seriesB = generateUid();
    const emptyStudy = generateUid();
    const bigStudy = generateUid();
    const bigSeries = generateUid();
    const common: SyntheticImageOptions = {
      studyInstanceUid: study,
      patientId: 'BULK-1',
      referringPhysicianName: 'Doe^Jane',
      rows: 16,
      columns: 16,
    };
    // Series A: a multi-frame native image, and one with a private OB, an icon and overlay data beside
    // its pixel data (all over the 1 KiB inline limit), plus a small private OB that metadata inlines.
    const a1: SyntheticImageOptions = {
      ...common,
      seriesInstanceUid: seriesA,
      seriesNumber: 1,
      instanceNumber: 1,
      sopInstanceUid: generateUid(),
      frames: 3,
    };
    const privateBytes = pattern(3000, 1);
    const iconBytes = pattern(2048, 2);
    const overlayBytes = pattern(4096, 3);
    const a2: SyntheticImageOptions = {
      ...common,
      seriesInstanceUid: seriesA,
      seriesNumber: 1,
      instanceNumber: 2,
      sopInstanceUid: generateUid(),
      rows: 8,
      columns: 8,
      extra: [
        textElement(0x00090010, 'LO', 'LIGHTBOX TEST'),
        bytesElement(0x00091001, 'OB', privateBytes),
        bytesElement(0x00091002, 'OB', pattern(16, 4)),
        sequenceElement(0x00880200, [[bytesElement(Tag.PixelData, 'OW', iconBytes)]]),
        bytesElement(0x60003000, 'OW', overlayBytes),
      ],
    };
    // Series B: a multi-frame native image in Implicit VR, and an RLE one.
    const b1: SyntheticImageOptions = {
      ...common,
      seriesInstanceUid: seriesB,
      seriesNumber: 2,
      instanceNumber: 1,
      sopInstanceUid: generateUid(),
      transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian,
      frames: 2,
    };
    const b2: SyntheticImageOptions = {
      ...common,
      seriesInstanceUid: seriesB,
      seriesNumber: 2,
      instanceNumber: 2,
      sopInstanceUid: generateUid(),
      transferSyntaxUid: RLE,
      frames: 2,
    };
    // An RLE image whose icon (PS3.3 F.7) is RLE too, encapsulated as PS3.5 §A.4 wants it.
    const iconStudy = generateUid();
    const iconPixels = pattern(8 * 8, 5);
    const iconFragment = rleEncodeFrame(iconPixels, 8, 8, 1, 8);
    const withIcon = rleImageWithIcon(iconStudy, iconSequence(8, 8, encapsulatedPixelData([iconFragment])));
    // An RLE image whose icon is native (defined length), as some writers leave it whatever the syntax.
    const nativeIconBytes = pattern(64 * 64, 9);
    const withNativeIcon = rleImageWithIcon(
      iconStudy,
      iconSequence(64, 64, bytesElement(Tag.PixelData, 'OB', nativeIconBytes)),
    );
    // RLE images whose icons cannot be decoded here: fragments far longer than an icon needs, a
    // description larger than an icon, or none at all (its fragments valid each time).
    const badIconStudy = generateUid();
    const hugeIconFragments = [pattern(600_000, 6), pattern(600_000, 7)];
    const hugeIcon = rleImageWithIcon(
      badIconStudy,
      iconSequence(8, 8, encapsulatedPixelData(hugeIconFragments)),
    );
    const largeIcon = rleImageWithIcon(
      badIconStudy,
      iconSequence(300, 300, encapsulatedPixelData([rleEncodeFrame(pattern(300 * 300, 8), 300, 300, 1, 8)])),
    );
    const bareIcon = rleImageWithIcon(
      badIconStudy,
      sequenceElement(0x00880200, [[encapsulatedPixelData([iconFragment])]]),
    );
    // An icon well described whose codestream is not RLE: found out only by decoding it.
    const corruptIcon = rleImageWithIcon(
      badIconStudy,
      iconSequence(8, 8, encapsulatedPixelData([pattern(100, 10)])),
    );
    const instanceA2 = `/studies/${study}/series/${seriesA}/instances/${a2.sopInstanceUid}`;
    const instanceB2 = `/studies/${study}/series/${seriesB}/instances/${b2.sopInstanceUid}`;

    const local = (url: string) =>
      url.startsWith(PUBLIC_DICOMWEB)
        ? `${lb.dicomweb}${url.slice(PUBLIC_DICOMWEB.length)}`
        : url.startsWith('http')
          ? url
          : `${lb.dicomweb}${url}`;
    const get = (url: string, accept?: string, authorization = lb.authorization) =>
      fetch(local(url), { headers: { authorization, ...(accept === undefined ? {} : { accept }) } });
    const partsOf = async (response: Response): Promise<Part[]> => {
      expect(response.status, await response.clone().text()).toBe(200);
      const type = response.headers.get('content-type')!;
      expect(type).toMatch(/^multipart\/related; type="[^"]+"; boundary=/);
      return splitMultipart(Buffer.from(await response.arrayBuffer()), type);
    };
    /** The BulkDataURIs of a resource's metadata, in the order its JSON text gives them. */
    const metadataUris = async (resource: string): Promise<string[]> => {
      const response = await get(`${resource}/metadata`);
      expect(response.status).toBe(200);
      return [...(await response.text()).matchAll(/"BulkDataURI":"([^"]+)"/g)].map((m) => m[1]!);
    };
    /** Each part equals, in Content-Location, Content-Type and bytes, what GET on its URI answers. */
    const expectParts = async (parts: Part[], uris: string[], accept?: string) => {
      expect(parts.map((p) => p.headers['content-location'])).toEqual(uris);
      for (const [i, uri] of uris.entries()) {
        const [single, ...more] = await partsOf(await get(uri, accept));
        expect(more).toEqual([]);
        expect(single!.headers['content-location']).toBe(uri);
        expect(parts[i]!.headers['content-type'], uri).toBe(single!.headers['content-type']);
        expect(Buffer.compare(parts[i]!.body, single!.body), uri).toBe(0);
      }
    };
    const bodyAt = (parts: Part[], suffix: string) =>
      parts.find((p) => p.headers['content-location']!.endsWith(suffix))!.body;

    beforeAll(async () => {
      lb = await startTestLightbox(dialect, { LIGHTBOX_PUBLIC_URL: PUBLIC_URL });
      const big = Array.from({ length: BIG_INSTANCES }, (_, n) =>
        syntheticImage({
          studyInstanceUid: bigStudy,
          seriesInstanceUid: bigSeries,
          sopInstanceUid: generateUid(),
          instanceNumber: n + 1,
          patientId: 'BULK-2',
          rows: 1024,
          columns: 1024,
          pixelValue: (_f, r, c) => (r ^ c ^ n) & 0xfff,
        }),
      );
      const objects = [
        ...[a1, a2, b1, b2, withIcon, withNativeIcon],
        ...[hugeIcon, largeIcon, bareIcon, corruptIcon],
      ].map((o) => syntheticImage(o));
      for (const batch of [[...objects, reportWithoutBulkData(emptyStudy)], big]) {
        const { body, contentType } = multipartBody(batch.map((bytes) => ({ bytes })));
        const stored = await fetch(`${lb.dicomweb}/studies`, {
          method: 'POST',
          body,
          headers: { authorization: lb.authorization, 'content-type': contentType },
        });
        expect(stored.status).toBe(200);
      }
      // A referring physician without any provider identifier: no study is theirs.
      outsider = await createUser(lb, 'dr-outside', { roles: ['referring-physician'] });
    }, 120_000);
    afterAll(async () => {
      await lb?.stop();
    });

    it('answers a study as every BulkDataURI of its metadata, each part as GET on that URI answers it', async () => {
      const uris = await metadataUris(`/studies/${study}`);
      // a1 and b1 pixel data; a2 private OB, icon, overlay and pixel data; b2 pixel data.
      expect(uris).toHaveLength(7);
      for (const uri of uris)
        expect(uri.startsWith(`${PUBLIC_DICOMWEB}/studies/${study}/series/`)).toBe(true);
      const response = await get(`/studies/${study}/bulkdata`);
      expect(response.headers.get('content-type')).toMatch(
        /^multipart\/related; type="application\/octet-stream";/,
      );
      const parts = await partsOf(response);
      await expectParts(parts, uris);
      // The values themselves, from the objects as built.
      expect(bodyAt(parts, `${a1.sopInstanceUid}/bulkdata/7FE00010`)).toEqual(nativeFrames(a1, 3));
      expect(bodyAt(parts, '/bulkdata/00091001')).toEqual(Buffer.from(privateBytes));
      expect(bodyAt(parts, '/bulkdata/00880200/0/7FE00010')).toEqual(Buffer.from(iconBytes));
      expect(bodyAt(parts, '/bulkdata/60003000')).toEqual(Buffer.from(overlayBytes));
      expect(bodyAt(parts, `${b1.sopInstanceUid}/bulkdata/7FE00010`)).toEqual(nativeFrames(b1, 2));
      // RLE pixel data, with octet-stream asked for: decoded, as /frames would.
      const rle = parts.find((p) =>
        p.headers['content-location']!.startsWith(`${PUBLIC_DICOMWEB}${instanceB2}/`),
      )!;
      expect(rle.headers['content-type']).toBe(
        `application/octet-stream; transfer-syntax=${TransferSyntaxUid.ExplicitVRLittleEndian}`,
      );
      expect(rle.body).toEqual(nativeFrames(b2, 2));
    });

    it('answers a series and an instance with their own bulk data, in metadata order', async () => {
      for (const series of [seriesA, seriesB]) {
        const resource = `/studies/${study}/series/${series}`;
        const uris = await metadataUris(resource);
        expect(uris.length).toBeGreaterThan(0);
        await expectParts(await partsOf(await get(`${resource}/bulkdata`)), uris);
      }
      const uris = await metadataUris(instanceA2);
      expect(uris.map((u) => u.slice(u.indexOf('/bulkdata/') + 10))).toEqual([
        '00091001',
        '00880200/0/7FE00010',
        '60003000',
        '7FE00010',
      ]);
      await expectParts(await partsOf(await get(`${instanceA2}/bulkdata`)), uris);
      await expectParts(await partsOf(await get(`${instanceA2}/bulkdata/`)), uris);
    });

    it('sends compressed pixel data in its own media type when that is accepted', async () => {
      const stored = await readPart10(syntheticImage(b2), { readPixelData: true });
      const fragments = Buffer.concat(
        stored.dataSet.get(Tag.PixelData)!.encapsulated!.fragments.map((f) => f.bytes!),
      );
      const accept = `${RLE_TYPE}, ${OCTET}`;
      const [rle, ...none] = await partsOf(await get(`${instanceB2}/bulkdata`, accept));
      expect(none).toEqual([]);
      expect(rle!.headers['content-type']).toBe(`image/dicom-rle; transfer-syntax=${RLE}`);
      expect(rle!.body).toEqual(fragments);
      // Only the RLE type accepted: enough for an instance whose only bulk data is its pixel data.
      const response = await get(`${instanceB2}/bulkdata`, RLE_TYPE);
      expect(response.headers.get('content-type')).toMatch(/^multipart\/related; type="image\/dicom-rle";/);
      expect((await partsOf(response))[0]!.body).toEqual(fragments);
      // A series mixing native and RLE images: each part in its own type.
      const series = `/studies/${study}/series/${seriesB}`;
      const parts = await partsOf(await get(`${series}/bulkdata`, accept));
      expect(parts.map((p) => p.headers['content-type'])).toEqual([
        'application/octet-stream',
        `image/dicom-rle; transfer-syntax=${RLE}`,
      ]);
      await expectParts(parts, await metadataUris(series), accept);
      // transfer-syntax=* with octet-stream also sends it as stored.
      const asStored = await partsOf(await get(`${instanceB2}/bulkdata`, `${OCTET}; transfer-syntax=*`));
      expect(asStored[0]!.body).toEqual(fragments);
    });

    it('negotiates an encapsulated icon as the pixel data it is: as stored, decoded for octet-stream, or 406', async () => {
      const instance = `/studies/${iconStudy}/series/${withIcon.seriesInstanceUid}/instances/${withIcon.sopInstanceUid}`;
      const icon = `${instance}/bulkdata/00880200/0/7FE00010`;
      const decoded = `application/octet-stream; transfer-syntax=${TransferSyntaxUid.ExplicitVRLittleEndian}`;
      // Only octet-stream accepted (PS3.18 §8.7.3.3: uncompressed, little endian): decoded by its own item.
      const [asOctets] = await partsOf(await get(icon, OCTET));
      expect(asOctets!.headers['content-type']).toBe(decoded);
      expect(asOctets!.body).toEqual(Buffer.from(iconPixels));
      // Its own media type accepted: as stored.
      const [asStored] = await partsOf(await get(icon, RLE_TYPE));
      expect(asStored!.headers['content-type']).toBe(`image/dicom-rle; transfer-syntax=${RLE}`);
      expect(asStored!.body).toEqual(Buffer.from(iconFragment));
      // Neither: 406, before any body.
      const refused = await get(icon, 'multipart/related; type="image/jpeg"');
      expect(refused.status).toBe(406);
      await refused.arrayBuffer();

      // The Instance Bulkdata resource: icon and pixel data alike.
      const uris = await metadataUris(instance);
      expect(uris.map((u) => u.slice(u.indexOf('/bulkdata/') + 10))).toEqual([
        '00880200/0/7FE00010',
        '7FE00010',
      ]);
      const octets = await partsOf(await get(`${instance}/bulkdata`, OCTET));
      expect(octets.map((p) => p.headers['content-type'])).toEqual([decoded, decoded]);
      expect(octets[0]!.body).toEqual(Buffer.from(iconPixels));
      expect(octets[1]!.body).toEqual(nativeFrames(withIcon, 1));
      await expectParts(octets, uris, OCTET);
      // Only the RLE type accepted: enough, as nothing needs octet-stream.
      const rle = await partsOf(await get(`${instance}/bulkdata`, RLE_TYPE));
      expect(rle.map((p) => p.headers['content-type'])).toEqual([
        `image/dicom-rle; transfer-syntax=${RLE}`,
        `image/dicom-rle; transfer-syntax=${RLE}`,
      ]);
      await expectParts(rle, uris, RLE_TYPE);
    });

    it('negotiates an icon by its own encoding, not by the syntax of its object: a native one needs octet-stream', async () => {
      const instance = `/studies/${iconStudy}/series/${withNativeIcon.seriesInstanceUid}/instances/${withNativeIcon.sopInstanceUid}`;
      const uris = await metadataUris(instance);
      expect(uris.map((u) => u.slice(u.indexOf('/bulkdata/') + 10))).toEqual([
        '00880200/0/7FE00010',
        '7FE00010',
      ]);
      // Only the RLE type accepted: the native icon can go out in no accepted type.
      const refused = await get(`${instance}/bulkdata`, RLE_TYPE);
      expect(refused.status).toBe(406);
      await refused.arrayBuffer();
      // Both accepted: the icon as octet-stream, the root part, so the body's type too.
      const accept = `${RLE_TYPE}, ${OCTET}`;
      const response = await get(`${instance}/bulkdata`, accept);
      expect(response.headers.get('content-type')).toMatch(
        /^multipart\/related; type="application\/octet-stream";/,
      );
      const parts = await partsOf(response);
      expect(parts.map((p) => p.headers['content-type'])).toEqual([
        'application/octet-stream',
        `image/dicom-rle; transfer-syntax=${RLE}`,
      ]);
      expect(parts[0]!.body).toEqual(Buffer.from(nativeIconBytes));
      await expectParts(parts, uris, accept);
      // The study holds it too: refused as a whole rather than sent in a type not accepted.
      const study = await get(`/studies/${iconStudy}/bulkdata`, RLE_TYPE);
      expect(study.status).toBe(406);
      await study.arrayBuffer();
    });

    it('decodes an icon only when its item describes a small image and its fragments are short, before reading them', async () => {
      const archive = lb.running.services.archive;
      const readObjectRange = archive.readObjectRange;
      let reads = 0;
      archive.readObjectRange = async (...args: Parameters<Archive['readObjectRange']>) => {
        reads++;
        return readObjectRange.apply(archive, args);
      };
      const iconOf = (o: SyntheticImageOptions) =>
        `/studies/${badIconStudy}/series/${o.seriesInstanceUid}/instances/${o.sopInstanceUid}/bulkdata/00880200/0/7FE00010`;
      try {
        for (const image of [hugeIcon, largeIcon, bareIcon]) {
          // Octet-stream only: nothing else to send it as, refused before any fragment is read.
          const refused = await get(iconOf(image), OCTET);
          expect(refused.status, await refused.clone().text()).toBe(406);
          await refused.arrayBuffer();
        }
        expect(reads).toBe(0);
      } finally {
        archive.readObjectRange = readObjectRange;
      }
      // As stored, whatever its length: streamed fragment by fragment.
      const [asStored] = await partsOf(await get(iconOf(hugeIcon), RLE_TYPE));
      expect(asStored!.headers['content-type']).toBe(`image/dicom-rle; transfer-syntax=${RLE}`);
      expect(asStored!.body).toEqual(Buffer.concat(hugeIconFragments));
    });

    it('leaves out an icon that cannot be decoded, sending the rest of the study whole', async () => {
      const images = [hugeIcon, largeIcon, bareIcon, corruptIcon];
      const pixelsOf = (o: SyntheticImageOptions) => `${o.sopInstanceUid}/bulkdata/7FE00010`;
      const iconOf = (o: SyntheticImageOptions) => `${o.sopInstanceUid}/bulkdata/00880200/0/7FE00010`;
      // What follows `/instances/` in each part's Content-Location, sorted.
      const sentOf = (parts: Part[]) =>
        parts.map((p) => p.headers['content-location']!.replace(/^.*\/instances\//, '')).sort();
      // Octet-stream only: the pixel data of every image, decoded; no icon, three of them refused before
      // the body (told in a Warning) and the fourth once its codestream fails to decode.
      const octets = await get(`/studies/${badIconStudy}/bulkdata`, OCTET);
      expect(octets.headers.get('warning')).toMatch(/^299 lightbox "3 icons? .*left out/);
      const parts = await partsOf(octets);
      expect(sentOf(parts)).toEqual(images.map(pixelsOf).sort());
      for (const image of images) expect(bodyAt(parts, pixelsOf(image))).toEqual(nativeFrames(image, 1));

      // Any type (*/*): an icon that cannot be decoded goes out as stored; the corrupt one is left out.
      const any = await partsOf(await get(`/studies/${badIconStudy}/bulkdata`, '*/*'));
      expect(sentOf(any)).toEqual(
        [...images.map(pixelsOf), ...[hugeIcon, largeIcon, bareIcon].map(iconOf)].sort(),
      );
      expect(bodyAt(any, iconOf(bareIcon))).toEqual(Buffer.from(iconFragment));
      expect(
        any.find((p) => p.headers['content-location']!.endsWith(iconOf(largeIcon)))!.headers['content-type'],
      ).toBe(`image/dicom-rle; transfer-syntax=${RLE}`);
      // So does its single BulkDataURI, which answers the corrupt one with 500 before any body.
      const instance = (o: SyntheticImageOptions) =>
        `/studies/${badIconStudy}/series/${o.seriesInstanceUid}/instances/${o.sopInstanceUid}`;
      const [bare] = await partsOf(await get(`${instance(bareIcon)}/bulkdata/00880200/0/7FE00010`));
      expect(bare!.headers['content-type']).toBe(`image/dicom-rle; transfer-syntax=${RLE}`);
      const corrupt = await get(`${instance(corruptIcon)}/bulkdata/00880200/0/7FE00010`);
      expect(corrupt.status).toBe(500);
      await corrupt.arrayBuffer();
    });

    it('fails the answer when storage cannot read an icon, rather than leaving the icon out', async () => {
      const archive = lb.running.services.archive;
      const readObjectRange = archive.readObjectRange;
      let reads = 0;
      // The icon's fragment is the first range read: its sequence comes before the Pixel Data.
      archive.readObjectRange = (...args: Parameters<Archive['readObjectRange']>) =>
        ++reads === 1
          ? Promise.reject(
              new AppError(ErrorCode.ProcessingFailure, 'the stored object is shorter than its index'),
            )
          : readObjectRange.apply(archive, args);
      try {
        const resource = `/studies/${iconStudy}/series/${withIcon.seriesInstanceUid}/instances/${withIcon.sopInstanceUid}`;
        // The icon is the first part: nothing has gone out yet, so the failure is the answer's status.
        const response = await get(`${resource}/bulkdata`, OCTET);
        expect(response.status).toBe(500);
        await response.arrayBuffer();
        expect(reads).toBe(1);
      } finally {
        archive.readObjectRange = readObjectRange;
      }
    });

    it('answers a single BulkDataURI of an uncompressed value only when octet-stream is accepted (PS3.18 §8.7.3)', async () => {
      const native = [`${instanceA2}/bulkdata/7FE00010`, `${instanceA2}/bulkdata/60003000`];
      for (const uri of native) {
        for (const accept of [
          RLE_TYPE,
          'multipart/related; type="image/jpeg"',
          `${OCTET}; transfer-syntax=${TransferSyntaxUid.ExplicitVRBigEndian}`,
          'application/octet-stream',
        ]) {
          const refused = await get(uri, accept);
          expect(refused.status, `${uri} ${accept}`).toBe(406);
          expect(refused.headers.get('content-type')).toContain('application/problem+json');
          await refused.arrayBuffer();
        }
        for (const accept of [
          undefined,
          '*/*',
          OCTET,
          `${OCTET}; transfer-syntax=*`,
          `${RLE_TYPE}, ${OCTET}`,
        ]) {
          const [part] = await partsOf(await get(uri, accept));
          expect(part!.headers['content-type'], `${uri} ${accept}`).toBe('application/octet-stream');
        }
      }
    });

    it('answers a study, series or instance asked for octet-stream with its bulk data (PS3.18 Table 10.4.4-1)', async () => {
      const comparable = (parts: Part[]) =>
        parts.map((p) => ({
          location: p.headers['content-location'],
          type: p.headers['content-type'],
          body: p.body.toString('base64'),
        }));
      for (const resource of [`/studies/${study}`, `/studies/${study}/series/${seriesA}`, instanceA2]) {
        const retrieved = await partsOf(await get(resource, OCTET));
        const bulk = await partsOf(await get(`${resource}/bulkdata`, OCTET));
        expect(bulk.length).toBeGreaterThan(0);
        expect(comparable(retrieved)).toEqual(comparable(bulk));
        // Instances as before for anything application/dicom answers.
        for (const accept of [
          undefined,
          '*/*',
          `${OCTET}, multipart/related; type="application/dicom"; q=0.5`,
        ]) {
          const parts = await partsOf(await get(resource, accept));
          for (const part of parts) expect(part.headers['content-type']).toMatch(/^application\/dicom;/);
        }
      }
      // A study without bulk data, as its bulkdata resource: 204.
      expect((await get(`/studies/${emptyStudy}`, OCTET)).status).toBe(204);
    });

    it('answers 406 when no part can go out in an accepted type', async () => {
      for (const [resource, accept] of [
        [`/studies/${study}/bulkdata`, 'application/dicom+json'],
        [`/studies/${study}/bulkdata`, 'application/octet-stream'],
        // Native pixel data and other values need octet-stream.
        [`/studies/${study}/bulkdata`, RLE_TYPE],
        [`/studies/${study}/series/${seriesB}/bulkdata`, 'multipart/related; type="image/jpeg"'],
        [`${instanceB2}/bulkdata`, 'multipart/related; type="image/jpeg"'],
        [`${instanceA2}/bulkdata`, `${OCTET}; transfer-syntax=${TransferSyntaxUid.ExplicitVRBigEndian}`],
        // Neither instances nor bulk data.
        [`/studies/${study}`, 'multipart/related; type="image/jpeg"'],
      ] as const) {
        const response = await get(resource, accept);
        expect(response.status, `${resource} ${accept}`).toBe(406);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        await response.arrayBuffer();
      }
    });

    it('keeps to the access scope of metadata: 404 for a study, series or instance out of reach', async () => {
      for (const resource of [`/studies/${study}`, `/studies/${study}/series/${seriesA}`, instanceA2]) {
        expect((await get(`${resource}/metadata`, undefined, outsider)).status).toBe(404);
        const bulk = await get(`${resource}/bulkdata`, undefined, outsider);
        expect(bulk.status).toBe(404);
        expect(await bulk.text()).not.toContain('BulkData');
        expect((await get(resource, OCTET, outsider)).status).toBe(404);
      }
      expect((await get(`/studies/${generateUid()}/bulkdata`)).status).toBe(404);
    });

    it('answers 204 for a study that has no bulk data at all', async () => {
      const metadata = await get(`/studies/${emptyStudy}/metadata`);
      expect(metadata.status).toBe(200);
      expect(await metadata.text()).not.toContain('BulkDataURI');
      const response = await get(`/studies/${emptyStudy}/bulkdata`);
      expect(response.status).toBe(204);
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    });

    /** How many audit events of a kind name a study. */
    const events = async (studyUid: string, eventId: string) =>
      (
        (await (
          await get(`${lb.baseUrl}/api/audit-events?studyUid=${studyUid}&eventId=${eventId}&limit=1000`)
        ).json()) as unknown[]
      ).length;
    const TRANSFERRED = '110104';
    const ACCESSED = '110103';

    it('audits the transfer as a retrieve of the study does', async () => {
      const before = await events(study, TRANSFERRED);
      await partsOf(await get(`/studies/${study}/bulkdata`));
      expect((await events(study, TRANSFERRED)) - before).toBe(1);
    });

    it('audits no transfer for a refused (406) or empty (204) answer', async () => {
      const counts = async (studyUid: string) =>
        Promise.all([events(studyUid, TRANSFERRED), events(studyUid, ACCESSED)]);
      // Refused once the parts are known (native pixel data needs octet-stream): nothing read is told.
      const before = await counts(study);
      for (const resource of [`/studies/${study}/bulkdata`, `${instanceA2}/bulkdata`]) {
        const refused = await get(resource, RLE_TYPE);
        expect(refused.status).toBe(406);
        await refused.arrayBuffer();
      }
      expect(await counts(study)).toEqual(before);
      // No bulk data: no instance goes out, but the answer tells of their metadata.
      const [transferred, accessed] = await counts(emptyStudy);
      expect((await get(`/studies/${emptyStudy}/bulkdata`)).status).toBe(204);
      expect(await counts(emptyStudy)).toEqual([transferred, accessed + 1]);
    });

    it('opens one object at a time and releases what is open when the client goes away', async () => {
      const archive = lb.running.services.archive;
      const openObject = archive.openObject;
      let open = 0;
      let most = 0;
      let opened = 0;
      archive.openObject = async (...args: Parameters<Archive['openObject']>) => {
        const stream = await openObject.apply(archive, args);
        opened++;
        most = Math.max(most, ++open);
        stream.once('close', () => open--);
        return stream;
      };
      try {
        // node:http rather than fetch: destroying the request closes the connection there and then.
        const openWhenGone = await new Promise<number>((resolve, reject) => {
          const url = `${lb.dicomweb}/studies/${bigStudy}/bulkdata`;
          const request = httpRequest(url, { headers: { authorization: lb.authorization } }, (response) => {
            if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`));
            response.once('data', () => {
              const now = open;
              request.destroy();
              resolve(now);
            });
          });
          request.on('error', () => {}); // the destroy
          request.end();
        });
        // An object was being read when the client went away…
        expect(openWhenGone).toBeGreaterThan(0);
        // …and is released.
        for (let wait = 0; wait < 100 && open > 0; wait++) await new Promise((r) => setTimeout(r, 50));
        expect(open).toBe(0);
        // Each instance is parsed (one stream), then its pixel data read (another): 2 MiB each, far more
        // than the socket buffers hold, so the client went away long before the last instance.
        expect(opened).toBeLessThan(2 * BIG_INSTANCES);
        expect(most).toBeLessThanOrEqual(2);
      } finally {
        archive.openObject = openObject;
      }
      // The server is fine afterwards.
      expect((await partsOf(await get(`${instanceA2}/bulkdata`))).length).toBe(4);
    });
  });
}

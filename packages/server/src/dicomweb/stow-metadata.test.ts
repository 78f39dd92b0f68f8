import { getNumber, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../shared/app-error.js';
import type { BulkPart } from './stow-bulk-parts.js';
import { assembleInstance, type AssembledInstance } from './stow-metadata.js';

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

const SC = '1.2.840.10008.5.1.4.1.1.7';
const text = (vr: string, ...values: unknown[]) => ({ vr, Value: values });

function instance(extra: Json = {}): Json {
  return {
    '00080016': text('UI', SC),
    '00080018': text('UI', '1.2.826.0.1.3680043.2.1.1'),
    '0020000D': text('UI', '1.2.826.0.1.3680043.2.1.2'),
    '0020000E': text('UI', '1.2.826.0.1.3680043.2.1.3'),
    ...extra,
  };
}

/** A bulk data source over fixed parts by URI. */
function parts(byUri: Record<string, BulkPart[]>, metadataTransferSyntax?: string) {
  return { find: (uri: string) => byUri[uri] ?? [], metadataTransferSyntax };
}

async function stored(assembled: AssembledInstance) {
  if (!assembled.ok) throw new Error(`refused: ${assembled.error.detail}`);
  return readPart10(Buffer.concat([...assembled.part10()]), { readPixelData: true });
}

function refused(assembled: AssembledInstance) {
  if (assembled.ok) throw new Error('assembled');
  return assembled;
}

const jpegFrame = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 255 } } })
    .jpeg()
    .toBuffer();

describe('assembleInstance', () => {
  it('encapsulates one JPEG part per frame and counts the frames', async () => {
    const frames = [await jpegFrame(16, 8), await jpegFrame(16, 8), await jpegFrame(16, 8)];
    const json = instance({ '7FE00010': { vr: 'OB', BulkDataURI: 'frames' } });
    const object = await stored(
      assembleInstance(json, parts({ frames: frames.map((bytes) => ({ mediaType: 'image/jpeg', bytes })) })),
    );
    expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGBaseline8Bit);
    expect(getString(object.dataSet, Tag.NumberOfFrames)).toBe('3');
    const fragments = object.dataSet.get(Tag.PixelData)!.encapsulated!.fragments;
    expect(fragments.map((f) => Buffer.from(f.bytes!.subarray(0, frames[0]!.length)))).toEqual(frames);
  });

  it('refuses a Number of Frames that does not count the parts, and Rows that contradict the JPEG', async () => {
    const frame = { mediaType: 'image/jpeg', bytes: await jpegFrame(16, 8) };
    const pixelData = { '7FE00010': { vr: 'OB', BulkDataURI: 'f' } };
    const frames = refused(
      assembleInstance(instance({ ...pixelData, '00280008': text('IS', 2) }), parts({ f: [frame] })),
    );
    expect(frames.error.code).toBe(ErrorCode.DataSetMismatch);
    expect(frames.sopInstanceUid).toBe('1.2.826.0.1.3680043.2.1.1');
    const rows = refused(
      assembleInstance(instance({ ...pixelData, '00280010': text('US', 9) }), parts({ f: [frame] })),
    );
    expect(rows.error.detail).toBe('Rows is 9 in the metadata but 8 in the image/jpeg bulk data');
  });

  it('keeps what the metadata says and fills in only what it leaves out', async () => {
    const json = instance({
      '00280004': text('CS', 'RGB'), // an RGB JPEG without marker saying so: the client knows
      '00280103': text('US', 0),
      '7FE00010': { vr: 'OB', BulkDataURI: 'f' },
    });
    const object = await stored(
      assembleInstance(json, parts({ f: [{ mediaType: 'image/jpeg', bytes: await jpegFrame(4, 4) }] })),
    );
    expect(getString(object.dataSet, Tag.PhotometricInterpretation)).toBe('RGB');
    expect(getNumber(object.dataSet, Tag.Rows)).toBe(4);
  });

  it('takes RLE and video only with the attributes (and syntax) their headers do not give', async () => {
    const rle = { mediaType: 'image/x-dicom-rle', bytes: new Uint8Array(64) };
    const pixelData = { '7FE00010': { vr: 'OB', BulkDataURI: 'f' } };
    const missing = refused(assembleInstance(instance(pixelData), parts({ f: [rle] })));
    expect(missing.error.code).toBe(ErrorCode.DataSetMismatch);
    expect(missing.error.detail).toContain(
      'Rows, Columns, SamplesPerPixel, BitsAllocated, PhotometricInterpretation',
    );
    const described = instance({
      ...pixelData,
      '00280002': text('US', 1),
      '00280004': text('CS', 'MONOCHROME2'),
      '00280010': text('US', 8),
      '00280011': text('US', 8),
      '00280100': text('US', 8),
    });
    expect((await stored(assembleInstance(described, parts({ f: [rle] })))).transferSyntaxUid).toBe(
      TransferSyntaxUid.RLELossless,
    );
    const video = { mediaType: 'video/mp4', bytes: new Uint8Array(64) };
    const noSyntax = refused(
      assembleInstance({ ...described, '00280008': text('IS', 10) }, parts({ f: [video] })),
    );
    expect(noSyntax.error.code).toBe(ErrorCode.TransferSyntaxNotSupported);
    const named = { ...video, transferSyntax: TransferSyntaxUid.MPEG4HP41 };
    const mp4 = await stored(
      assembleInstance({ ...described, '00280008': text('IS', 10) }, parts({ f: [named] })),
    );
    expect(mp4.transferSyntaxUid).toBe(TransferSyntaxUid.MPEG4HP41);
    expect(mp4.dataSet.get(Tag.PixelData)!.encapsulated!.fragments).toHaveLength(1);
  });

  it('takes octet-stream bulk data named by a compressed transfer-syntax as that compressed data', async () => {
    const json = instance({ '7FE00010': { vr: 'OB', BulkDataURI: 'f' } });
    const bytes = await jpegFrame(8, 8);
    const object = await stored(
      assembleInstance(
        json,
        parts({
          f: [
            {
              mediaType: 'application/octet-stream',
              transferSyntax: TransferSyntaxUid.JPEGExtended12Bit,
              bytes,
            },
          ],
        }),
      ),
    );
    expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGExtended12Bit);
  });

  it('generates the File Meta Information, keeping the Source AE Title the metadata gives', async () => {
    const json = instance({
      '00020010': text('UI', TransferSyntaxUid.ImplicitVRLittleEndian),
      '00020016': text('AE', 'MODALITY1'),
      '00020012': text('UI', '1.2.3.4'),
    });
    const object = await stored(assembleInstance(json, parts({})));
    expect(object.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
    expect(getString(object.meta, 0x00020016)).toBe('MODALITY1');
    expect(getString(object.meta, 0x00020002)).toBe(SC);
    expect(getString(object.meta, 0x00020012)).toBe('2.25.2176363127897490567681470191119441834');
    expect(object.dataSet.has(0x00020010)).toBe(false);
  });

  it('refuses bulk data it cannot place: no part, several parts for one value, pixel data as a document', () => {
    const doc = (uri: string) => instance({ '00420011': { vr: 'OB', BulkDataURI: uri } });
    const pdf = { mediaType: 'application/pdf', bytes: new Uint8Array([1, 2]) };
    expect(refused(assembleInstance(doc('none'), parts({}))).error.code).toBe(ErrorCode.CannotUnderstand);
    const twice = refused(assembleInstance(doc('d'), parts({ d: [pdf, pdf] })));
    expect(twice.error.detail).toContain('2 bulk data parts share the location');
    const pixels = refused(
      assembleInstance(instance({ '7FE00010': { vr: 'OB', BulkDataURI: 'd' } }), parts({ d: [pdf] })),
    );
    expect(pixels.error.detail).toContain('Pixel Data sent as application/pdf');
    expect(refused(assembleInstance([1, 2], parts({}))).error.code).toBe(ErrorCode.CannotUnderstand);
    expect(refused(assembleInstance({ '0008': text('UI', '1') }, parts({}))).error.detail).toContain(
      '8 hex digits',
    );
  });
});

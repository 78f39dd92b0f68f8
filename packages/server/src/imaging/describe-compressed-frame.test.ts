/**
 * Deriving the Image Pixel Description and transfer syntax of a compressed frame from its markers (the
 * STOW-RS metadata and bulk data form lets clients omit them). Checked against objects written by other
 * implementations (pydicom's test files, from the Debian package python3-pydicom), whose attributes
 * describe their own frames, and against JPEGs made by sharp (libjpeg-turbo).
 */
import { readFileSync } from 'node:fs';
import { getNumber, getString, readPart10, Tag, TransferSyntaxUid } from '@lightbox/dicom';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { readEncodedFrames } from './codecs/read-encoded-frames.js';
import { readJ2kHeader } from './codecs/read-j2k-header.js';
import { describeCompressedFrame, type DescribableFamily } from './describe-compressed-frame.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

async function firstFrame(file: string) {
  const { dataSet, transferSyntaxUid } = await readPart10(readFileSync(`${PYDICOM}/${file}`), {
    readPixelData: true,
  });
  const frame = readEncodedFrames(dataSet)![0]!;
  const attributes = {
    rows: getNumber(dataSet, Tag.Rows),
    columns: getNumber(dataSet, Tag.Columns),
    samplesPerPixel: getNumber(dataSet, Tag.SamplesPerPixel),
    bitsAllocated: getNumber(dataSet, Tag.BitsAllocated),
    bitsStored: getNumber(dataSet, Tag.BitsStored),
    highBit: getNumber(dataSet, Tag.HighBit),
    pixelRepresentation: getNumber(dataSet, Tag.PixelRepresentation),
    photometricInterpretation: getString(dataSet, Tag.PhotometricInterpretation),
  };
  return { frame, transferSyntaxUid, attributes };
}

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('describeCompressedFrame', () => {
  // Files whose attributes are what the frame says (others disagree on purpose, or label subsampled
  // YCbCr as YBR_FULL or RGB as older DCMTK and GDCM did; PS3.5 §8.2.1 calls it YBR_FULL_422).
  const agreeing: Array<[string, DescribableFamily]> = [
    ['JPEG-lossy.dcm', 'jpeg'], // extended 12-bit (.51)
    ['JPGExtended.dcm', 'jpeg'],
    ['SC_rgb_jpeg_dcmtk.dcm', 'jpeg'], // baseline colour
    ['SC_rgb_jpeg_gdcm.dcm', 'jpeg'],
    ['SC_rgb_jpeg_app14_dcmd.dcm', 'jpeg'], // Adobe marker: RGB, no transform
    ['SC_rgb_dcmtk_+eb+cy+s2.dcm', 'jpeg'],
    ['SC_rgb_small_odd_jpeg.dcm', 'jpeg'],
    ['JPEG2000.dcm', 'j2k'],
  ];
  for (const [file, family] of agreeing) {
    it(`describes the frame of ${file} as its data set does`, async () => {
      const { frame, transferSyntaxUid, attributes } = await firstFrame(file);
      const described = describeCompressedFrame(family, frame);
      expect(described.transferSyntaxUid).toBe(transferSyntaxUid);
      expect(described.description).toEqual(attributes);
    });
  }

  it('reads JPEG-LS and JPEG 2000 lossless frames, leaving to the metadata what their headers cannot tell', async () => {
    const jls = await firstFrame('MR_small_jpeg_ls_lossless.dcm');
    const ls = describeCompressedFrame('jpeg', jls.frame); // image/jpeg holding JPEG-LS: the markers decide
    expect(ls.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGLSLossless);
    // JPEG-LS has no sign: the file's signed samples must be declared by the client.
    expect(ls.description).toEqual({ ...jls.attributes, pixelRepresentation: 0 });
    expect(ls.lossyMethod).toBeUndefined();

    const j2k = await firstFrame('MR_small_jp2klossless.dcm');
    // JPEG 2000 does not say it is lossless: the syntax admitting both is chosen unless one is named.
    expect(describeCompressedFrame('j2k', j2k.frame).transferSyntaxUid).toBe(TransferSyntaxUid.JPEG2000);
    const named = describeCompressedFrame('j2k', j2k.frame, TransferSyntaxUid.JPEG2000Lossless);
    expect(named.transferSyntaxUid).toBe(TransferSyntaxUid.JPEG2000Lossless);
    expect(named.description).toEqual(j2k.attributes);
    expect(describeCompressedFrame('htj2k', j2k.frame).transferSyntaxUid).toBe(TransferSyntaxUid.HTJ2K);
  });

  it('tells YBR_RCT from YBR_ICT by the wavelet of a JPEG 2000 colour frame', async () => {
    const gdcm = await firstFrame('GDCMJ2K_TextGBR.dcm');
    expect(describeCompressedFrame('j2k', gdcm.frame).description.photometricInterpretation).toBe(
      gdcm.attributes.photometricInterpretation,
    );
  });

  it('flags a JPEG 2000 codestream with the irreversible 9-7 wavelet as lossy, not one with the 5-3', async () => {
    // JPEG2000.dcm's COD selects the 9-7 filter; MR_small_jp2klossless.dcm's the 5-3.
    const lossy = await firstFrame('JPEG2000.dcm');
    const irreversible = describeCompressedFrame('j2k', lossy.frame);
    expect(irreversible.lossyMethod).toBe('ISO_15444_1');
    // Under image/jphc a Part 1 codestream goes to the HTJ2K syntax, but its coding is still Part 1.
    const asHt = describeCompressedFrame('htj2k', lossy.frame);
    expect([asHt.transferSyntaxUid, asHt.lossyMethod]).toEqual([TransferSyntaxUid.HTJ2K, 'ISO_15444_1']);
    // The syntaxes for lossless compression only do not fit it.
    for (const lossless of [TransferSyntaxUid.JPEG2000Lossless, TransferSyntaxUid.HTJ2KLossless]) {
      const refused = refusal(() => describeCompressedFrame('j2k', lossy.frame, lossless));
      expect(refused.code).toBe(ErrorCode.CannotUnderstand);
      expect(refused.detail).toContain('does not fit');
    }
    // A High-Throughput codestream (Rsiz bit 14) with the same wavelet: the HTJ2K method.
    const ht = Uint8Array.from(lossy.frame);
    ht[6]! |= 0x40;
    const htj2k = describeCompressedFrame('htj2k', ht);
    expect([htj2k.transferSyntaxUid, htj2k.lossyMethod]).toEqual([TransferSyntaxUid.HTJ2K, 'ISO_15444_15']);

    const reversible = await firstFrame('MR_small_jp2klossless.dcm');
    expect(describeCompressedFrame('j2k', reversible.frame).lossyMethod).toBeUndefined();
    expect(describeCompressedFrame('htj2k', reversible.frame).lossyMethod).toBeUndefined();
    // A COC marker giving its one component the 9-7 filter overrides the COD's 5-3 (ISO/IEC 15444-1 A.6.2):
    // FF53, Lcoc 9, Ccoc 0, Scoc 0, SPcoc: 5 levels, code-blocks 2^6, style 0, transformation 0.
    const siz = 4 + ((reversible.frame[4]! << 8) | reversible.frame[5]!);
    const coc = Uint8Array.of(0xff, 0x53, 0x00, 0x09, 0x00, 0x00, 0x05, 0x04, 0x04, 0x00, 0x00);
    const overridden = Buffer.concat([
      reversible.frame.subarray(0, siz),
      coc,
      reversible.frame.subarray(siz),
    ]);
    expect(describeCompressedFrame('j2k', overridden).lossyMethod).toBe('ISO_15444_1');
  });

  it('stops reading a JPEG 2000 main header at a marker segment cut short, without reading past the bytes', () => {
    // SOC, then a SIZ of 300 components (8-bit, unsigned, no subsampling): Ccoc takes two bytes.
    const components = 300;
    const siz = Buffer.alloc(4 + 38 + 3 * components);
    siz.writeUInt16BE(0xff4f, 0);
    siz.writeUInt16BE(0xff51, 2);
    siz.writeUInt16BE(38 + 3 * components, 4);
    siz.writeUInt32BE(16, 10); // Xsiz
    siz.writeUInt32BE(16, 14); // Ysiz
    siz.writeUInt32BE(16, 26); // XTsiz
    siz.writeUInt32BE(16, 30); // YTsiz
    siz.writeUInt16BE(components, 40);
    for (let c = 0; c < components; c++) siz.set([0x07, 0x01, 0x01], 42 + 3 * c);
    // A COC marker whose segment claims 10 bytes at the very end of the codestream: nothing of it is read.
    const cut = Buffer.concat([siz, Uint8Array.of(0xff, 0x53, 0x00, 0x0a)]);
    const header = readJ2kHeader(cut);
    expect([header.components, header.irreversible, header.transformation]).toEqual([
      components,
      false,
      undefined,
    ]);
  });

  it('flags lossless JPEG with a point transform as lossy, keeping its process 14 syntax', async () => {
    const { frame } = await firstFrame('SC_rgb_jpeg_gdcm.dcm'); // SOF3, first-order prediction, Pt 0
    const lossless = describeCompressedFrame('jpeg', frame);
    expect(lossless.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGLosslessSV1);
    expect(lossless.lossyMethod).toBeUndefined();
    // Pt is the low nibble of the scan header's last byte (Ah/Al): 2 drops two bits of every sample.
    const shifted = Uint8Array.from(frame);
    const sos = shifted.findIndex((b, i) => b === 0xff && shifted[i + 1] === 0xda);
    const scanEnd = sos + 2 + ((shifted[sos + 2]! << 8) | shifted[sos + 3]!);
    shifted[scanEnd - 1] = 0x02;
    const lossy = describeCompressedFrame('jpeg', shifted);
    expect(lossy.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGLosslessSV1);
    expect(lossy.lossyMethod).toBe('ISO_10918_1');
    expect(lossy.description).toEqual(lossless.description); // still RGB, not YCbCr
  });

  it('reads JPEGs made by libjpeg-turbo: subsampling, greyscale and the lossy method', async () => {
    const colour = { width: 40, height: 30, channels: 3 as const, background: { r: 10, g: 200, b: 30 } };
    const subsampled = await sharp({ create: colour }).jpeg().toBuffer();
    const full = await sharp({ create: colour }).jpeg({ chromaSubsampling: '4:4:4' }).toBuffer();
    const grey = await sharp(Buffer.alloc(40 * 30, 128), { raw: { width: 40, height: 30, channels: 1 } })
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    const a = describeCompressedFrame('jpeg', subsampled);
    expect(a.transferSyntaxUid).toBe(TransferSyntaxUid.JPEGBaseline8Bit);
    expect(a.lossyMethod).toBe('ISO_10918_1');
    expect(a.description).toEqual({
      rows: 30,
      columns: 40,
      samplesPerPixel: 3,
      bitsAllocated: 8,
      bitsStored: 8,
      highBit: 7,
      pixelRepresentation: 0,
      photometricInterpretation: 'YBR_FULL_422',
    });
    expect(describeCompressedFrame('jpeg', full).description.photometricInterpretation).toBe('YBR_FULL');
    const g = describeCompressedFrame('jpeg', grey).description;
    expect([g.samplesPerPixel, g.photometricInterpretation]).toEqual([1, 'MONOCHROME2']);
    // Baseline is also valid under the extended syntax when the client names it.
    expect(describeCompressedFrame('jpeg', grey, TransferSyntaxUid.JPEGExtended12Bit).transferSyntaxUid).toBe(
      TransferSyntaxUid.JPEGExtended12Bit,
    );
  });

  it('refuses what it cannot store or read, saying why', async () => {
    const progressive = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
      .jpeg({ progressive: true })
      .toBuffer();
    const p = refusal(() => describeCompressedFrame('jpeg', progressive));
    expect(p.code).toBe(ErrorCode.TransferSyntaxNotSupported);
    expect(p.detail).toContain('SOF2');
    const baseline = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
      .jpeg()
      .toBuffer();
    const wrong = refusal(() => describeCompressedFrame('jpeg', baseline, TransferSyntaxUid.JPEGLosslessSV1));
    expect(wrong.code).toBe(ErrorCode.CannotUnderstand);
    expect(wrong.detail).toContain('does not fit');
    const garbage = refusal(() => describeCompressedFrame('jpeg', new Uint8Array([1, 2, 3, 4])));
    expect(garbage.code).toBe(ErrorCode.CannotUnderstand);
    const notJ2k = refusal(() => describeCompressedFrame('j2k', baseline));
    expect(notJ2k.code).toBe(ErrorCode.CannotUnderstand);
  });
});

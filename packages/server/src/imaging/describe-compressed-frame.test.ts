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

// Hand-built JPEG 2000 codestreams (ISO/IEC 15444-1 Annex A): SOC, SIZ, a main header, tile-parts, EOC.
const u16 = (v: number) => [v >> 8, v & 0xff];
const u32 = (v: number) => [...u16(v >>> 16), ...u16(v & 0xffff)];
/** COD (A.6.1): LRCP, one layer, the multiple component transform or not; 5 levels, 64 × 64 code-blocks. */
const cod = (transformation: number, mct = 0, style = 0) => [
  0xff,
  0x52,
  ...u16(12),
  0,
  0,
  ...u16(1),
  mct,
  5,
  4,
  4,
  style,
  transformation,
];
/** COC (A.6.2) for one component of fewer than 257. */
const coc = (component: number, transformation: number) => [
  0xff,
  0x53,
  ...u16(9),
  component,
  0,
  5,
  4,
  4,
  0,
  transformation,
];
/** QCD (A.6.4), scalar expounded (Sqcd style 2, two guard bits): ε and μ for the 16 subbands of 5 levels. */
const qcdExpounded = () => [0xff, 0x5c, ...u16(3 + 32), 0x42, ...Array<number>(32).fill(0x48)];
/** CAP (15444-15 A.3): Pcap bit 15 for Part 15, Ccap15 0. */
const cap = () => [0xff, 0x50, ...u16(8), ...u32(0x00020000), ...u16(0)];

interface TilePart {
  tile: number;
  header?: number[][];
  /** Psot as written, instead of the tile-part's length. */
  psot?: number;
}

function j2k(options: {
  components?: number;
  tileSize?: number;
  rsiz?: number;
  main: number[][];
  tileParts: TilePart[];
}): Uint8Array {
  const { components = 1, tileSize = 32, rsiz = 0 } = options;
  const siz = [
    ...[0xff, 0x51, ...u16(38 + 3 * components), ...u16(rsiz)],
    ...[...u32(32), ...u32(32), ...u32(0), ...u32(0)], // Xsiz, Ysiz, XOsiz, YOsiz
    ...[...u32(tileSize), ...u32(tileSize), ...u32(0), ...u32(0)], // XTsiz, YTsiz, XTOsiz, YTOsiz
    ...u16(components),
    ...Array.from({ length: components }, () => [0x07, 0x01, 0x01]).flat(),
  ];
  const parts = options.tileParts.map((part) => {
    // Packet data holding what looks like SOT and COD markers: a reader must jump by Psot, not search.
    const body = [...(part.header ?? []).flat(), 0xff, 0x93, 0x12, 0xff, 0x90, 0, 10, ...cod(0), 0x34];
    const ofTile = options.tileParts.filter((p) => p.tile === part.tile);
    const sot = [0xff, 0x90, ...u16(10), ...u16(part.tile), ...u32(part.psot ?? 12 + body.length)];
    return [...sot, ofTile.indexOf(part), ofTile.length, ...body];
  });
  return Uint8Array.from([0xff, 0x4f, ...siz, ...options.main.flat(), ...parts.flat(), 0xff, 0xd9]);
}

function indexOfBytes(bytes: Uint8Array, sequence: number[]): number {
  return bytes.findIndex((_, i) => sequence.every((b, j) => bytes[i + j] === b));
}

// Hand-built lossless JPEG and JPEG-LS (ITU T.81 Annex B, T.87 Annex C): SOI, the frame header, a table
// behind 0xFF fill bytes before each scan, the scans with their entropy-coded data, EOI.
/** SOS of a lossless JPEG scan: Ns, Cs and Td/Ta each, Ss the predictor, Se 0, Ah/Al the point transform. */
const losslessSos = (components: number[], predictor: number, pointTransform: number) => [
  ...[0xff, 0xda, ...u16(6 + 2 * components.length), components.length],
  ...components.flatMap((c) => [c, 0x00]),
  ...[predictor, 0, pointTransform],
];
/** SOS of a JPEG-LS scan: Ns, Ci and Tmi each, NEAR, ILV 0 (one component per scan), Al/Ah. */
const jpegLsSos = (component: number, near: number) => [0xff, 0xda, ...u16(8), 1, component, 0, near, 0, 0];
/**
 * Entropy-coded data holding a stuffed 0xFF (FF00) and restart markers (RSTm), followed by what would read
 * as a DHT segment swallowing the next scan header, were FF00 taken for a marker.
 */
const entropyCoded = [0x12, 0xff, 0x00, 0xc4, 0x00, 0x40, 0xff, 0xd0, 0x34, 0xff, 0x00, 0xff, 0xd7, 0x56];
/** JPEG-LS data: a 0xFF is followed by a byte below 0x80 (a stuffed 0 bit, T.87 A.1), FF7F included. */
const jpegLsCoded = [0x12, 0xff, 0x7f, 0x00, 0x40, 0xff, 0x00, 0xff, 0xd0, 0x34, 0xff, 0x10, 0x56];

function jpegFrame(scans: number[][], options: { frameMarker?: number; coded?: number[] } = {}): Uint8Array {
  const { frameMarker = 0xc3, coded = entropyCoded } = options;
  const sof = [0xff, frameMarker, ...u16(8 + 3 * 3), 8, ...u16(4), ...u16(4), 3];
  for (let c = 1; c <= 3; c++) sof.push(c, 0x11, 0);
  const dht = [0xff, 0xc4, ...u16(3 + 16 + 1), 0x00, 1, ...Array<number>(15).fill(0), 0];
  const body = scans.flatMap((sos) => [0xff, 0xff, ...dht, ...sos, ...coded]);
  return Uint8Array.from([0xff, 0xd8, ...sof, ...body, 0xff, 0xd9]);
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

  describe('JPEG 2000 tile-part headers (ISO/IEC 15444-1 A.4.2, A.6)', () => {
    it('flags a codestream lossy when a tile-part COD overrides the main 5-3 with the 9-7', () => {
      const frame = j2k({ main: [cod(1)], tileParts: [{ tile: 0, header: [cod(0)] }] });
      const described = describeCompressedFrame('j2k', frame);
      expect([described.transferSyntaxUid, described.lossyMethod]).toEqual([
        TransferSyntaxUid.JPEG2000,
        'ISO_15444_1',
      ]);
      const refused = refusal(() =>
        describeCompressedFrame('j2k', frame, TransferSyntaxUid.JPEG2000Lossless),
      );
      expect(refused.detail).toContain('does not fit');
      // The main header's wavelet is still what the header reports for the colour transform.
      expect(readJ2kHeader(frame).transformation).toBe(1);
    });

    it('flags a codestream lossy when a tile-part COC gives component 1 the 9-7', () => {
      const frame = j2k({ components: 3, main: [cod(1, 1)], tileParts: [{ tile: 0, header: [coc(1, 0)] }] });
      const described = describeCompressedFrame('j2k', frame);
      expect([described.lossyMethod, described.description.photometricInterpretation]).toEqual([
        'ISO_15444_1',
        'YBR_RCT',
      ]);
      // A tile-part COC for a component the codestream lacks changes nothing.
      const absent = j2k({ components: 3, main: [cod(1)], tileParts: [{ tile: 0, header: [coc(3, 0)] }] });
      expect(describeCompressedFrame('j2k', absent).lossyMethod).toBeUndefined();
    });

    it('keeps several tiles of several tile-parts, all 5-3, lossless, whatever their quantization', () => {
      // Four 16 × 16 tiles of two tile-parts each. Scalar expounded quantization does not make the
      // reversible 5-3 lossy: the wavelet decides (Annex E).
      const tileParts = [0, 1, 2, 3].flatMap((tile) => [
        { tile, header: [cod(1), qcdExpounded()] },
        { tile, header: [] },
      ]);
      const frame = j2k({ tileSize: 16, main: [cod(1)], tileParts });
      const described = describeCompressedFrame('j2k', frame, TransferSyntaxUid.JPEG2000Lossless);
      expect(described.lossyMethod).toBeUndefined();
      // A main 9-7 that every tile overrides with the 5-3 (a tile-part COD over a main COD and COC) is unused …
      expect(readJ2kHeader(j2k({ tileSize: 16, main: [cod(0), coc(0, 0)], tileParts })).irreversible).toBe(
        false,
      );
      // … but a tile without a header of its own keeps it, as do those past a tile-part that cannot be read.
      const partly = j2k({ tileSize: 16, main: [cod(0)], tileParts: tileParts.slice(0, 6) });
      expect(readJ2kHeader(partly).irreversible).toBe(true);
      const cut = j2k({
        tileSize: 16,
        main: [cod(0)],
        tileParts: [...tileParts.slice(0, 5), { tile: 2, psot: 9 }],
      });
      expect(readJ2kHeader(cut).irreversible).toBe(true);
    });

    it('reads the last tile-part up to EOC when its Psot is 0', () => {
      const frame = j2k({ main: [cod(1)], tileParts: [{ tile: 0, header: [cod(0)], psot: 0 }] });
      expect(readJ2kHeader(frame).irreversible).toBe(true);
    });

    it('reads a truncated tile-part or one whose Psot runs past the end only within the bytes, without throwing', () => {
      const frame = j2k({
        tileSize: 16,
        main: [cod(1)],
        tileParts: [{ tile: 0 }, { tile: 1, header: [cod(0)] }],
      });
      expect(readJ2kHeader(frame).irreversible).toBe(true);
      // The second tile-part's COD cut short is not read; whole, it is, though Psot now runs past the end.
      const codAt = indexOfBytes(frame, [0xff, 0x90, 0, 10, ...u16(1)]) + 12; // after tile 1's SOT
      expect(readJ2kHeader(frame.subarray(0, codAt + 13)).irreversible).toBe(false);
      expect(readJ2kHeader(frame.subarray(0, codAt + 14)).irreversible).toBe(true);
      // Every prefix past SIZ, and every byte past it set to 0x00 or 0xFF: read, not thrown (no RangeError).
      const sizEnd = 4 + 38 + 3;
      for (let length = sizEnd; length <= frame.length; length++) {
        expect(() => readJ2kHeader(frame.subarray(0, length))).not.toThrow();
      }
      for (let at = sizEnd; at < frame.length; at++) {
        for (const value of [0x00, 0xff]) {
          const corrupted = Uint8Array.from(frame);
          corrupted[at] = value;
          expect(() => readJ2kHeader(corrupted)).not.toThrow();
        }
      }
      // A Psot past the end: the tile-parts after it cannot be found.
      const tileParts = [
        { tile: 0, psot: 0xfffffff0 },
        { tile: 0, header: [cod(0)] },
      ];
      const beyond = j2k({ main: [cod(1)], tileParts });
      expect(describeCompressedFrame('j2k', beyond).lossyMethod).toBeUndefined();
    });

    it('names ISO_15444_15 for an HTJ2K codestream whose tile-part takes the 9-7', () => {
      // Rsiz bit 14 with a CAP marker (15444-15 A.2, A.3); HT code-blocks (code-block style bit 6).
      const frame = j2k({
        rsiz: 0x4000,
        main: [cap(), cod(1, 0, 0x40)],
        tileParts: [{ tile: 0, header: [cod(0, 0, 0x40)] }],
      });
      const described = describeCompressedFrame('htj2k', frame);
      expect([described.transferSyntaxUid, described.lossyMethod]).toEqual([
        TransferSyntaxUid.HTJ2K,
        'ISO_15444_15',
      ]);
      const refused = refusal(() => describeCompressedFrame('htj2k', frame, TransferSyntaxUid.HTJ2KLossless));
      expect(refused.code).toBe(ErrorCode.CannotUnderstand);
    });
  });

  describe('JPEG frames of several scans (ITU T.81 B.2.3, H.1.2.1; T.87 C.2.3)', () => {
    it('flags lossless JPEG lossy when its second scan has a point transform, past stuffed bytes and RSTs', () => {
      const frame = jpegFrame([losslessSos([1, 2], 1, 0), losslessSos([3], 1, 1)]);
      const described = describeCompressedFrame('jpeg', frame);
      expect([described.transferSyntaxUid, described.lossyMethod]).toEqual([
        TransferSyntaxUid.JPEGLosslessSV1,
        'ISO_10918_1',
      ]);
      expect(described.description.photometricInterpretation).toBe('RGB');
    });

    it('keeps lossless JPEG lossless when no scan has a point transform; SV1 only when every scan predicts by 1', () => {
      const lossless = describeCompressedFrame(
        'jpeg',
        jpegFrame([losslessSos([1, 2], 1, 0), losslessSos([3], 1, 0)]),
      );
      expect([lossless.transferSyntaxUid, lossless.lossyMethod]).toEqual([
        TransferSyntaxUid.JPEGLosslessSV1,
        undefined,
      ]);
      const predicted = describeCompressedFrame(
        'jpeg',
        jpegFrame([losslessSos([1], 1, 0), losslessSos([2, 3], 6, 0)]),
      );
      expect([predicted.transferSyntaxUid, predicted.lossyMethod]).toEqual([
        TransferSyntaxUid.JPEGLossless,
        undefined,
      ]);
    });

    it('reads truncated lossless JPEG only within its bytes: refused before the first scan, described after', () => {
      const frame = jpegFrame([losslessSos([1, 2], 1, 0), losslessSos([3], 1, 1)]);
      const firstScan = indexOfBytes(frame, [0xff, 0xda]); // Ls 10: two components
      for (let length = 2; length < frame.length; length++) {
        const prefix = frame.subarray(0, length);
        if (length < firstScan + 2 + 10) {
          expect(refusal(() => describeCompressedFrame('jpeg', prefix)).code).toBe(
            ErrorCode.CannotUnderstand,
          );
        } else {
          expect(() => describeCompressedFrame('jpeg', prefix)).not.toThrow();
        }
      }
    });

    it('flags JPEG-LS near-lossless when a later scan has NEAR above 0', () => {
      const scans = (near: number) => [jpegLsSos(1, 0), jpegLsSos(2, 0), jpegLsSos(3, near)];
      const options = { frameMarker: 0xf7, coded: jpegLsCoded };
      const near = describeCompressedFrame('jpeg-ls', jpegFrame(scans(2), options));
      expect([near.transferSyntaxUid, near.lossyMethod]).toEqual([
        TransferSyntaxUid.JPEGLSNearLossless,
        'ISO_14495_1',
      ]);
      const lossless = describeCompressedFrame('jpeg-ls', jpegFrame(scans(0), options));
      expect([lossless.transferSyntaxUid, lossless.lossyMethod]).toEqual([
        TransferSyntaxUid.JPEGLSLossless,
        undefined,
      ]);
    });
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

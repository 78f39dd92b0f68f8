import { TransferSyntaxUid } from '@lightbox/dicom';
import type { PixelDescription } from '../archive/frame-index.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { isCodecError } from './codecs/codec-error.js';
import { readJ2kHeader, type J2kHeader } from './codecs/read-j2k-header.js';
import { readJpegHeader, type JpegHeader } from './codecs/read-jpeg-header.js';

/**
 * The Image Pixel Description attributes (PS3.3 C.7.6.3) that a compressed bitstream determines: those of
 * the frame index's description, and High Bit.
 */
export type BitstreamPixelDescription = Pick<
  PixelDescription,
  | 'rows'
  | 'columns'
  | 'samplesPerPixel'
  | 'bitsAllocated'
  | 'bitsStored'
  | 'pixelRepresentation'
  | 'photometricInterpretation'
> & { highBit: number };

/** What one compressed frame says about itself, and how to store it. */
export interface CompressedFrameDescription {
  /** The transfer syntax the frame belongs to: the one asked for, or the one its markers imply. */
  transferSyntaxUid: string;
  description: BitstreamPixelDescription;
  /** The bytes to encapsulate: the frame itself, or the codestream of a JP2 file (PS3.5 §8.2.4). */
  codestream: Uint8Array;
  /** Lossy Image Compression Method (0028,2114) when the markers prove the frame lossy. */
  lossyMethod?: string;
}

/** Bitstream families whose headers are read here (HTJ2K: JPEG 2000 preferring the HTJ2K syntaxes). */
export type DescribableFamily = 'jpeg' | 'jpeg-ls' | 'j2k' | 'htj2k';

const SOS = 0xda;
const EOI = 0xd9;
const SOF55 = 0xf7;

function cannotUnderstand(detail: string): AppError {
  return new AppError(ErrorCode.CannotUnderstand, detail);
}

function notSupported(detail: string): AppError {
  return new AppError(ErrorCode.TransferSyntaxNotSupported, detail);
}

/** Bits Allocated for a precision: whole bytes, 8 or 16 (PS3.5 §8.2: no compressed syntax here goes beyond 16). */
function bitsAllocatedFor(precision: number, label: string): number {
  if (precision < 1 || precision > 16)
    throw notSupported(`${label}: ${precision}-bit samples are not supported`);
  return precision <= 8 ? 8 : 16;
}

function describe(
  rows: number,
  columns: number,
  components: number,
  precision: number,
  signed: boolean,
  photometricInterpretation: string,
  label: string,
): BitstreamPixelDescription {
  if (rows <= 0 || columns <= 0)
    throw cannotUnderstand(`${label}: the frame header gives no image size (${columns} × ${rows})`);
  if (rows > 0xffff || columns > 0xffff)
    throw cannotUnderstand(`${label}: a ${columns} × ${rows} image does not fit Rows and Columns (US)`);
  if (components !== 1 && components !== 3)
    throw notSupported(`${label}: ${components} components; DICOM images have 1 or 3 samples per pixel`);
  return {
    rows,
    columns,
    samplesPerPixel: components,
    bitsAllocated: bitsAllocatedFor(precision, label),
    bitsStored: precision,
    highBit: precision - 1,
    pixelRepresentation: signed ? 1 : 0,
    photometricInterpretation,
  };
}

/**
 * Where the entropy-coded data that starts at `from` ends: at the next marker. ITU T.81 B.1.1.5: a 0xFF
 * data byte is followed by a stuffed 0x00, and RSTm markers (FFD0–FFD7) sit within the data; 0xFF fill
 * bytes may precede a marker (B.1.1.2). JPEG-LS (ITU T.87 A.1) stuffs a 0 bit instead: there a byte below
 * 0x80 after 0xFF is data.
 */
function entropyCodedEnd(bytes: Uint8Array, from: number, jpegLs: boolean): number {
  let i = bytes.indexOf(0xff, from);
  while (i !== -1 && i + 1 < bytes.length) {
    const next = bytes[i + 1]!;
    if (next === 0xff) i += 1;
    else if ((jpegLs ? next < 0x80 : next === 0) || (next >= 0xd0 && next <= 0xd7)) i += 2;
    else return i;
    i = bytes.indexOf(0xff, i);
  }
  return bytes.length;
}

// Process 14 and JPEG-LS code each component in one scan (T.81 G.1.1, T.87 C.2.3): 255 at most.
const MAX_SCANS = 256;

/**
 * The Start of Scan segments of a JPEG or JPEG-LS codestream, in order (their bytes after the length
 * field): the lossless predictor, point transform and JPEG-LS NEAR parameter are there, not in the frame
 * header, and may differ from scan to scan. Marker segments (DHT, DNL, LSE, …) between the scans are
 * stepped over; the walk ends at EOI, or quietly at bytes cut short once a scan has been read.
 */
function scanHeaders(bytes: Uint8Array, label: string, jpegLs: boolean): Uint8Array[] {
  const scans: Uint8Array[] = [];
  let i = 2;
  while (scans.length < MAX_SCANS) {
    while (bytes[i] === 0xff && bytes[i + 1] === 0xff) i++;
    if (i + 4 > bytes.length || bytes[i] !== 0xff || bytes[i + 1] === EOI) break;
    const marker = bytes[i + 1]!;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const end = i + 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
    if (end > bytes.length || end < i + 4) {
      if (scans.length > 0) break;
      throw cannotUnderstand(`${label}: a marker segment runs past the end`);
    }
    if (marker === SOS) {
      scans.push(bytes.subarray(i + 4, end));
      i = entropyCodedEnd(bytes, end, jpegLs);
    } else {
      i = end;
    }
  }
  if (scans.length === 0) throw cannotUnderstand(`${label}: no scan header`);
  return scans;
}

/**
 * Whether the three components of a DCT JPEG are YCbCr: the Adobe APP14 transform flag, then JFIF
 * (always YCbCr), then component identifiers 'R','G','B'; otherwise YCbCr, as libjpeg assumes. The
 * codec reading the frame back (`holdsYcbcr` in codecs/decode-pixels.ts) decides the same way, so the
 * Photometric Interpretation written here is the one the renderer will honour.
 */
function holdsYcbcr(header: JpegHeader): boolean {
  if (header.adobeTransform !== undefined) return header.adobeTransform !== 0;
  if (header.jfif) return true;
  const [r, g, b] = header.componentIds;
  return !(r === 0x52 && g === 0x47 && b === 0x42);
}

// PS3.5 §8.2.1: YBR_FULL_422 when the chroma is subsampled (4:2:2 or 4:2:0), YBR_FULL when it is not.
function ycbcrInterpretation(header: JpegHeader): string {
  const [luma, ...chroma] = header.samplingFactors;
  return chroma.every((f) => f === luma) ? 'YBR_FULL' : 'YBR_FULL_422';
}

/** What a scan header of a lossless JPEG says (ITU T.81 H.1.2.1): Ns, Ns × (Cs, Td/Ta), Ss, Se, Ah/Al. */
interface LosslessScan {
  /** Ss: the predictor, 1 for first-order prediction. */
  predictor: number;
  /** Al: the point transform Pt; above 0 the low bits of every sample are dropped, so the frame is lossy. */
  pointTransform: number;
}

function losslessScans(bytes: Uint8Array, label: string): LosslessScan[] {
  return scanHeaders(bytes, label, false).map((scan) => {
    const at = 1 + 2 * (scan[0] ?? 0);
    return { predictor: scan[at] ?? 0, pointTransform: (scan[at + 2] ?? 0) & 0x0f };
  });
}

/** The transfer syntaxes a JPEG process may be stored under, the first being the one to choose. */
function jpegSyntaxes(header: JpegHeader, scans: LosslessScan[] | undefined, label: string): string[] {
  switch (header.frameMarker) {
    case 0xc0: // baseline: also valid under the extended syntax
      if (header.precision !== 8)
        throw cannotUnderstand(`${label}: baseline JPEG with ${header.precision}-bit samples`);
      return [TransferSyntaxUid.JPEGBaseline8Bit, TransferSyntaxUid.JPEGExtended12Bit];
    case 0xc1:
      if (header.precision !== 8 && header.precision !== 12)
        throw cannotUnderstand(`${label}: extended JPEG with ${header.precision}-bit samples`);
      return [TransferSyntaxUid.JPEGExtended12Bit];
    case 0xc3:
      // Predictor 1 in every scan is the first-order prediction syntax. A point transform leaves the
      // process (14) and so the syntax unchanged: only Lossy Image Compression tells it (PS3.5 has no
      // other syntax for it).
      return scans !== undefined && scans.every((scan) => scan.predictor === 1)
        ? [TransferSyntaxUid.JPEGLosslessSV1, TransferSyntaxUid.JPEGLossless]
        : [TransferSyntaxUid.JPEGLossless];
    default:
      throw notSupported(
        `${label}: the JPEG process of marker SOF${header.frameMarker - 0xc0} (progressive, hierarchical or ` +
          'arithmetic coding) has no transfer syntax that Lightbox stores; send baseline, extended or lossless JPEG',
      );
  }
}

function describeJpeg(bytes: Uint8Array, header: JpegHeader, label: string): CompressedFrameDescription[] {
  const dct = header.frameMarker !== 0xc3;
  // The DCT processes are lossy whatever their scans say; a lossless one is not once any scan shifts.
  const scans = dct ? undefined : losslessScans(bytes, label);
  const syntaxes = jpegSyntaxes(header, scans, label);
  const lossy = scans === undefined || scans.some((scan) => scan.pointTransform > 0);
  const components = header.componentIds.length;
  const interpretation =
    components === 1 ? 'MONOCHROME2' : dct && holdsYcbcr(header) ? ycbcrInterpretation(header) : 'RGB';
  const description = describe(
    header.rows,
    header.columns,
    components,
    header.precision,
    false, // JPEG says nothing of signedness; a client storing signed samples says so in the metadata
    interpretation,
    label,
  );
  return syntaxes.map((transferSyntaxUid) => ({
    transferSyntaxUid,
    description,
    codestream: bytes,
    ...(lossy ? { lossyMethod: 'ISO_10918_1' } : {}),
  }));
}

function describeJpegLs(bytes: Uint8Array, header: JpegHeader, label: string): CompressedFrameDescription[] {
  // SOS of JPEG-LS (ITU T.87 C.2.3): Ns, Ns × (Ci, Tmi), then NEAR; 0 in every scan is lossless.
  const near = Math.max(...scanHeaders(bytes, label, true).map((scan) => scan[1 + 2 * (scan[0] ?? 0)] ?? 0));
  const components = header.componentIds.length;
  const description = describe(
    header.rows,
    header.columns,
    components,
    header.precision,
    false,
    components === 1 ? 'MONOCHROME2' : 'RGB',
    label,
  );
  const syntaxes =
    near === 0
      ? [TransferSyntaxUid.JPEGLSLossless, TransferSyntaxUid.JPEGLSNearLossless]
      : [TransferSyntaxUid.JPEGLSNearLossless];
  return syntaxes.map((transferSyntaxUid) => ({
    transferSyntaxUid,
    description,
    codestream: bytes,
    ...(near > 0 ? { lossyMethod: 'ISO_14495_1' } : {}),
  }));
}

// The JPEG 2000 and HTJ2K syntaxes for lossless compression only: an irreversible wavelet rules them out.
const LOSSLESS_ONLY: ReadonlySet<string> = new Set([
  TransferSyntaxUid.JPEG2000Lossless,
  TransferSyntaxUid.HTJ2KLossless,
  TransferSyntaxUid.HTJ2KLosslessRPCL,
]);

function describeJ2k(header: J2kHeader, preferHt: boolean, label: string): CompressedFrameDescription[] {
  // PS3.5 §8.2.4: with the multiple component transform the components are YBR_RCT (reversible) or
  // YBR_ICT (irreversible); without it they are RGB.
  const interpretation =
    header.components === 1
      ? 'MONOCHROME2'
      : header.multipleComponentTransform
        ? header.transformation === 1
          ? 'YBR_RCT'
          : 'YBR_ICT'
        : 'RGB';
  const description = describe(
    header.rows,
    header.columns,
    header.components,
    header.precision,
    header.signed,
    interpretation,
    label,
  );
  // The 9-7 wavelet proves a frame lossy; the 5-3 one does not prove it lossless (a reversible codestream
  // may still be truncated), so the syntaxes that admit both come first. HTJ2K syntaxes also admit Part 1
  // codestreams; Part 1 syntaxes do not admit HT ones. The method names the coding of the codestream
  // itself (PS3.3 C.7.6.1.1.5.1): High-Throughput only for an HT codestream, whatever the syntax.
  const part1 = [TransferSyntaxUid.JPEG2000, TransferSyntaxUid.JPEG2000Lossless];
  const ht = [TransferSyntaxUid.HTJ2K, TransferSyntaxUid.HTJ2KLossless, TransferSyntaxUid.HTJ2KLosslessRPCL];
  const syntaxes = (header.highThroughput ? ht : preferHt ? [...ht, ...part1] : [...part1, ...ht]).filter(
    (uid) => !header.irreversible || !LOSSLESS_ONLY.has(uid),
  );
  const lossyMethod = header.highThroughput ? 'ISO_15444_15' : 'ISO_15444_1';
  return syntaxes.map((transferSyntaxUid) => ({
    transferSyntaxUid,
    description,
    codestream: header.codestream,
    ...(header.irreversible ? { lossyMethod } : {}),
  }));
}

/**
 * Reads the header of one compressed frame sent as a bulk data part (PS3.18 §10.5.1.4: the Image Pixel
 * Description attributes may then be omitted) and says which transfer syntax it is stored under and
 * what its Image Pixel Description is. `family` is what the part's media type says (image/jpeg,
 * image/jls, image/jp2 or image/jphc); the markers decide between JPEG and JPEG-LS, which share a
 * syntax. `requested` is a transfer syntax the client named: it must be one the frame can be stored
 * under. Throws an {@link AppError}: C000 for an unreadable frame, C122 for a kind that has no syntax.
 */
export function describeCompressedFrame(
  family: DescribableFamily,
  bytes: Uint8Array,
  requested?: string,
): CompressedFrameDescription {
  const label =
    family === 'j2k' || family === 'htj2k' ? 'JPEG 2000' : family === 'jpeg-ls' ? 'JPEG-LS' : 'JPEG';
  let candidates: CompressedFrameDescription[];
  try {
    if (family === 'j2k' || family === 'htj2k') {
      candidates = describeJ2k(readJ2kHeader(bytes, label), family === 'htj2k', label);
    } else {
      const header = readJpegHeader(bytes, label);
      candidates =
        header.frameMarker === SOF55
          ? describeJpegLs(bytes, header, 'JPEG-LS')
          : describeJpeg(bytes, header, label);
    }
  } catch (error) {
    // The codecs' header readers throw CodecErrors (rendered as processing failures when reading a
    // stored object); here the client sent the bytes, so an unreadable frame is "cannot understand".
    if (isCodecError(error)) throw cannotUnderstand(error.detail);
    throw error;
  }
  const chosen =
    requested === undefined ? candidates[0] : candidates.find((c) => c.transferSyntaxUid === requested);
  if (chosen === undefined) {
    throw cannotUnderstand(
      `transfer syntax ${requested} does not fit the frame's bitstream (it can be stored as ` +
        `${candidates.map((c) => c.transferSyntaxUid).join(' or ')})`,
    );
  }
  return chosen;
}

import {
  getNumber,
  getString,
  isVr,
  lookupTransferSyntax,
  Tag,
  TransferSyntaxUid,
  UNDEFINED_LENGTH,
  type DataElement,
  type DataSet,
  type Vr,
} from '@lightbox/dicom';
import {
  describeCompressedFrame,
  type CompressedFrameDescription,
  type BitstreamPixelDescription,
} from '../imaging/describe-compressed-frame.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { BulkPart } from './stow-bulk-parts.js';
import { bulkDataKind, isDescribable } from './stow-media-types.js';

/** The Pixel Data element built from its bulk data parts, and the transfer syntax it is written in. */
export interface PixelDataValue {
  element: DataElement;
  transferSyntaxUid: string;
}

// Video streams are one bitstream for all frames (PS3.5 §8.2.5–8.2.8): one part, not one per frame.
const VIDEO_FAMILIES: ReadonlySet<string> = new Set(['mpeg2', 'mp4', 'hevc']);

function cannotUnderstand(detail: string): AppError {
  return new AppError(ErrorCode.CannotUnderstand, detail);
}

function mismatch(detail: string): AppError {
  return new AppError(ErrorCode.DataSetMismatch, detail);
}

/** Encapsulated Pixel Data (PS3.5 §A.4) of these fragments, one per frame, with an empty Basic Offset Table. */
export function encapsulatedPixelData(fragments: readonly Uint8Array[]): DataElement {
  return {
    tag: Tag.PixelData,
    vr: 'OB',
    length: UNDEFINED_LENGTH,
    offset: -1,
    encapsulated: {
      basicOffsetTable: new Uint8Array(0),
      fragments: fragments.map((bytes) => ({ offset: -1, length: bytes.length, bytes })),
    },
  };
}

function usElement(tag: number, value: number): DataElement {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, true);
  return { tag, vr: 'US', length: 2, offset: -1, bytes };
}

function textElement(tag: number, vr: Vr, value: string): DataElement {
  const bytes = new TextEncoder().encode(value); // ASCII values only; the writer pads to even length
  return { tag, vr, length: bytes.length, offset: -1, bytes };
}

/**
 * Fills in the Image Pixel Description attributes the metadata left out (PS3.18 §10.5.1.4 allows that for
 * compressed media types) from what the bitstream says; those it gave must agree on the image size.
 */
function applyDescription(dataSet: DataSet, description: BitstreamPixelDescription, mediaType: string): void {
  const checked: Array<[number, number, string]> = [
    [Tag.Rows, description.rows, 'Rows'],
    [Tag.Columns, description.columns, 'Columns'],
    [Tag.SamplesPerPixel, description.samplesPerPixel, 'SamplesPerPixel'],
  ];
  for (const [tag, value, keyword] of checked) {
    const given = getNumber(dataSet, tag);
    if (given !== undefined && given !== value) {
      throw mismatch(`${keyword} is ${given} in the metadata but ${value} in the ${mediaType} bulk data`);
    }
  }
  const numbers: Array<[number, number]> = [
    ...checked.map(([tag, value]): [number, number] => [tag, value]),
    [Tag.BitsAllocated, description.bitsAllocated],
    [Tag.BitsStored, description.bitsStored],
    [Tag.HighBit, description.highBit],
    [Tag.PixelRepresentation, description.pixelRepresentation],
  ];
  if (description.samplesPerPixel > 1) numbers.push([Tag.PlanarConfiguration, 0]);
  for (const [tag, value] of numbers) if (!dataSet.has(tag)) dataSet.set(usElement(tag, value));
  if (getString(dataSet, Tag.PhotometricInterpretation) === undefined)
    dataSet.set(textElement(Tag.PhotometricInterpretation, 'CS', description.photometricInterpretation));
}

/** Records lossy compression (PS3.3 C.7.6.1.1.5) when the bitstream proves it and the metadata is silent. */
function applyLossy(dataSet: DataSet, method: string | undefined): void {
  if (method === undefined || dataSet.has(Tag.LossyImageCompression)) return;
  dataSet.set(textElement(Tag.LossyImageCompression, 'CS', '01'));
  if (!dataSet.has(Tag.LossyImageCompressionMethod))
    dataSet.set(textElement(Tag.LossyImageCompressionMethod, 'CS', method));
}

/** Frames are the parts, so Number of Frames, when given, must count them; several parts imply it. */
function applyFrameCount(dataSet: DataSet, frames: number): void {
  const given = getNumber(dataSet, Tag.NumberOfFrames);
  if (given !== undefined && given !== frames) {
    throw mismatch(
      `NumberOfFrames is ${given} but ${frames} compressed frame part(s) were sent; send one part per ` +
        'frame, all with the Content-Location of the Pixel Data BulkDataURI',
    );
  }
  if (given === undefined && frames > 1) {
    dataSet.set(textElement(Tag.NumberOfFrames, 'IS', String(frames)));
  }
}

const REQUIRED_PIXEL_DESCRIPTION: ReadonlyArray<[number, string]> = [
  [Tag.Rows, 'Rows'],
  [Tag.Columns, 'Columns'],
  [Tag.SamplesPerPixel, 'SamplesPerPixel'],
  [Tag.BitsAllocated, 'BitsAllocated'],
  [Tag.PhotometricInterpretation, 'PhotometricInterpretation'],
];

function requirePixelDescription(dataSet: DataSet, why: string): void {
  const missing = REQUIRED_PIXEL_DESCRIPTION.filter(([tag]) => !dataSet.has(tag)).map(([, name]) => name);
  if (missing.length > 0) throw mismatch(`${why}: the metadata lacks ${missing.join(', ')}`);
}

/**
 * Uncompressed bulk data is little endian (PS3.18 §8.7.3.3.1; Table 8.7.3-4 gives application/octet-stream
 * no other syntax than Explicit VR Little Endian). A client naming Explicit VR Big Endian for an
 * octet-stream part (on it, or on the metadata part) says the opposite, and the bytes cannot tell which is
 * true: the instance is refused (C122) rather than stored with its values perhaps swapped, or byte-swapped
 * on a guess. This holds for every bulk value (Pixel Data, Float Pixel Data, Overlay Data, LUT Data…), not
 * Pixel Data only. The metadata's own (0002,0010) is not such a claim: it describes the file the metadata
 * was taken from (the archive writes its own File Meta), and a converter that wrote the bytes little
 * endian as the standard says may leave it as it was; the media type's definition stands.
 */
export function requireLittleEndian(named: string | undefined, what: string): void {
  if (named === undefined || lookupTransferSyntax(named)?.littleEndian !== false) return;
  throw new AppError(
    ErrorCode.TransferSyntaxNotSupported,
    `transfer syntax ${named} (Explicit VR Big Endian) is named for ${what} sent as application/octet-stream, ` +
      'which is little endian (PS3.18 §8.7.3.3.1); send the values little endian and name ' +
      `${TransferSyntaxUid.ExplicitVRLittleEndian}, or no transfer syntax`,
  );
}

/**
 * Uncompressed pixel data (application/octet-stream, Little Endian): the parts, concatenated, must be as
 * long as Rows × Columns × samples × BitsAllocated × frames says (PS3.5 §8.1.1), give or take the padding
 * byte, so that a compressed bitstream mislabelled as octet-stream is refused rather than stored as pixels.
 */
function nativePixelData(dataSet: DataSet, parts: readonly BulkPart[], vr: Vr): PixelDataValue {
  requirePixelDescription(dataSet, 'uncompressed Pixel Data');
  const bytes = parts.length === 1 ? parts[0]!.bytes : Buffer.concat(parts.map((p) => p.bytes));
  const rows = getNumber(dataSet, Tag.Rows) ?? 0;
  const columns = getNumber(dataSet, Tag.Columns) ?? 0;
  const samples = getNumber(dataSet, Tag.SamplesPerPixel) ?? 1;
  const bitsAllocated = getNumber(dataSet, Tag.BitsAllocated) ?? 0;
  const frames = Math.max(1, getNumber(dataSet, Tag.NumberOfFrames) ?? 1);
  // YBR_FULL_422 stores two samples per pixel (PS3.3 C.7.6.3.1.2).
  const subsampled = samples === 3 && getString(dataSet, Tag.PhotometricInterpretation) === 'YBR_FULL_422';
  const expected = Math.ceil((rows * columns * (subsampled ? 2 : samples) * bitsAllocated * frames) / 8);
  if (bytes.length !== expected && !(expected % 2 === 1 && bytes.length === expected + 1)) {
    throw cannotUnderstand(
      `the uncompressed Pixel Data is ${bytes.length} bytes; Rows, Columns, SamplesPerPixel, ` +
        `BitsAllocated and NumberOfFrames call for ${expected} (compressed pixel data must be sent as ` +
        'its image media type, e.g. image/jpeg)',
    );
  }
  return {
    element: { tag: Tag.PixelData, vr: vr === 'OB' ? 'OB' : 'OW', length: bytes.length, offset: -1, bytes },
    transferSyntaxUid: TransferSyntaxUid.ExplicitVRLittleEndian,
  };
}

/** The frames' descriptions, all read under the syntax of the first (which the client may have named). */
function describeFrames(
  family: Parameters<typeof describeCompressedFrame>[0],
  parts: readonly BulkPart[],
  requested: string | undefined,
): CompressedFrameDescription[] {
  const first = describeCompressedFrame(family, parts[0]!.bytes, requested);
  const rest = parts
    .slice(1)
    .map((part) => describeCompressedFrame(family, part.bytes, first.transferSyntaxUid));
  for (const [i, frame] of rest.entries()) {
    const a = first.description;
    const b = frame.description;
    if (a.rows !== b.rows || a.columns !== b.columns || a.samplesPerPixel !== b.samplesPerPixel)
      throw cannotUnderstand(
        `frame ${i + 2} is ${b.columns} × ${b.rows}, frame 1 is ${a.columns} × ${a.rows}`,
      );
  }
  return [first, ...rest];
}

/**
 * Builds the Pixel Data (7FE0,0010) of an instance from the bulk data parts its BulkDataURI refers to
 * (PS3.18 §10.5.1.4), filling in what the metadata may omit:
 * - application/octet-stream: uncompressed, written under Explicit VR Little Endian; refused (C122) when
 *   the part or the metadata part names Explicit VR Big Endian (the metadata's (0002,0010) alone does not
 *   count: the part's media type defines its byte order);
 * - a compressed media type (image/jpeg, image/jls, image/jp2, image/jphc): one part per frame,
 *   encapsulated one fragment per frame with an empty Basic Offset Table (PS3.5 §A.4), under the syntax
 *   the client named in a transfer-syntax parameter (of the part, else of the metadata part) or the one
 *   the frame's markers imply; the Image Pixel Description comes from the frame header when omitted;
 * - image/dicom-rle, image/jpx, image/jxl and video: encapsulated likewise, but their headers are not
 *   read here, so the metadata must carry the Image Pixel Description, and video a transfer-syntax.
 * Throws an {@link AppError} (C000, A900 or C122) saying what is wrong.
 */
export function pixelDataFromParts(
  dataSet: DataSet,
  parts: readonly BulkPart[],
  vr: string,
  /** The metadata part's transfer-syntax parameter (dcm4che's stowrs puts it there); a part may name its own. */
  metadataPart: string | undefined,
): PixelDataValue {
  const first = parts[0]!;
  const kind = bulkDataKind(first.mediaType, first.transferSyntax);
  for (const part of parts.slice(1)) {
    if (part.mediaType !== first.mediaType)
      throw cannotUnderstand(`the Pixel Data frames came as both ${first.mediaType} and ${part.mediaType}`);
  }
  if (kind.kind === 'native') {
    requireLittleEndian(first.transferSyntax ?? metadataPart, 'Pixel Data');
    return nativePixelData(dataSet, parts, isVr(vr) ? vr : 'OW');
  }
  if (kind.kind === 'other') {
    throw cannotUnderstand(
      `Pixel Data sent as ${first.mediaType}: send application/octet-stream or a compressed image media type`,
    );
  }
  const asked = first.transferSyntax ?? metadataPart;
  const requested = asked !== undefined && kind.syntaxes.includes(asked) ? asked : undefined;
  if (first.transferSyntax !== undefined && requested === undefined) {
    throw cannotUnderstand(
      `transfer-syntax ${first.transferSyntax} is not one of ${first.mediaType}; it stands for ${kind.syntaxes.join(', ')}`,
    );
  }
  let transferSyntaxUid: string;
  let fragments: Uint8Array[];
  if (isDescribable(kind.family)) {
    const frames = describeFrames(kind.family, parts, requested);
    applyDescription(dataSet, frames[0]!.description, first.mediaType);
    // Any frame proven lossy makes the image lossy: later frames only had to fit the first one's syntax.
    applyLossy(dataSet, frames.find((frame) => frame.lossyMethod !== undefined)?.lossyMethod);
    transferSyntaxUid = frames[0]!.transferSyntaxUid;
    fragments = frames.map((f) => f.codestream);
  } else {
    const chosen = requested ?? kind.defaultSyntax;
    if (chosen === undefined) {
      throw new AppError(
        ErrorCode.TransferSyntaxNotSupported,
        `${first.mediaType} stands for several transfer syntaxes (${kind.syntaxes.join(', ')}); ` +
          'name one with a transfer-syntax parameter on the part',
      );
    }
    requirePixelDescription(dataSet, `the header of ${first.mediaType} bulk data is not read here`);
    transferSyntaxUid = chosen;
    fragments = parts.map((p) => p.bytes);
  }
  if (VIDEO_FAMILIES.has(kind.family)) {
    if (parts.length > 1)
      throw cannotUnderstand(`a ${first.mediaType} stream comes as one part, not ${parts.length}`);
    if (!dataSet.has(Tag.NumberOfFrames))
      throw mismatch(`${first.mediaType} Pixel Data needs NumberOfFrames in the metadata`);
  } else {
    applyFrameCount(dataSet, parts.length);
  }
  return {
    element: encapsulatedPixelData(fragments),
    transferSyntaxUid,
  };
}

import type { DescribableFamily } from '../imaging/describe-compressed-frame.js';
import { canonicalPixelMediaType, PIXEL_MEDIA_TYPES } from './pixel-media-types.js';

/** Compressed pixel data families of PS3.18 Table 10.5.2-1 (and 8.7.3-5): their headers are read, or not. */
export type CompressedFamily = DescribableFamily | 'rle' | 'jpx' | 'jxl' | 'mpeg2' | 'mp4' | 'hevc';

/** What a bulk data part holds, by its media type (PS3.18 §10.5.1.4). */
export type BulkDataKind =
  /** application/octet-stream: uncompressed, Little Endian (pixel data or any other bulk value). */
  | { kind: 'native' }
  /** Compressed pixel data: the transfer syntaxes its media type stands for, and the one to assume. */
  | { kind: 'compressed'; family: CompressedFamily; syntaxes: readonly string[]; defaultSyntax?: string }
  /** Anything else, e.g. an Encapsulated Document (0042,0011) as application/pdf: the bytes as sent. */
  | { kind: 'other' };

interface FamilyEntry {
  family: CompressedFamily;
  syntaxes: readonly string[];
  /** The syntax to assume without a transfer-syntax parameter, when it is always right for the type. */
  defaultSyntax?: string;
}

const FAMILIES: Readonly<Record<string, CompressedFamily>> = {
  'image/jpeg': 'jpeg',
  'image/jls': 'jpeg-ls',
  'image/jp2': 'j2k',
  'image/jphc': 'htj2k',
  'image/jpx': 'jpx',
  'image/jxl': 'jxl',
  'image/dicom-rle': 'rle',
  'video/mpeg': 'mpeg2',
  'video/mp4': 'mp4',
  'video/H265': 'hevc',
};

/** For types whose header is not read: the syntax to assume when it is always right for the type. */
const DEFAULT_SYNTAXES: Readonly<Record<string, string>> = {
  'image/jpx': '1.2.840.10008.1.2.4.93',
  'image/jxl': '1.2.840.10008.1.2.4.112',
  'image/dicom-rle': '1.2.840.10008.1.2.5',
};

// The syntax of JPEG, JPEG-LS and JPEG 2000 frames is read from their markers; for the others it is the
// one syntax that admits every stream of the type, or must be named by a transfer-syntax parameter. A
// JPEG 2000 codestream sent as image/jp2 may be HTJ2K (the markers tell).
const MEDIA_TYPES: Readonly<Record<string, FamilyEntry>> = Object.fromEntries(
  Object.entries(FAMILIES).map(([type, family]) => {
    const syntaxes =
      type === 'image/jp2'
        ? [...PIXEL_MEDIA_TYPES[type]!, ...PIXEL_MEDIA_TYPES['image/jphc']!]
        : PIXEL_MEDIA_TYPES[type]!;
    const defaultSyntax = DEFAULT_SYNTAXES[type];
    return [type, { family, syntaxes, ...(defaultSyntax === undefined ? {} : { defaultSyntax }) }];
  }),
);

const BY_SYNTAX: ReadonlyMap<string, FamilyEntry> = new Map(
  Object.values(MEDIA_TYPES).flatMap((entry) => entry.syntaxes.map((uid) => [uid, entry] as const)),
);

/**
 * What a bulk data part holds, from its media type (`type/subtype`, lower case) and its transfer-syntax
 * parameter if any. `application/octet-stream` with the transfer-syntax of a compressed syntax is taken
 * as that compressed data (some clients label every bulk part octet-stream).
 */
export function bulkDataKind(mediaType: string, transferSyntax: string | undefined): BulkDataKind {
  const entry = MEDIA_TYPES[canonicalPixelMediaType(mediaType)];
  if (entry !== undefined) return { kind: 'compressed', ...entry };
  if (mediaType === 'application/octet-stream') {
    const bySyntax = transferSyntax === undefined ? undefined : BY_SYNTAX.get(transferSyntax);
    return bySyntax === undefined ? { kind: 'native' } : { kind: 'compressed', ...bySyntax };
  }
  return { kind: 'other' };
}

/** True when a compressed family's frame headers are read to derive the Image Pixel Description. */
export function isDescribable(family: CompressedFamily): family is DescribableFamily {
  return family === 'jpeg' || family === 'jpeg-ls' || family === 'j2k' || family === 'htj2k';
}

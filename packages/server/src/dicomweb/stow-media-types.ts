import type { DescribableFamily } from '../imaging/describe-compressed-frame.js';

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

const JPEG = [
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
];
const JPEG_LS = ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'];
const J2K = ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91'];
const HTJ2K = ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'];
const MPEG2 = [
  '1.2.840.10008.1.2.4.100',
  '1.2.840.10008.1.2.4.100.1',
  '1.2.840.10008.1.2.4.101',
  '1.2.840.10008.1.2.4.101.1',
];
const MP4 = ['102', '103', '104', '105', '106'].flatMap((n) => [
  `1.2.840.10008.1.2.4.${n}`,
  `1.2.840.10008.1.2.4.${n}.1`,
]);

// The syntax of JPEG, JPEG-LS and JPEG 2000 frames is read from their markers; for the others it is the
// one syntax that admits every stream of the type, or must be named by a transfer-syntax parameter.
const MEDIA_TYPES: Readonly<Record<string, FamilyEntry>> = {
  'image/jpeg': { family: 'jpeg', syntaxes: JPEG },
  'image/jls': { family: 'jpeg-ls', syntaxes: JPEG_LS },
  'image/jp2': { family: 'j2k', syntaxes: [...J2K, ...HTJ2K] },
  'image/jphc': { family: 'htj2k', syntaxes: HTJ2K },
  'image/jpx': {
    family: 'jpx',
    syntaxes: ['1.2.840.10008.1.2.4.92', '1.2.840.10008.1.2.4.93'],
    defaultSyntax: '1.2.840.10008.1.2.4.93',
  },
  'image/jxl': {
    family: 'jxl',
    syntaxes: ['1.2.840.10008.1.2.4.110', '1.2.840.10008.1.2.4.111', '1.2.840.10008.1.2.4.112'],
    defaultSyntax: '1.2.840.10008.1.2.4.112',
  },
  'image/dicom-rle': {
    family: 'rle',
    syntaxes: ['1.2.840.10008.1.2.5'],
    defaultSyntax: '1.2.840.10008.1.2.5',
  },
  'video/mpeg': { family: 'mpeg2', syntaxes: MPEG2 },
  'video/mp4': { family: 'mp4', syntaxes: MP4 },
  'video/h265': { family: 'hevc', syntaxes: ['1.2.840.10008.1.2.4.107', '1.2.840.10008.1.2.4.108'] },
};

// Names used before PS3.18 registered the current ones: the x- types, and the image/dicom+… types of
// early drafts that dcm4che's stowrs still sends for compressed pixel data.
const ALIASES: Readonly<Record<string, string>> = {
  'image/x-dicom-rle': 'image/dicom-rle',
  'image/x-jls': 'image/jls',
  'image/dicom+rle': 'image/dicom-rle',
  'image/dicom+jpeg': 'image/jpeg',
  'image/dicom+jpeg-ls': 'image/jls',
  'image/dicom+jp2': 'image/jp2',
  'image/dicom+jpx': 'image/jpx',
};

const BY_SYNTAX: ReadonlyMap<string, FamilyEntry> = new Map(
  Object.values(MEDIA_TYPES).flatMap((entry) => entry.syntaxes.map((uid) => [uid, entry] as const)),
);

/**
 * What a bulk data part holds, from its media type (`type/subtype`, lower case) and its transfer-syntax
 * parameter if any. `application/octet-stream` with the transfer-syntax of a compressed syntax is taken
 * as that compressed data (some clients label every bulk part octet-stream).
 */
export function bulkDataKind(mediaType: string, transferSyntax: string | undefined): BulkDataKind {
  const entry = MEDIA_TYPES[ALIASES[mediaType] ?? mediaType];
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

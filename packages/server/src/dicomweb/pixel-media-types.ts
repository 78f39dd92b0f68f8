/**
 * The media types of compressed pixel data (PS3.18 Table 8.7.3-5 and Table 10.5.2-1) and the transfer
 * syntaxes each stands for: one table for retrieving frames and bulk data and for storing bulk data.
 */
const JPEG = [
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
];
const VIDEO = (numbers: readonly string[]) =>
  numbers.flatMap((n) => [`1.2.840.10008.1.2.4.${n}`, `1.2.840.10008.1.2.4.${n}.1`]);

export const PIXEL_MEDIA_TYPES: Readonly<Record<string, readonly string[]>> = {
  'image/jpeg': JPEG,
  'image/jls': ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'],
  'image/jp2': ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91'],
  'image/jpx': ['1.2.840.10008.1.2.4.92', '1.2.840.10008.1.2.4.93'],
  'image/jphc': ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'],
  'image/jxl': ['1.2.840.10008.1.2.4.110', '1.2.840.10008.1.2.4.111', '1.2.840.10008.1.2.4.112'],
  'image/dicom-rle': ['1.2.840.10008.1.2.5'],
  'video/mpeg': VIDEO(['100', '101']),
  'video/mp4': VIDEO(['102', '103', '104', '105', '106']),
  'video/H265': ['1.2.840.10008.1.2.4.107', '1.2.840.10008.1.2.4.108'],
};

// Names used before PS3.18 registered the current ones: the x- types (dicomweb-client 0.11 and others),
// and the image/dicom+… types of early drafts that dcm4che's stowrs still sends.
const ALIASES: Readonly<Record<string, string>> = {
  'image/x-dicom-rle': 'image/dicom-rle',
  'image/x-jls': 'image/jls',
  'image/dicom+rle': 'image/dicom-rle',
  'image/dicom+jpeg': 'image/jpeg',
  'image/dicom+jpeg-ls': 'image/jls',
  'image/dicom+jp2': 'image/jp2',
  'image/dicom+jpx': 'image/jpx',
};

/** The registered name of a pixel data media type given in any case or by an older name. */
export function canonicalPixelMediaType(name: string): string {
  const lower = name.toLowerCase();
  const registered = ALIASES[lower] ?? lower;
  return registered === 'video/h265' ? 'video/H265' : registered;
}

const BY_SYNTAX: ReadonlyMap<string, string> = new Map(
  Object.entries(PIXEL_MEDIA_TYPES).flatMap(([type, syntaxes]) =>
    syntaxes.map((uid) => [uid, type] as const),
  ),
);

/** The media type of pixel data in a transfer syntax; undefined for a native (or unknown) one. */
export function pixelMediaTypeOf(transferSyntax: string): string | undefined {
  return BY_SYNTAX.get(transferSyntax);
}

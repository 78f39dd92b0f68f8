/**
 * Transfer Syntaxes (PS3.5 §10 and Annex A): how a data set is encoded and how its pixel data is compressed.
 */
import { lookupUid } from './dictionary/index.js';

/** The encoding properties of a Transfer Syntax. */
export interface TransferSyntax {
  uid: string;
  name: string;
  /** False only for Implicit VR Little Endian (and the retired Papyrus 3 variant of it). */
  explicitVr: boolean;
  /** False only for the retired Explicit VR Big Endian. */
  littleEndian: boolean;
  /** The data set after the File Meta Information is deflated (PS3.5 §A.5). */
  deflated: boolean;
  /** Pixel Data is encapsulated in fragments (PS3.5 §A.4). */
  encapsulated: boolean;
  /** The compression may be lossy (irreversible); callers then keep Lossy Image Compression (0028,2110). */
  lossy: boolean;
}

/** Transfer Syntax UIDs by their PS3.6 keyword. */
export const TransferSyntaxUid = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  EncapsulatedUncompressedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.98',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  JPEGBaseline8Bit: '1.2.840.10008.1.2.4.50',
  JPEGExtended12Bit: '1.2.840.10008.1.2.4.51',
  JPEGLossless: '1.2.840.10008.1.2.4.57',
  JPEGLosslessSV1: '1.2.840.10008.1.2.4.70',
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  JPEGLSNearLossless: '1.2.840.10008.1.2.4.81',
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
  JPEG2000MCLossless: '1.2.840.10008.1.2.4.92',
  JPEG2000MC: '1.2.840.10008.1.2.4.93',
  JPIPReferenced: '1.2.840.10008.1.2.4.94',
  JPIPReferencedDeflate: '1.2.840.10008.1.2.4.95',
  MPEG2MPML: '1.2.840.10008.1.2.4.100',
  MPEG2MPMLF: '1.2.840.10008.1.2.4.100.1',
  MPEG2MPHL: '1.2.840.10008.1.2.4.101',
  MPEG2MPHLF: '1.2.840.10008.1.2.4.101.1',
  MPEG4HP41: '1.2.840.10008.1.2.4.102',
  MPEG4HP41F: '1.2.840.10008.1.2.4.102.1',
  MPEG4HP41BD: '1.2.840.10008.1.2.4.103',
  MPEG4HP41BDF: '1.2.840.10008.1.2.4.103.1',
  MPEG4HP422D: '1.2.840.10008.1.2.4.104',
  MPEG4HP422DF: '1.2.840.10008.1.2.4.104.1',
  MPEG4HP423D: '1.2.840.10008.1.2.4.105',
  MPEG4HP423DF: '1.2.840.10008.1.2.4.105.1',
  MPEG4HP42STEREO: '1.2.840.10008.1.2.4.106',
  MPEG4HP42STEREOF: '1.2.840.10008.1.2.4.106.1',
  HEVCMP51: '1.2.840.10008.1.2.4.107',
  HEVCM10P51: '1.2.840.10008.1.2.4.108',
  JPEGXLLossless: '1.2.840.10008.1.2.4.110',
  JPEGXLJPEGRecompression: '1.2.840.10008.1.2.4.111',
  JPEGXL: '1.2.840.10008.1.2.4.112',
  HTJ2KLossless: '1.2.840.10008.1.2.4.201',
  HTJ2KLosslessRPCL: '1.2.840.10008.1.2.4.202',
  HTJ2K: '1.2.840.10008.1.2.4.203',
  JPIPHTJ2KReferenced: '1.2.840.10008.1.2.4.204',
  JPIPHTJ2KReferencedDeflate: '1.2.840.10008.1.2.4.205',
  RLELossless: '1.2.840.10008.1.2.5',
  SMPTEST211020UncompressedProgressiveActiveVideo: '1.2.840.10008.1.2.7.1',
  SMPTEST211020UncompressedInterlacedActiveVideo: '1.2.840.10008.1.2.7.2',
  SMPTEST211030PCMDigitalAudio: '1.2.840.10008.1.2.7.3',
  DeflatedImageFrameCompression: '1.2.840.10008.1.2.8.1',
} as const;

const PAPYRUS3_IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.20'; // retired, encoded as Implicit VR LE

// Native (unencapsulated) encodings: the three of PS3.5 §A.1-A.3, deflate (§A.5), and the JPIP referenced
// syntaxes (§A.6, §A.7), whose data sets carry no Pixel Data but a Pixel Data Provider URL (0028,7FE0).
const notEncapsulated: ReadonlySet<string> = new Set([
  TransferSyntaxUid.ImplicitVRLittleEndian,
  TransferSyntaxUid.ExplicitVRLittleEndian,
  TransferSyntaxUid.ExplicitVRBigEndian,
  TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
  TransferSyntaxUid.JPIPReferenced,
  TransferSyntaxUid.JPIPReferencedDeflate,
  TransferSyntaxUid.JPIPHTJ2KReferenced,
  TransferSyntaxUid.JPIPHTJ2KReferencedDeflate,
  PAPYRUS3_IMPLICIT_VR_LITTLE_ENDIAN,
]);

const deflatedSyntaxes: ReadonlySet<string> = new Set([
  TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
  TransferSyntaxUid.JPIPReferencedDeflate,
  TransferSyntaxUid.JPIPHTJ2KReferencedDeflate,
]);

// PS3.5 §8.2: JPEG DCT processes (including the retired ones), near-lossless JPEG-LS, JPEG 2000 and HTJ2K
// that are not "Lossless Only", JPEG XL other than lossless (JPEG recompression keeps a lossy JPEG), video.
const lossySyntaxes: ReadonlySet<string> = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.52',
  '1.2.840.10008.1.2.4.53',
  '1.2.840.10008.1.2.4.54',
  '1.2.840.10008.1.2.4.55',
  '1.2.840.10008.1.2.4.56',
  '1.2.840.10008.1.2.4.59',
  '1.2.840.10008.1.2.4.60',
  '1.2.840.10008.1.2.4.61',
  '1.2.840.10008.1.2.4.62',
  '1.2.840.10008.1.2.4.63',
  '1.2.840.10008.1.2.4.64',
  TransferSyntaxUid.JPEGLSNearLossless,
  TransferSyntaxUid.JPEG2000,
  TransferSyntaxUid.JPEG2000MC,
  TransferSyntaxUid.MPEG2MPML,
  TransferSyntaxUid.MPEG2MPMLF,
  TransferSyntaxUid.MPEG2MPHL,
  TransferSyntaxUid.MPEG2MPHLF,
  TransferSyntaxUid.MPEG4HP41,
  TransferSyntaxUid.MPEG4HP41F,
  TransferSyntaxUid.MPEG4HP41BD,
  TransferSyntaxUid.MPEG4HP41BDF,
  TransferSyntaxUid.MPEG4HP422D,
  TransferSyntaxUid.MPEG4HP422DF,
  TransferSyntaxUid.MPEG4HP423D,
  TransferSyntaxUid.MPEG4HP423DF,
  TransferSyntaxUid.MPEG4HP42STEREO,
  TransferSyntaxUid.MPEG4HP42STEREOF,
  TransferSyntaxUid.HEVCMP51,
  TransferSyntaxUid.HEVCM10P51,
  TransferSyntaxUid.JPEGXLJPEGRecompression,
  TransferSyntaxUid.JPEGXL,
  TransferSyntaxUid.HTJ2K,
]);

const cache = new Map<string, TransferSyntax>();

/** The properties of a Transfer Syntax of the UID dictionary (retired ones too); undefined for any other UID. */
export function lookupTransferSyntax(uid: string): TransferSyntax | undefined {
  const cached = cache.get(uid);
  if (cached) return cached;
  const entry = lookupUid(uid);
  if (!entry || entry.type !== 'Transfer Syntax') return undefined;
  const ts: TransferSyntax = Object.freeze({
    uid,
    name: entry.name,
    explicitVr:
      uid !== TransferSyntaxUid.ImplicitVRLittleEndian && uid !== PAPYRUS3_IMPLICIT_VR_LITTLE_ENDIAN,
    littleEndian: uid !== TransferSyntaxUid.ExplicitVRBigEndian,
    deflated: deflatedSyntaxes.has(uid),
    encapsulated: !notEncapsulated.has(uid),
    lossy: lossySyntaxes.has(uid),
  });
  cache.set(uid, ts);
  return ts;
}

/** MPEG-2, MPEG-4 AVC/H.264 and HEVC/H.265, their fragmentable variants included (PS3.5 §8.2.5–8.2.8). */
const VIDEO_SYNTAX = /^1\.2\.840\.10008\.1\.2\.4\.10[0-8](\.1)?$/;

/** Whether pixel data in this transfer syntax is a video stream rather than frames. */
export function isVideoTransferSyntax(uid: string): boolean {
  return VIDEO_SYNTAX.test(uid);
}

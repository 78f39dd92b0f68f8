import { JsonTag, numberOf, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { asInterleavedRgb, wideColourOf } from './colour-samples';
import type { StackFrame } from './series-stack';

/** Explicit VR Little Endian: native pixels as the browser reads them without a decoder of its own. */
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** The Accept header of a frame that the server must send as native little-endian pixels. */
export const NATIVE_LITTLE_ENDIAN_FRAMES = `multipart/related; type="application/octet-stream"; transfer-syntax=${EXPLICIT_VR_LITTLE_ENDIAN}`;

/**
 * The Modality the image loader is told when the object has none. Secondary captures in the wild (GDCM,
 * DCMTK conversions) leave out the Type 1 Modality, and Cornerstone's WADO-RS metadata reads it as text to
 * look for NM: without it, every image change threw and nothing was drawn. OT is PS3.3's "Other".
 */
const UNKNOWN_MODALITY = 'OT';

/**
 * An instance's metadata as the image loader is given it: a Modality always present, and colour of more
 * than 8 bits a sample described as RGB side by side, for the viewer brings it to 8 bits itself
 * (colour-samples.ts).
 */
export function loaderMetadata(instance: DicomJson): DicomJson {
  let given = instance;
  if (textOf(instance, JsonTag.Modality) === '')
    given = { ...given, [JsonTag.Modality]: { vr: 'CS', Value: [UNKNOWN_MODALITY] } };
  if (wideColourOf(instance) !== undefined) given = asInterleavedRgb(given);
  return given;
}

/** Attributes read here that the web app's JsonTag does not name. */
const AvailableTransferSyntaxUID = '00083002';
const PhotometricInterpretation = '00280004';

/**
 * Syntaxes whose samples of more than 16 bits the server sends decoded: native (implicit, explicit little
 * and big endian, deflated) and RLE. Others it would refuse (406), so they are asked for as stored.
 */
const WIDE_SAMPLES_DECODED = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.5',
];

/** JPEG Baseline (Process 1) and Extended (Process 2 & 4): the syntaxes of 8-bit colour JPEG. */
const JPEG_LOSSY = ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51'];

/** RLE Lossless. */
const RLE = '1.2.840.10008.1.2.5';

/**
 * Whether a frame's pixels must be sent decoded to little endian by the server, because the browser
 * would draw them wrong or not at all:
 * - more than 16 bits allocated: the browser's big-endian and RLE decoders handle 8 and 16 bits only (a
 *   32-bit RT Dose in big endian or RLE threw in the decoder and was never drawn);
 * - RLE colour of 16 bits: the browser's RLE decoder writes every segment of 16-bit samples into the
 *   first sample's place, so all but the first third of such an image came out black;
 * - colour JPEG whose Photometric Interpretation is RGB (no colour transform, PS3.5 8.2.1): Cornerstone
 *   decodes 8-bit colour JPEG with the browser's decoder, which takes three components without an Adobe
 *   marker for YCbCr and painted such an image magenta; the server's decoder reads the components' IDs.
 * The server transcodes on request (PS3.18 8.7.3.5.2); a native little-endian frame comes as stored.
 */
export function needsNativeLittleEndian(instance: DicomJson): boolean {
  const stored = textOf(instance, AvailableTransferSyntaxUID);
  const bitsAllocated = numberOf(instance, JsonTag.BitsAllocated) ?? 0;
  if (bitsAllocated > 16) return WIDE_SAMPLES_DECODED.includes(stored);
  if (stored === RLE && bitsAllocated > 8 && (numberOf(instance, JsonTag.SamplesPerPixel) ?? 1) > 1)
    return true;
  return JPEG_LOSSY.includes(stored) && textOf(instance, PhotometricInterpretation) === 'RGB';
}

/** Accept headers of the frames that cannot travel as stored, by image ID. */
const acceptOfFrame = new Map<string, string>();

/** Remembers how each frame of a series must be asked for. */
export function registerFrameRetrieval(frames: readonly StackFrame[]): void {
  for (const frame of frames)
    if (needsNativeLittleEndian(frame.metadata))
      acceptOfFrame.set(frame.imageId, NATIVE_LITTLE_ENDIAN_FRAMES);
}

/** Headers of a frame request that replace the image loader's (which accepts any transfer syntax). */
export function frameRequestHeaders(imageId: string): Record<string, string> | undefined {
  const accept = acceptOfFrame.get(imageId);
  return accept !== undefined ? { Accept: accept } : undefined;
}

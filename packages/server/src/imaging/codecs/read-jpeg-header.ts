import { CodecError, CodecFailure } from './codec-error.js';

/** What the markers before the first scan of a JPEG or JPEG-LS codestream say (ISO/IEC 10918-1 B.2, 14495-1 C.2). */
export interface JpegHeader {
  /** The frame marker: 0xC0–0xCF for JPEG processes (0xC0 baseline, 0xC3 lossless, …), 0xF7 for JPEG-LS. */
  frameMarker: number;
  /** Sample precision P in bits. */
  precision: number;
  /** Number of lines Y (0 when a DNL marker defines it later). */
  rows: number;
  /** Samples per line X. */
  columns: number;
  /** Component identifiers, in frame order. */
  componentIds: number[];
  /** Sampling factors of each component, (H << 4) | V. */
  samplingFactors: number[];
  /** A JFIF APP0 marker is present (the components are then YCbCr). */
  jfif: boolean;
  /** The transform flag of an Adobe APP14 marker (0: none, 1: YCbCr, 2: YCCK), when one is present. */
  adobeTransform: number | undefined;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP14 = 0xee;
const SOF55 = 0xf7; // JPEG-LS

function corrupt(label: string, detail: string): CodecError {
  return new CodecError(CodecFailure.Corrupt, `${label}: ${detail}`);
}

function isFrameMarker(marker: number): boolean {
  // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC); SOF55 for JPEG-LS.
  return (
    (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
    marker === SOF55
  );
}

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Reads the header of a JPEG or JPEG-LS codestream up to its frame header; throws a corrupt {@link CodecError}. */
export function readJpegHeader(bytes: Uint8Array, label = 'JPEG'): JpegHeader {
  if (bytes[0] !== 0xff || bytes[1] !== SOI)
    throw corrupt(label, 'the frame does not start with an SOI marker');
  let jfif = false;
  let adobeTransform: number | undefined;
  let i = 2;
  for (;;) {
    while (bytes[i] === 0xff && bytes[i + 1] === 0xff) i++; // fill bytes (B.1.1.2)
    if (i + 4 > bytes.length) throw corrupt(label, 'the codestream ends before its frame header');
    if (bytes[i] !== 0xff) throw corrupt(label, `expected a marker at byte ${i}`);
    const marker = bytes[i + 1]!;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // RSTn and TEM stand alone
      continue;
    }
    if (marker === EOI || marker === SOS || marker === SOI) {
      throw corrupt(label, `marker 0xFF${marker.toString(16).toUpperCase()} before the frame header`);
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const start = i + 4; // first byte after the length field
    const end = i + 2 + length;
    if (length < 2 || end > bytes.length)
      throw corrupt(label, 'a marker segment runs past the end of the frame');
    if (marker === APP0 && length >= 7 && ascii(bytes, start, 'JFIF\0')) jfif = true;
    if (marker === APP14 && length >= 14 && ascii(bytes, start, 'Adobe')) adobeTransform = bytes[start + 11];
    if (isFrameMarker(marker)) {
      if (length < 8) throw corrupt(label, 'the frame header is too short');
      const components = bytes[start + 5]!;
      if (components === 0 || length < 8 + 3 * components)
        throw corrupt(label, 'the frame header is too short');
      const componentIds: number[] = [];
      const samplingFactors: number[] = [];
      for (let c = 0; c < components; c++) {
        componentIds.push(bytes[start + 6 + 3 * c]!);
        samplingFactors.push(bytes[start + 7 + 3 * c]!);
      }
      return {
        frameMarker: marker,
        precision: bytes[start]!,
        rows: (bytes[start + 1]! << 8) | bytes[start + 2]!,
        columns: (bytes[start + 3]! << 8) | bytes[start + 4]!,
        componentIds,
        samplingFactors,
        jfif,
        adobeTransform,
      };
    }
    i = end;
  }
}

/**
 * Throws a corrupt {@link CodecError} unless the codestream ends with an EOI/EOC marker (0xFFD9), before
 * any padding (0x00 or 0xFF bytes, as writers pad fragments to even length). Decoders quietly fill a
 * truncated image with grey; serving that as if it were the stored image would be worse than an error.
 */
export function requireEndMarker(bytes: Uint8Array, label: string): void {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0xff)) end--;
  if (end < 2 || bytes[end - 2] !== 0xff || bytes[end - 1] !== EOI) {
    throw corrupt(label, 'the codestream is truncated (it does not end with an end-of-image marker)');
  }
}

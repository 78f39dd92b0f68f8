import { inflateRawSync } from 'node:zlib';
import { codecFamily } from './can-decode.js';
import { CodecError, CodecFailure } from './codec-error.js';
import { decodeRle } from './decode-rle.js';
import { frameByteLength, MAX_FRAME_BYTES, type DecodedFrame, type FrameInfo } from './frame-info.js';
import { interleavePlanes, signExtend, widenTo16 } from './native-layout.js';
import { readJ2kHeader, type J2kHeader } from './read-j2k-header.js';
import { readJpegHeader, requireEndMarker, type JpegHeader } from './read-jpeg-header.js';
import { decodeHtj2k, decodeJ2k, decodeJpeg, decodeJpegLs, type RawPixels } from './wasm-decoders.js';

// Frame markers of the lossless (predictive) JPEG processes: SOF3, SOF7, SOF11, SOF15 (ITU T.81 B.1.1.3).
const LOSSLESS_FRAME_MARKERS: ReadonlySet<number> = new Set([0xc3, 0xc7, 0xcb, 0xcf]);

function unsupported(detail: string): CodecError {
  return new CodecError(CodecFailure.Unsupported, detail);
}

function corrupt(detail: string): CodecError {
  return new CodecError(CodecFailure.Corrupt, detail);
}

/** Throws an unsupported {@link CodecError} unless the pixel description is one a frame can have. */
export function checkFrameInfo(info: FrameInfo): void {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated, bitsStored, pixelRepresentation } = info;
  const whole = (n: number) => Number.isInteger(n) && n > 0;
  if (!whole(rows) || !whole(columns) || rows > 0xffff || columns > 0xffff) {
    throw unsupported(`a ${rows} × ${columns} frame cannot be decoded`);
  }
  if (spp !== 1 && spp !== 3 && spp !== 4) throw unsupported(`Samples per Pixel ${spp} is not supported`);
  if (![1, 8, 16, 32, 64].includes(bitsAllocated))
    throw unsupported(`Bits Allocated ${bitsAllocated} is not supported`);
  if (!whole(bitsStored) || bitsStored > bitsAllocated) {
    throw unsupported(`Bits Stored ${bitsStored} does not fit Bits Allocated ${bitsAllocated}`);
  }
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    throw unsupported(`Pixel Representation ${pixelRepresentation} is not defined`);
  }
  if (frameByteLength(info) > MAX_FRAME_BYTES)
    throw unsupported('the decoded frame would be larger than 1 GiB');
}

/**
 * Decodes one frame (its fragments concatenated) on the calling thread: what each codec worker runs.
 * Prefer `decodeFrame`, which keeps this work off the event loop.
 */
export async function decodePixels(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  info: FrameInfo,
): Promise<DecodedFrame> {
  const family = codecFamily(transferSyntaxUid);
  if (family === undefined)
    throw unsupported(`frames in transfer syntax ${transferSyntaxUid} cannot be decoded`);
  checkFrameInfo(info);
  const expected = frameByteLength(info);
  if (info.bitsAllocated === 1 && family !== 'deflate' && family !== 'native') {
    throw unsupported('Bits Allocated 1 is only defined for uncompressed and deflated frames');
  }
  if (info.bitsAllocated > 16 && family !== 'deflate' && family !== 'native' && family !== 'rle') {
    throw unsupported(`Bits Allocated ${info.bitsAllocated} is not supported for ${family} frames`);
  }
  switch (family) {
    case 'native':
      if (encoded.length < expected)
        throw corrupt(`the frame has ${encoded.length} bytes, ${expected} expected`);
      return done(info, encoded.slice(0, expected));
    case 'deflate':
      return done(info, inflateFrame(encoded, expected));
    case 'rle':
      return done(info, decodeRle(encoded, info));
    case 'jpeg':
      return decodeJpegFamily(encoded, info);
    case 'jpeg-ls':
      return decodeJpegLsFrame(encoded, info);
    case 'j2k':
    case 'htj2k':
      return decodeJ2kFamily(family, encoded, info);
  }
}

function done(
  info: FrameInfo,
  pixels: Uint8Array,
  photometricInterpretation = info.photometricInterpretation,
): DecodedFrame {
  return { pixels, photometricInterpretation, planarConfiguration: 0, bitsAllocated: info.bitsAllocated };
}

// PS3.5 §8.2.16: each frame is deflated on its own (RFC 1951, no zlib header), and starts on a byte
// boundary even when BitsAllocated is 1.
function inflateFrame(encoded: Uint8Array, expected: number): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(encoded, { maxOutputLength: expected + 64 }); // room for padding, not for a bomb
  } catch (error) {
    throw new CodecError(CodecFailure.Corrupt, `Deflate: ${(error as Error).message}`, { cause: error });
  }
  if (inflated.length < expected)
    throw corrupt(`Deflate: the frame inflates to ${inflated.length} bytes, ${expected} expected`);
  return new Uint8Array(inflated.buffer, inflated.byteOffset, expected).slice();
}

function checkDimensions(
  label: string,
  info: FrameInfo,
  rows: number,
  columns: number,
  components: number,
): void {
  if ((rows !== 0 && rows !== info.rows) || columns !== info.columns) {
    throw corrupt(
      `${label}: the codestream is ${columns} × ${rows}, the data set says ${info.columns} × ${info.rows}`,
    );
  }
  if (components !== info.samplesPerPixel) {
    throw corrupt(
      `${label}: the codestream has ${components} components, the data set says ${info.samplesPerPixel}`,
    );
  }
}

function checkPrecision(label: string, info: FrameInfo, precision: number): void {
  if (precision > info.bitsAllocated) {
    throw corrupt(`${label}: ${precision}-bit samples do not fit Bits Allocated ${info.bitsAllocated}`);
  }
}

// Decoders return every sample of every pixel: chroma subsampled in the codestream is no longer so.
function upsampled(photometricInterpretation: string): string {
  return photometricInterpretation.trim() === 'YBR_FULL_422' ? 'YBR_FULL' : photometricInterpretation;
}

// Decoder output → native layout: interleaved, BitsAllocated wide, and signed values sign-extended from
// the codestream's precision. JPEG and JPEG-LS always carry signed data as unsigned bit patterns, JPEG 2000
// sometimes does (and some decoders mask signed samples to their precision); extending is harmless for
// values that already are.
function finish(info: FrameInfo, raw: RawPixels, precision: number, pi: string): DecodedFrame {
  let { pixels, bytesPerSample } = raw;
  if (raw.planar) pixels = interleavePlanes(pixels, info.samplesPerPixel, bytesPerSample);
  const signed = info.pixelRepresentation === 1;
  if (signed) signExtend(pixels, bytesPerSample, precision);
  if (bytesPerSample === 1 && info.bitsAllocated === 16) {
    pixels = widenTo16(pixels, signed);
    bytesPerSample = 2;
  }
  if (bytesPerSample * 8 !== info.bitsAllocated || pixels.length !== frameByteLength(info)) {
    throw corrupt(`the decoded frame has ${pixels.length} bytes, ${frameByteLength(info)} expected`);
  }
  return done(info, pixels, upsampled(pi));
}

async function decodeJpegFamily(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const header = readJpegHeader(encoded, 'JPEG');
  if (header.frameMarker === 0xf7) throw corrupt('JPEG: the frame holds a JPEG-LS codestream');
  checkDimensions('JPEG', info, header.rows, header.columns, header.componentIds.length);
  checkPrecision('JPEG', info, header.precision);
  requireEndMarker(encoded, 'JPEG');
  // The codestream, not the transfer syntax, says whether colour went through the DCT (and YCbCr).
  const lossy = !LOSSLESS_FRAME_MARKERS.has(header.frameMarker);
  const convert = lossy && info.samplesPerPixel === 3 && holdsYcbcr(header, info.photometricInterpretation);
  const raw = await decodeJpeg(encoded, info, convert);
  // Lossy colour JPEG decodes to RGB whatever the data set said (YBR_FULL_422, YBR_FULL, RGB).
  const pi = lossy && info.samplesPerPixel === 3 ? 'RGB' : info.photometricInterpretation;
  return finish(info, raw, header.precision, pi);
}

/**
 * Whether the three components of a DCT JPEG are YCbCr (to be converted to RGB) or already RGB. The
 * codestream's own markers win (Adobe APP14 transform flag, JFIF, component identifiers 'R','G','B'),
 * then chroma subsampling (only YCbCr is subsampled); otherwise the data set's Photometric
 * Interpretation decides, as in DCMTK. This reads mislabelled files right: e.g. "RGB" data sets whose
 * JPEG is subsampled YCbCr, and "RGB" JPEGs with no colour transform and no marker saying so.
 */
export function holdsYcbcr(header: JpegHeader, photometricInterpretation: string): boolean {
  if (header.adobeTransform !== undefined) return header.adobeTransform !== 0;
  if (header.jfif) return true;
  const [r, g, b] = header.componentIds;
  if (r === 0x52 && g === 0x47 && b === 0x42) return false;
  if (header.samplingFactors.some((f) => f !== header.samplingFactors[0])) return true;
  return photometricInterpretation.trim().startsWith('YBR');
}

async function decodeJpegLsFrame(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const header = readJpegHeader(encoded, 'JPEG-LS');
  if (header.frameMarker !== 0xf7) throw corrupt('JPEG-LS: the frame holds no JPEG-LS codestream');
  checkDimensions('JPEG-LS', info, header.rows, header.columns, header.componentIds.length);
  checkPrecision('JPEG-LS', info, header.precision);
  requireEndMarker(encoded, 'JPEG-LS');
  const raw = await decodeJpegLs(encoded, info);
  return finish(info, raw, header.precision, info.photometricInterpretation);
}

async function decodeJ2kFamily(
  family: 'j2k' | 'htj2k',
  encoded: Uint8Array,
  info: FrameInfo,
): Promise<DecodedFrame> {
  const label = family === 'htj2k' ? 'HTJ2K' : 'JPEG 2000';
  const header: J2kHeader = readJ2kHeader(encoded, label);
  checkDimensions(label, info, header.rows, header.columns, header.components);
  checkPrecision(label, info, header.precision);
  requireEndMarker(header.codestream, label);
  // OpenJPH is the fastest HTJ2K decoder but reads only Part 15 codestreams; the HTJ2K syntaxes also
  // admit Part 1 ones, which OpenJPEG decodes (as it decodes everything of the JPEG 2000 syntaxes).
  const raw = header.highThroughput
    ? await decodeHtj2k(header.codestream, info)
    : await decodeJ2k(encoded, info);
  // With a multiple component transform (YBR_RCT, YBR_ICT) the decoder has already returned to RGB.
  const pi = info.photometricInterpretation.trim();
  const rgb =
    info.samplesPerPixel === 3 && (header.multipleComponentTransform || pi === 'YBR_RCT' || pi === 'YBR_ICT');
  return finish(info, raw, header.precision, rgb ? 'RGB' : info.photometricInterpretation);
}

import { createRequire } from 'node:module';
import type * as DcmjsCodecsModule from 'dcmjs-codecs';
import { CodecError, CodecFailure } from './codec-error.js';
import type { FrameInfo } from './frame-info.js';

/**
 * The WebAssembly decoders, loaded lazily (each worker instantiates only those it needs):
 * - dcmjs-codecs: DCMTK's IJG libjpeg 8/12/16-bit (JPEG baseline, extended, lossless) and OpenJPEG 2.5
 *   (JPEG 2000, and HTJ2K codestreams that OpenJPH cannot read);
 * - @cornerstonejs/codec-charls (CharLS, decode-only build): JPEG-LS;
 * - @cornerstonejs/codec-openjph (OpenJPH): HTJ2K.
 * Every module comes from an npm package as a .wasm file: nothing is downloaded or compiled at run time.
 */

const require = createRequire(import.meta.url);

/** Pixels as one decoder produced them, before normalisation to the native layout. */
export interface RawPixels {
  /** Decoded samples (a buffer of their own, never a view of a WebAssembly heap). */
  pixels: Uint8Array;
  /** Bytes per sample in `pixels` (1 or 2). */
  bytesPerSample: number;
  /** Samples are stored plane by plane (colour-by-plane) rather than interleaved. */
  planar: boolean;
}

// Embind classes of the Cornerstone builds (see their dist/*.d.ts-less JavaScript glue).
interface EmbindFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface EmbindDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): EmbindFrameInfo;
  delete(): void;
}
interface JpegLsDecoder extends EmbindDecoder {
  /** 0: none (planes one after the other), 1: line, 2: sample. */
  getInterleaveMode(): number;
}
interface CharlsModule {
  JpegLSDecoder: new () => JpegLsDecoder;
}
interface OpenJphModule {
  HTJ2KDecoder: new () => EmbindDecoder;
}
type EmscriptenFactory<M> = (overrides: Record<string, unknown>) => Promise<M>;
type DcmjsCodecs = typeof DcmjsCodecsModule;

function quiet(): Record<string, unknown> {
  // A fresh object per module: Emscripten glue adds its exports to the object it is given.
  return { print: () => {}, printErr: () => {} };
}

let charls: Promise<CharlsModule> | undefined;
let openJph: Promise<OpenJphModule> | undefined;
let dcmjs: Promise<DcmjsCodecs> | undefined;

function loadCharls(): Promise<CharlsModule> {
  charls ??= (require('@cornerstonejs/codec-charls/decodewasmjs') as EmscriptenFactory<CharlsModule>)(
    quiet(),
  );
  return charls.catch((error: unknown) => {
    charls = undefined;
    throw error;
  });
}

function loadOpenJph(): Promise<OpenJphModule> {
  openJph ??= (require('@cornerstonejs/codec-openjph/wasmjs') as EmscriptenFactory<OpenJphModule>)(quiet());
  return openJph.catch((error: unknown) => {
    openJph = undefined;
    throw error;
  });
}

function loadDcmjs(): Promise<DcmjsCodecs> {
  dcmjs ??= (async () => {
    const codecs = require('dcmjs-codecs') as DcmjsCodecs;
    codecs.log.setLevel('silent'); // failures reach the caller as CodecErrors
    await codecs.NativeCodecs.initializeAsync({
      webAssemblyModulePathOrUrl: require.resolve('dcmjs-codecs/build/dcmjs-native-codecs.wasm'),
    });
    return codecs;
  })();
  return dcmjs.catch((error: unknown) => {
    dcmjs = undefined;
    throw error;
  });
}

function owned(bytes: Uint8Array): Uint8Array {
  const plain = bytes instanceof Uint8Array && bytes.constructor === Uint8Array;
  if (plain && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return new Uint8Array(bytes);
}

function decoderFailure(label: string, error: unknown): CodecError {
  // Embind rethrows C++ exceptions as bare numbers (pointers): say only that the decoder refused.
  const message = error instanceof Error ? error.message : 'the decoder rejected the codestream';
  return new CodecError(CodecFailure.Corrupt, `${label}: ${message}`, { cause: error });
}

interface EmbindResult {
  frameInfo: EmbindFrameInfo;
  pixels: Uint8Array;
  interleaveMode: number | undefined;
}

// A module whose decoder threw may have leaked memory or be left in a broken state: `onFail` drops it,
// so that the next frame gets a fresh instance.
function runEmbind(
  create: () => EmbindDecoder & Partial<Pick<JpegLsDecoder, 'getInterleaveMode'>>,
  codestream: Uint8Array,
  onFail: () => void,
  label: string,
): EmbindResult {
  let decoder: ReturnType<typeof create> | undefined;
  try {
    decoder = create();
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    return {
      frameInfo: decoder.getFrameInfo(),
      // A copy as a plain Uint8Array: CharLS hands out a Uint8ClampedArray view of WASM memory.
      pixels: new Uint8Array(decoder.getDecodedBuffer()),
      interleaveMode: decoder.getInterleaveMode?.(),
    };
  } catch (error) {
    onFail();
    throw decoderFailure(label, error);
  } finally {
    try {
      decoder?.delete();
    } catch {
      // the instance is being dropped anyway
    }
  }
}

function checkSize(label: string, frameInfo: EmbindFrameInfo, info: FrameInfo, pixels: Uint8Array): number {
  if (frameInfo.width !== info.columns || frameInfo.height !== info.rows) {
    throw new CodecError(
      CodecFailure.Corrupt,
      `${label}: the decoder produced no image of the expected size`,
    );
  }
  const bytesPerSample = frameInfo.bitsPerSample > 8 ? 2 : 1;
  if (pixels.length !== info.rows * info.columns * frameInfo.componentCount * bytesPerSample) {
    throw new CodecError(CodecFailure.Corrupt, `${label}: the decoder produced a short image`);
  }
  return bytesPerSample;
}

/** Decodes JPEG-LS (CharLS). */
export async function decodeJpegLs(codestream: Uint8Array, info: FrameInfo): Promise<RawPixels> {
  const module = await loadCharls();
  const { frameInfo, pixels, interleaveMode } = runEmbind(
    () => new module.JpegLSDecoder(),
    codestream,
    () => (charls = undefined),
    'JPEG-LS',
  );
  const bytesPerSample = checkSize('JPEG-LS', frameInfo, info, pixels);
  return { pixels, bytesPerSample, planar: interleaveMode === 0 && frameInfo.componentCount > 1 };
}

/** Decodes a High-Throughput JPEG 2000 codestream (OpenJPH). */
export async function decodeHtj2k(codestream: Uint8Array, info: FrameInfo): Promise<RawPixels> {
  const module = await loadOpenJph();
  const { frameInfo, pixels } = runEmbind(
    () => new module.HTJ2KDecoder(),
    codestream,
    () => (openJph = undefined),
    'HTJ2K',
  );
  if (pixels.length === 0) {
    openJph = undefined;
    throw new CodecError(CodecFailure.Corrupt, 'HTJ2K: the decoder rejected the codestream');
  }
  return { pixels, bytesPerSample: checkSize('HTJ2K', frameInfo, info, pixels), planar: false };
}

type DcmjsMethod = 'decodeJpeg' | 'decodeJpeg2000';

// dcmjs-codecs accepts only the photometric interpretations it knows; the value does not steer decoding
// (colour conversion is asked for explicitly), so a neutral one is passed.
async function decodeDcmjs(
  method: DcmjsMethod,
  label: string,
  codestream: Uint8Array,
  info: FrameInfo,
  parameters: Record<string, unknown>,
): Promise<RawPixels> {
  const codecs = await loadDcmjs();
  try {
    const context = new codecs.Context({
      width: info.columns,
      height: info.rows,
      bitsAllocated: info.bitsAllocated,
      bitsStored: info.bitsStored,
      samplesPerPixel: info.samplesPerPixel,
      pixelRepresentation: info.pixelRepresentation,
      planarConfiguration: 0,
      photometricInterpretation: info.samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB',
      encodedBuffer: codestream,
    });
    const decoded = codecs.NativeCodecs[method](context, parameters);
    const pixels = decoded.getDecodedBuffer();
    if (pixels === undefined || pixels.length === 0) throw new Error('the decoder produced no image');
    if (decoded.getWidth() !== info.columns || decoded.getHeight() !== info.rows) {
      throw new Error('the decoder produced no image of the expected size');
    }
    const samples = info.rows * info.columns * info.samplesPerPixel;
    if (pixels.length % samples !== 0 || pixels.length / samples > 2) {
      throw new Error('the decoder produced an image of unexpected length');
    }
    return {
      pixels: owned(pixels),
      bytesPerSample: pixels.length / samples,
      planar: decoded.getPlanarConfiguration() === 1,
    };
  } catch (error) {
    // A failed call leaks the codec context inside the instance: start a fresh one next time.
    codecs.NativeCodecs.release();
    dcmjs = undefined;
    throw decoderFailure(label, error);
  }
}

/** Decodes JPEG baseline, extended or lossless (IJG libjpeg 8/12/16-bit via dcmjs-codecs). */
export function decodeJpeg(
  codestream: Uint8Array,
  info: FrameInfo,
  convertYbrToRgb: boolean,
): Promise<RawPixels> {
  return decodeDcmjs('decodeJpeg', 'JPEG', codestream, info, { convertColorspaceToRgb: convertYbrToRgb });
}

/** Decodes JPEG 2000 Part 1 or Part 15 (OpenJPEG via dcmjs-codecs). */
export function decodeJ2k(codestream: Uint8Array, info: FrameInfo): Promise<RawPixels> {
  return decodeDcmjs('decodeJpeg2000', 'JPEG 2000', codestream, info, {});
}

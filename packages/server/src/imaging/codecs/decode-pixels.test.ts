/**
 * Decoding correctness, on the calling thread (decodePixels is what every worker runs). Every expected
 * image comes from an independent source: the uncompressed original, or the decompression of the same
 * codestream by another implementation (DCMTK, OpenJPEG's and OpenJPH's command-line tools). Needs the
 * Debian packages python3-pydicom (test files), dcmtk, libopenjp2-tools and openjph-tools; a missing
 * one fails the tests, naming it.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { DataSet, generateUid, readPart10, writePart10, type Vr } from '@lightbox/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecError } from './codec-error.js';
import { decodePixels } from './decode-pixels.js';
import { frameByteLength, type DecodedFrame, type FrameInfo } from './frame-info.js';
import { readEncodedFrames } from './read-encoded-frames.js';
import { readFrameInfo } from './read-frame-info.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const TOOLS: Record<string, string> = {
  dcmcjpeg: 'dcmtk',
  dcmdjpeg: 'dcmtk',
  dcmcjpls: 'dcmtk',
  dcmdjpls: 'dcmtk',
  dcmcrle: 'dcmtk',
  dcmdrle: 'dcmtk',
  opj_compress: 'libopenjp2-tools',
  opj_decompress: 'libopenjp2-tools',
  ojph_compress: 'openjph-tools',
  ojph_expand: 'openjph-tools',
};

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lightbox-codecs-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Helpers: reading objects, running the reference tools, comparing pixels.

interface Loaded {
  transferSyntaxUid: string;
  info: FrameInfo;
  /** Encoded frames (encapsulated pixel data), or undefined for native pixel data. */
  encoded: Uint8Array[] | undefined;
  /** Native frames, interleaved (PlanarConfiguration 0), or undefined for encapsulated pixel data. */
  native: Uint8Array[] | undefined;
}

async function load(path: string): Promise<Loaded> {
  const { dataSet, transferSyntaxUid } = await readPart10(readFileSync(path), { readPixelData: true });
  const info = readFrameInfo(dataSet);
  const encoded = readEncodedFrames(dataSet);
  if (encoded !== undefined) return { transferSyntaxUid, info, encoded, native: undefined };
  const pixelData = dataSet.get(0x7fe00010)?.bytes;
  if (pixelData === undefined) throw new Error(`${path} has no pixel data`);
  const length = frameByteLength(info);
  const native: Uint8Array[] = [];
  for (let at = 0; at + length <= pixelData.length; at += length) {
    const frame = pixelData.subarray(at, at + length);
    native.push(
      info.planarConfiguration === 1
        ? interleave(frame, info.samplesPerPixel, info.bitsAllocated / 8)
        : frame,
    );
  }
  return { transferSyntaxUid, info, encoded: undefined, native };
}

function interleave(planar: Uint8Array, samples: number, bytes: number): Uint8Array {
  const pixels = planar.length / (samples * bytes);
  const out = new Uint8Array(planar.length);
  for (let s = 0; s < samples; s++) {
    for (let p = 0; p < pixels; p++) {
      for (let b = 0; b < bytes; b++)
        out[(p * samples + s) * bytes + b] = planar[(s * pixels + p) * bytes + b]!;
    }
  }
  return out;
}

function run(tool: string, ...args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`${tool} ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

let fileCounter = 0;
function file(suffix: string): string {
  return join(work, `f${++fileCounter}${suffix}`);
}

async function decodeAll(loaded: Loaded): Promise<DecodedFrame[]> {
  const frames = loaded.encoded;
  if (frames === undefined) throw new Error('expected encapsulated pixel data');
  const out: DecodedFrame[] = [];
  for (const frame of frames) out.push(await decodePixels(loaded.transferSyntaxUid, frame, loaded.info));
  return out;
}

function sampleValues(pixels: Uint8Array, bitsAllocated: number, signed: boolean): Int32Array {
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const bytes = bitsAllocated / 8;
  const out = new Int32Array(pixels.length / bytes);
  for (let i = 0; i < out.length; i++) {
    if (bytes === 1) out[i] = signed ? view.getInt8(i) : view.getUint8(i);
    else if (bytes === 2) out[i] = signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true);
    else out[i] = signed ? view.getInt32(4 * i, true) : view.getUint32(4 * i, true);
  }
  return out;
}

/** Exactly the same bytes; on failure, says where the first difference is. */
function expectSamePixels(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  const at = actual.findIndex((value, i) => value !== expected[i]);
  if (at >= 0) {
    expect({ at, actual: [...actual.subarray(at, at + 8)] }).toEqual({
      at,
      actual: [...expected.subarray(at, at + 8)],
    });
  }
}

/** Lossy comparison: the largest and the mean absolute difference of the sample values. */
function difference(actual: Uint8Array, expected: Uint8Array, bitsAllocated: number, signed: boolean) {
  expect(actual.length).toBe(expected.length);
  const a = sampleValues(actual, bitsAllocated, signed);
  const b = sampleValues(expected, bitsAllocated, signed);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

async function expectRejected(promise: Promise<unknown>, reason: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(CodecError);
  await expect(promise).rejects.toMatchObject({ reason });
}

// ---------------------------------------------------------------------------------------------------
// Synthetic images, written as uncompressed Part 10 objects for DCMTK to compress.

/** Deterministic test image: gradients, a disc, noise, and the extreme values of the range. */
function phantom(info: FrameInfo, frames: number): Uint8Array {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated, bitsStored, pixelRepresentation } = info;
  const bytes = bitsAllocated / 8;
  const out = new Uint8Array(rows * columns * spp * bytes * frames);
  const view = new DataView(out.buffer);
  const signed = pixelRepresentation === 1;
  const min = signed ? -(2 ** (bitsStored - 1)) : 0;
  const max = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  let i = 0;
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        for (let s = 0; s < spp; s++, i++) {
          const r = Math.hypot(x - columns / 2, y - rows / 3);
          let t =
            0.2 +
            0.5 * (x / columns) * ((s + 1) / spp) +
            0.3 * (y / rows) +
            (r < rows / 4 ? 0.25 : 0) +
            0.03 * f;
          t += 0.04 * noise();
          let value = Math.round(min + Math.min(1, Math.max(0, t)) * (max - min));
          if (y === 0 && x < 2) value = x === 0 ? min : max;
          if (bytes === 1) view.setUint8(i, value & 0xff);
          else view.setUint16(2 * i, value & 0xffff, true); // two's complement, sign-extended to 16 bits
        }
      }
    }
  }
  return out;
}

function element(tag: number, vr: Vr, bytes: Uint8Array) {
  return { tag, vr, length: bytes.length, offset: -1, bytes };
}
function text(tag: number, vr: Vr, value: string) {
  return element(tag, vr, new TextEncoder().encode(value));
}
function us(tag: number, value: number) {
  return element(tag, 'US', Uint8Array.of(value & 0xff, value >> 8));
}

/** Writes an uncompressed (Explicit VR Little Endian) Part 10 object with these pixels. */
function writeSynthetic(info: FrameInfo, frames: number, pixels: Uint8Array): string {
  const ds = new DataSet(true);
  ds.set(text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'));
  ds.set(text(0x00080018, 'UI', generateUid()));
  ds.set(text(0x00080060, 'CS', 'OT'));
  ds.set(text(0x00100010, 'PN', 'Phantom^Codec'));
  ds.set(text(0x00100020, 'LO', 'CODEC1'));
  ds.set(text(0x0020000d, 'UI', generateUid()));
  ds.set(text(0x0020000e, 'UI', generateUid()));
  ds.set(us(0x00280002, info.samplesPerPixel));
  ds.set(text(0x00280004, 'CS', info.photometricInterpretation));
  if (info.samplesPerPixel > 1) ds.set(us(0x00280006, 0));
  if (frames > 1) ds.set(text(0x00280008, 'IS', String(frames)));
  ds.set(us(0x00280010, info.rows));
  ds.set(us(0x00280011, info.columns));
  ds.set(us(0x00280100, info.bitsAllocated));
  ds.set(us(0x00280101, info.bitsStored));
  ds.set(us(0x00280102, info.bitsStored - 1));
  ds.set(us(0x00280103, info.pixelRepresentation));
  ds.set(element(0x7fe00010, info.bitsAllocated > 8 ? 'OW' : 'OB', pixels));
  const path = file('.dcm');
  writeFileSync(path, writePart10(ds, { transferSyntaxUid: '1.2.840.10008.1.2.1' }));
  return path;
}

function mono(
  rows: number,
  columns: number,
  bitsAllocated: number,
  bitsStored: number,
  signed: boolean,
): FrameInfo {
  return {
    rows,
    columns,
    samplesPerPixel: 1,
    bitsAllocated,
    bitsStored,
    pixelRepresentation: signed ? 1 : 0,
    photometricInterpretation: 'MONOCHROME2',
    planarConfiguration: 0,
  };
}
const RGB8: FrameInfo = {
  ...mono(37, 45, 8, 8, false),
  samplesPerPixel: 3,
  photometricInterpretation: 'RGB',
};

/**
 * Compresses a synthetic image with a DCMTK tool, decompresses that with DCMTK's own decoder, and
 * returns the compressed object, DCMTK's decompression, and the original frames.
 */
async function viaDcmtk(info: FrameInfo, frames: number, compress: string[], decompressTool: string) {
  const pixels = phantom(info, frames);
  const original = writeSynthetic(info, frames, pixels);
  const compressed = file('.dcm');
  const [tool, ...options] = compress;
  run(tool!, ...options, original, compressed);
  const decompressed = file('.dcm');
  run(decompressTool, '+te', compressed, decompressed);
  return {
    compressed: await load(compressed),
    reference: await load(decompressed),
    original: await load(original),
  };
}

// ---------------------------------------------------------------------------------------------------

describe('reference tools', () => {
  it('are installed (Debian packages python3-pydicom, dcmtk, libopenjp2-tools, openjph-tools)', () => {
    const missing = Object.entries(TOOLS)
      .filter(([tool]) => !['/usr/bin', '/usr/local/bin', '/bin'].some((dir) => existsSync(join(dir, tool))))
      .map(([tool, pkg]) => `${tool} (${pkg})`);
    if (!existsSync(join(PYDICOM, 'MR_small.dcm'))) missing.push('pydicom test files (python3-pydicom)');
    expect(missing).toEqual([]);
  });
});

describe('lossless syntaxes against the uncompressed original (pydicom MR_small)', () => {
  it.each([
    ['MR_small_RLE.dcm', '1.2.840.10008.1.2.5'],
    ['MR_small_jpeg_ls_lossless.dcm', '1.2.840.10008.1.2.4.80'],
    ['MR_small_jp2klossless.dcm', '1.2.840.10008.1.2.4.90'],
  ])('%s decodes to exactly the original signed 16-bit pixels', async (name, syntax) => {
    const original = await load(join(PYDICOM, 'MR_small.dcm'));
    const compressed = await load(join(PYDICOM, name));
    expect(compressed.transferSyntaxUid).toBe(syntax);
    expect(compressed.info.pixelRepresentation).toBe(1);
    const [frame] = await decodeAll(compressed);
    expectSamePixels(frame!.pixels, original.native![0]!);
    expect(frame).toMatchObject({
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
      bitsAllocated: 16,
    });
  });
});

describe('RLE Lossless', () => {
  it('decodes a 32-bit multi-frame dose grid exactly (rtdose_rle.dcm vs rtdose.dcm)', async () => {
    const original = await load(join(PYDICOM, 'rtdose.dcm'));
    const compressed = await load(join(PYDICOM, 'rtdose_rle.dcm'));
    const frames = await decodeAll(compressed);
    expect(frames).toHaveLength(15);
    frames.forEach((frame, i) => expectSamePixels(frame.pixels, original.native![i]!));
  });

  it.each([
    'SC_rgb_rle.dcm',
    'SC_rgb_rle_2frame.dcm',
    'SC_rgb_rle_16bit_2frame.dcm',
    'SC_rgb_rle_32bit_2frame.dcm',
  ])('%s matches DCMTK dcmdrle, interleaved', async (name) => {
    const reference = file('.dcm');
    run('dcmdrle', '+te', join(PYDICOM, name), reference);
    const expected = await load(reference);
    const frames = await decodeAll(await load(join(PYDICOM, name)));
    expect(frames).toHaveLength(expected.native!.length);
    frames.forEach((frame, i) => expectSamePixels(frame.pixels, expected.native![i]!));
    expect(frames[0]!.photometricInterpretation).toBe('RGB');
  });

  it('decodes signed 16-bit multi-frame and colour images compressed by DCMTK', async () => {
    for (const info of [mono(33, 47, 16, 16, true), mono(33, 47, 16, 12, true), RGB8]) {
      const { compressed, reference, original } = await viaDcmtk(info, 3, ['dcmcrle'], 'dcmdrle');
      const frames = await decodeAll(compressed);
      frames.forEach((frame, i) => {
        expectSamePixels(frame.pixels, reference.native![i]!);
        expectSamePixels(frame.pixels, original.native![i]!);
      });
    }
  });
});

describe('JPEG (IJG libjpeg through dcmjs-codecs)', () => {
  it.each(['JPGExtended.dcm', 'JPEG-lossy.dcm'])(
    '%s (12-bit extended) matches DCMTK dcmdjpeg',
    async (name) => {
      const reference = file('.dcm');
      run('dcmdjpeg', '+te', join(PYDICOM, name), reference);
      const expected = await load(reference);
      const [frame] = await decodeAll(await load(join(PYDICOM, name)));
      const { max } = difference(frame!.pixels, expected.native![0]!, 16, false);
      expect(max).toBeLessThanOrEqual(1);
    },
  );

  it.each([
    'SC_rgb_dcmtk_+eb+cy+np.dcm', // YBR_FULL_422
    'SC_rgb_dcmtk_+eb+cy+s2.dcm', // YBR_FULL_422
    'SC_rgb_dcmtk_+eb+cy+n1.dcm', // YBR_FULL
    'SC_rgb_dcmtk_+eb+cy+s4.dcm', // YBR_FULL
    'SC_rgb_dcmtk_+eb+cr.dcm', // RGB, no colour transform
    'SC_rgb_jpeg_dcmtk.dcm', // YBR_FULL with JFIF
    'SC_rgb_jpeg_app14_dcmd.dcm', // RGB with Adobe transform 0
    'SC_jpeg_no_color_transform.dcm', // RGB, no marker, component ids 0,1,2
    'SC_jpeg_no_color_transform_2.dcm', // RGB with Adobe transform 0
    'SC_rgb_small_odd_jpeg.dcm', // 3 × 3
  ])('colour baseline %s comes out RGB, as DCMTK decodes it', async (name) => {
    const reference = file('.dcm');
    run('dcmdjpeg', '+te', join(PYDICOM, name), reference);
    const expected = await load(reference);
    expect(expected.info.photometricInterpretation).toBe('RGB');
    const [frame] = await decodeAll(await load(join(PYDICOM, name)));
    expect(frame!.photometricInterpretation).toBe('RGB');
    const { max } = difference(frame!.pixels, expected.native![0]!, 8, false);
    expect(max).toBeLessThanOrEqual(1);
  });

  it('reads a mislabelled "RGB" data set whose JPEG is subsampled YCbCr as YCbCr (SC_rgb_jpeg_lossy_gdcm)', async () => {
    // DCMTK trusts the label and leaves the YCbCr values; the lossless RLE copy shows the real colours.
    const truth = file('.dcm');
    run('dcmdrle', '+te', join(PYDICOM, 'SC_rgb_rle.dcm'), truth);
    const [frame] = await decodeAll(await load(join(PYDICOM, 'SC_rgb_jpeg_lossy_gdcm.dcm')));
    const { mean } = difference(frame!.pixels, (await load(truth)).native![0]!, 8, false);
    expect(mean).toBeLessThan(5);
  });

  it('decodes lossless SV1 (.70) colour from GDCM exactly (SC_rgb_jpeg_gdcm vs SC_rgb_rle)', async () => {
    const truth = file('.dcm');
    run('dcmdrle', '+te', join(PYDICOM, 'SC_rgb_rle.dcm'), truth);
    const [frame] = await decodeAll(await load(join(PYDICOM, 'SC_rgb_jpeg_gdcm.dcm')));
    expectSamePixels(frame!.pixels, (await load(truth)).native![0]!);
  });

  it.each([
    ['SV1 (.70), signed 16-bit', mono(40, 51, 16, 16, true), ['dcmcjpeg', '+e1'], '1.2.840.10008.1.2.4.70'],
    ['SV1 (.70), signed 12-bit', mono(40, 51, 16, 12, true), ['dcmcjpeg', '+e1'], '1.2.840.10008.1.2.4.70'],
    [
      'process 14 predictor 6 (.57), unsigned 16-bit',
      mono(40, 51, 16, 16, false),
      ['dcmcjpeg', '+el'],
      '1.2.840.10008.1.2.4.57',
    ],
    [
      'process 14 predictor 7 (.57), signed 12-bit',
      mono(40, 51, 16, 12, true),
      ['dcmcjpeg', '+el', '+sv', '7'],
      '1.2.840.10008.1.2.4.57',
    ],
    ['SV1 (.70), 8-bit', mono(40, 51, 8, 8, false), ['dcmcjpeg', '+e1'], '1.2.840.10008.1.2.4.70'],
    ['SV1 (.70), RGB', RGB8, ['dcmcjpeg', '+e1'], '1.2.840.10008.1.2.4.70'],
  ])('lossless %s: exactly the original and DCMTK, every frame', async (_name, info, compress, syntax) => {
    const { compressed, reference, original } = await viaDcmtk(info, 3, compress, 'dcmdjpeg');
    expect(compressed.transferSyntaxUid).toBe(syntax);
    const frames = await decodeAll(compressed);
    expect(frames).toHaveLength(3);
    frames.forEach((frame, i) => {
      expectSamePixels(frame.pixels, original.native![i]!);
      expectSamePixels(frame.pixels, reference.native![i]!);
    });
  });

  it.each([
    ['12-bit extended (.51)', mono(40, 51, 16, 12, false), ['dcmcjpeg', '+ee'], '1.2.840.10008.1.2.4.51', 16],
    ['8-bit baseline (.50)', mono(40, 51, 8, 8, false), ['dcmcjpeg', '+eb'], '1.2.840.10008.1.2.4.50', 8],
    ['colour baseline (.50, YBR_FULL_422)', RGB8, ['dcmcjpeg', '+eb'], '1.2.840.10008.1.2.4.50', 8],
  ])('lossy %s: matches DCMTK and stays near the original', async (_name, info, compress, syntax, bits) => {
    const { compressed, reference, original } = await viaDcmtk(info, 2, compress, 'dcmdjpeg');
    expect(compressed.transferSyntaxUid).toBe(syntax);
    const frames = await decodeAll(compressed);
    frames.forEach((frame, i) => {
      expect(frame.photometricInterpretation).toBe(reference.info.photometricInterpretation);
      expect(difference(frame.pixels, reference.native![i]!, bits, false).max).toBeLessThanOrEqual(1);
      const range = 2 ** info.bitsStored;
      expect(difference(frame.pixels, original.native![i]!, bits, false).mean).toBeLessThan(range * 0.02);
    });
  });
});

describe('JPEG-LS (CharLS)', () => {
  it.each([
    ['lossless signed 16-bit', mono(40, 51, 16, 16, true), ['dcmcjpls'], '1.2.840.10008.1.2.4.80'],
    ['lossless signed 12-bit', mono(40, 51, 16, 12, true), ['dcmcjpls'], '1.2.840.10008.1.2.4.80'],
    ['lossless 8-bit', mono(40, 51, 8, 8, false), ['dcmcjpls'], '1.2.840.10008.1.2.4.80'],
    ['lossless RGB, line interleaved', RGB8, ['dcmcjpls', '+il'], '1.2.840.10008.1.2.4.80'],
    ['lossless RGB, sample interleaved', RGB8, ['dcmcjpls', '+is'], '1.2.840.10008.1.2.4.80'],
    ['lossless RGB, not interleaved', RGB8, ['dcmcjpls', '+in'], '1.2.840.10008.1.2.4.80'],
  ])('%s: exactly the original and DCMTK', async (_name, info, compress, syntax) => {
    const { compressed, reference, original } = await viaDcmtk(info, 2, compress, 'dcmdjpls');
    expect(compressed.transferSyntaxUid).toBe(syntax);
    const frames = await decodeAll(compressed);
    frames.forEach((frame, i) => {
      expectSamePixels(frame.pixels, original.native![i]!);
      expectSamePixels(frame.pixels, reference.native![i]!);
    });
  });

  it.each([
    ['unsigned 16-bit', mono(40, 51, 16, 16, false)],
    ['unsigned 12-bit', mono(40, 51, 16, 12, false)],
    ['8-bit', mono(40, 51, 8, 8, false)],
    ['RGB', RGB8],
  ])(
    'near-lossless (.81, NEAR 3) %s: exactly what DCMTK decodes, within 3 of the original',
    async (_name, info) => {
      const { compressed, reference, original } = await viaDcmtk(
        info,
        2,
        ['dcmcjpls', '+en', '+md', '3'],
        'dcmdjpls',
      );
      expect(compressed.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.81');
      const frames = await decodeAll(compressed);
      const signed = info.pixelRepresentation === 1;
      frames.forEach((frame, i) => {
        expectSamePixels(frame.pixels, reference.native![i]!);
        expect(
          difference(frame.pixels, original.native![i]!, info.bitsAllocated, signed).max,
        ).toBeLessThanOrEqual(3);
      });
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// JPEG 2000 and HTJ2K: codestreams decoded by OpenJPEG's and OpenJPH's own command-line tools.

/** OpenJPEG's opj_decompress output (.rawl: planes of little-endian samples), interleaved. */
function opjDecompress(codestream: Uint8Array, info: FrameInfo, jp2 = false): Uint8Array {
  const input = file(jp2 ? '.jp2' : '.j2k');
  const output = file('.rawl');
  writeFileSync(input, codestream);
  run('opj_decompress', '-i', input, '-o', output);
  return interleave(new Uint8Array(readFileSync(output)), info.samplesPerPixel, info.bitsAllocated / 8);
}

/** Writes a PGM/PPM (binary, big-endian above 8 bits) of interleaved little-endian pixels. */
function writeNetpbm(pixels: Uint8Array, info: FrameInfo): string {
  const maxValue = 2 ** info.bitsStored - 1;
  const header = new TextEncoder().encode(
    `P${info.samplesPerPixel === 3 ? 6 : 5}\n${info.columns} ${info.rows}\n${maxValue}\n`,
  );
  const body = new Uint8Array(pixels);
  if (info.bitsAllocated === 16)
    for (let i = 0; i < body.length; i += 2) [body[i], body[i + 1]] = [pixels[i + 1]!, pixels[i]!];
  const path = file(info.samplesPerPixel === 3 ? '.ppm' : '.pgm');
  writeFileSync(path, Buffer.concat([header, body]));
  return path;
}

/** Reads a PGM/PPM back as interleaved little-endian pixels. */
function readNetpbm(path: string, info: FrameInfo): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  const body = bytes.subarray(bytes.length - frameByteLength(info));
  const out = new Uint8Array(body);
  if (info.bitsAllocated === 16)
    for (let i = 0; i < out.length; i += 2) [out[i], out[i + 1]] = [body[i + 1]!, body[i]!];
  return out;
}

function opjCompress(pixels: Uint8Array, info: FrameInfo, ...options: string[]): Uint8Array {
  const output = file('.j2k');
  run('opj_compress', '-i', writeNetpbm(pixels, info), '-o', output, ...options);
  return new Uint8Array(readFileSync(output));
}

function ojphCompress(pixels: Uint8Array, info: FrameInfo, ...options: string[]): Uint8Array {
  const output = file('.j2c');
  run('ojph_compress', '-i', writeNetpbm(pixels, info), '-o', output, ...options);
  return new Uint8Array(readFileSync(output));
}

interface HtEncoder {
  getDecodedBuffer(frameInfo: {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
    isUsingColorTransform: boolean;
  }): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

/** Lossless HTJ2K from the encoder of @cornerstonejs/codec-openjph (used for signed data only). */
async function htj2kEncode(pixels: Uint8Array, info: FrameInfo): Promise<Uint8Array> {
  const factory = createRequire(import.meta.url)('@cornerstonejs/codec-openjph/wasmjs') as (
    overrides: object,
  ) => Promise<{ HTJ2KEncoder: new () => HtEncoder }>;
  const module = await factory({ print: () => {}, printErr: () => {} });
  const encoder = new module.HTJ2KEncoder();
  try {
    encoder
      .getDecodedBuffer({
        width: info.columns,
        height: info.rows,
        bitsPerSample: info.bitsStored,
        componentCount: info.samplesPerPixel,
        isSigned: info.pixelRepresentation === 1,
        isUsingColorTransform: false,
      })
      .set(pixels);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

/** Sign-extends 16-bit little-endian samples from `bits` bits (tools write signed samples masked). */
function extendSign(pixels: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(pixels);
  const words = new Uint16Array(out.buffer);
  const sign = 1 << (bits - 1);
  const high = 0xffff & ~((1 << bits) - 1);
  for (let i = 0; i < words.length; i++) if (words[i]! & sign) words[i] = words[i]! | high;
  return out;
}

function ojphExpand(codestream: Uint8Array, info: FrameInfo): Uint8Array {
  const input = file('.j2c');
  writeFileSync(input, codestream);
  const output = file(info.samplesPerPixel === 3 ? '.ppm' : '.pgm');
  run('ojph_expand', '-i', input, '-o', output);
  return readNetpbm(output, info);
}

describe('JPEG 2000 (OpenJPEG through dcmjs-codecs)', () => {
  it.each([
    ['JPEG2000.dcm', false], // .91, signed 16-bit
    ['693_J2KI.dcm', false], // .91, signed, Bits Stored 14 in a 16-bit codestream
    ['SC_rgb_gdcm_KY.dcm', false], // .91, RGB
    ['GDCMJ2K_TextGBR.dcm', true], // .90 wrapped in JP2, YBR_RCT
  ])('%s matches opj_decompress', async (name, jp2) => {
    const loaded = await load(join(PYDICOM, name));
    const [frame] = await decodeAll(loaded);
    expectSamePixels(frame!.pixels, opjDecompress(loaded.encoded![0]!, loaded.info, jp2));
    if (loaded.info.samplesPerPixel === 3) expect(frame!.photometricInterpretation).toBe('RGB');
  });

  it('sign-extends an unsigned 13-bit codestream of a signed data set (J2K_pixelrep_mismatch.dcm)', async () => {
    const loaded = await load(join(PYDICOM, 'J2K_pixelrep_mismatch.dcm'));
    expect(loaded.info).toMatchObject({ pixelRepresentation: 1, bitsStored: 13 });
    const [frame] = await decodeAll(loaded);
    const reference = opjDecompress(loaded.encoded![0]!, loaded.info); // unsigned 13-bit values
    expectSamePixels(frame!.pixels, extendSign(reference, 13));
    expect(sampleValues(frame!.pixels, 16, true).some((value) => value < 0)).toBe(true);
  });

  it.each([
    ['unsigned 16-bit', mono(48, 61, 16, 16, false)],
    ['unsigned 12-bit', mono(48, 61, 16, 12, false)],
    ['8-bit', mono(48, 61, 8, 8, false)],
  ])('lossless %s: exactly the original', async (_name, info) => {
    const pixels = phantom(info, 1);
    const frame = await decodePixels('1.2.840.10008.1.2.4.90', opjCompress(pixels, info), info);
    expectSamePixels(frame.pixels, pixels);
  });

  it('lossless RGB with the reversible colour transform (YBR_RCT): exactly the original, as RGB', async () => {
    const pixels = phantom(RGB8, 1);
    const info = { ...RGB8, photometricInterpretation: 'YBR_RCT' };
    const frame = await decodePixels('1.2.840.10008.1.2.4.90', opjCompress(pixels, RGB8, '-mct', '1'), info);
    expectSamePixels(frame.pixels, pixels);
    expect(frame.photometricInterpretation).toBe('RGB');
  });

  it('calls colour without a component transform labelled YBR_FULL_422 what it now is: YBR_FULL', async () => {
    const pixels = phantom(RGB8, 1);
    const info = { ...RGB8, photometricInterpretation: 'YBR_FULL_422' };
    const frame = await decodePixels('1.2.840.10008.1.2.4.90', opjCompress(pixels, RGB8, '-mct', '0'), info);
    expectSamePixels(frame.pixels, pixels);
    expect(frame.photometricInterpretation).toBe('YBR_FULL');
  });

  it('lossy (ratio 10): what opj_decompress decodes', async () => {
    const info = mono(48, 61, 16, 12, false);
    const codestream = opjCompress(phantom(info, 1), info, '-r', '10');
    const frame = await decodePixels('1.2.840.10008.1.2.4.91', codestream, info);
    expect(difference(frame.pixels, opjDecompress(codestream, info), 16, false).max).toBeLessThanOrEqual(1);
  });
});

describe('HTJ2K (OpenJPH, OpenJPEG for Part 1 codestreams)', () => {
  it.each([
    ['unsigned 16-bit', mono(48, 61, 16, 16, false)],
    ['unsigned 12-bit', mono(48, 61, 16, 12, false)],
    ['8-bit', mono(48, 61, 8, 8, false)],
    ['RGB with colour transform', RGB8],
  ])('reversible %s (ojph_compress): exactly the original', async (_name, info) => {
    const pixels = phantom(info, 1);
    for (const syntax of ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203']) {
      const frame = await decodePixels(syntax, ojphCompress(pixels, info, '-reversible', 'true'), info);
      expectSamePixels(frame.pixels, pixels);
    }
  });

  // Debian's OpenJPH 0.9 writes signed samples in a non-conformant way (OpenJPH issue #102, fixed
  // later): OpenJPEG and current OpenJPH both read its negative values as 32767. Signed codestreams are
  // therefore written with the encoder of the npm build and checked against OpenJPEG's opj_decompress.
  it.each([
    ['signed 16-bit', mono(48, 61, 16, 16, true)],
    ['signed 12-bit', mono(48, 61, 16, 12, true)],
  ])('reversible %s: exactly the original and what opj_decompress decodes', async (_name, info) => {
    const pixels = phantom(info, 1);
    const codestream = await htj2kEncode(pixels, info);
    expect(codestream[42]).toBe(0x80 | (info.bitsStored - 1)); // Ssiz: signed, of Bits Stored precision
    const frame = await decodePixels('1.2.840.10008.1.2.4.201', codestream, info);
    expectSamePixels(frame.pixels, pixels);
    expectSamePixels(frame.pixels, extendSign(opjDecompress(codestream, info), info.bitsStored));
  });

  it('irreversible: what ojph_expand decodes', async () => {
    for (const info of [mono(48, 61, 16, 12, false), RGB8]) {
      const codestream = ojphCompress(phantom(info, 1), info, '-qstep', '0.01');
      const frame = await decodePixels('1.2.840.10008.1.2.4.203', codestream, info);
      expect(
        difference(frame.pixels, ojphExpand(codestream, info), info.bitsAllocated, false).max,
      ).toBeLessThanOrEqual(1);
    }
  });

  it('decodes a Part 1 (non-HT) codestream stored under an HTJ2K syntax', async () => {
    const info = mono(48, 61, 16, 16, false);
    const pixels = phantom(info, 1);
    const frame = await decodePixels('1.2.840.10008.1.2.4.203', opjCompress(pixels, info), info);
    expectSamePixels(frame.pixels, pixels);
  });
});

describe('Deflated Image Frame Compression and encapsulated uncompressed', () => {
  it('inflates each frame (raw deflate, RFC 1951)', async () => {
    const info = mono(30, 41, 16, 16, true);
    const pixels = phantom(info, 1);
    const frame = await decodePixels('1.2.840.10008.1.2.8.1', deflateRawSync(pixels), info);
    expectSamePixels(frame.pixels, pixels);
  });

  it('ignores padding after a deflated frame, but not a frame that inflates to far more', async () => {
    const info = mono(3, 3, 8, 8, false);
    const pixels = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 0);
    expectSamePixels(
      (await decodePixels('1.2.840.10008.1.2.8.1', deflateRawSync(pixels), info)).pixels,
      pixels.subarray(0, 9),
    );
    await expectRejected(
      decodePixels('1.2.840.10008.1.2.8.1', deflateRawSync(new Uint8Array(100_000)), info),
      'corrupt',
    );
  });

  it('inflates a 1-bit segmentation frame, which starts on a byte boundary', async () => {
    const info = { ...mono(10, 13, 1, 1, false) };
    const bits = Uint8Array.from({ length: 17 }, (_, i) => (i * 37) & 0xff);
    const frame = await decodePixels('1.2.840.10008.1.2.8.1', deflateRawSync(bits), info);
    expectSamePixels(frame.pixels, bits);
  });

  it('copies encapsulated uncompressed frames', async () => {
    const info = mono(3, 5, 8, 8, false);
    const pixels = Uint8Array.from({ length: 16 }, (_, i) => i);
    const frame = await decodePixels('1.2.840.10008.1.2.1.98', pixels, info);
    expectSamePixels(frame.pixels, pixels.subarray(0, 15));
  });
});

describe('corrupt and unsupported input', () => {
  const info16 = mono(48, 61, 16, 16, false);
  const random = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 251);
  const withHeader = (prefix: number[]) => Uint8Array.from([...prefix, ...random]);
  let codestreams: Record<string, Uint8Array>;

  beforeAll(async () => {
    const pixels = phantom(info16, 1);
    const jpegLs = await viaDcmtk(info16, 1, ['dcmcjpls'], 'dcmdjpls');
    const jpeg = await viaDcmtk(info16, 1, ['dcmcjpeg', '+e1'], 'dcmdjpeg');
    const rle = await viaDcmtk(info16, 1, ['dcmcrle'], 'dcmdrle');
    codestreams = {
      '1.2.840.10008.1.2.4.70': jpeg.compressed.encoded![0]!,
      '1.2.840.10008.1.2.4.80': jpegLs.compressed.encoded![0]!,
      '1.2.840.10008.1.2.4.90': opjCompress(pixels, info16),
      '1.2.840.10008.1.2.4.201': ojphCompress(pixels, info16, '-reversible', 'true'),
      '1.2.840.10008.1.2.5': rle.compressed.encoded![0]!,
      '1.2.840.10008.1.2.8.1': deflateRawSync(pixels),
    };
  });

  it.each([
    '1.2.840.10008.1.2.4.50',
    '1.2.840.10008.1.2.4.70',
    '1.2.840.10008.1.2.4.80',
    '1.2.840.10008.1.2.4.90',
    '1.2.840.10008.1.2.4.201',
    '1.2.840.10008.1.2.5',
    '1.2.840.10008.1.2.8.1',
  ])(
    '%s: random bytes, bytes after a valid-looking start, and nothing at all are rejected',
    async (syntax) => {
      await expectRejected(decodePixels(syntax, random, info16), 'corrupt');
      await expectRejected(
        decodePixels(syntax, withHeader([0xff, 0xd8, 0xff, 0xc3, 0x00, 0x0b]), info16),
        'corrupt',
      );
      await expectRejected(decodePixels(syntax, withHeader([0xff, 0x4f, 0xff, 0x51]), info16), 'corrupt');
      await expectRejected(decodePixels(syntax, new Uint8Array(0), info16), 'corrupt');
    },
  );

  it.each([
    '1.2.840.10008.1.2.4.70',
    '1.2.840.10008.1.2.4.80',
    '1.2.840.10008.1.2.4.90',
    '1.2.840.10008.1.2.4.201',
    '1.2.840.10008.1.2.5',
    '1.2.840.10008.1.2.8.1',
  ])('%s: a truncated codestream is rejected, and the decoder still works afterwards', async (syntax) => {
    const whole = codestreams[syntax]!;
    for (const keep of [0.5, 0.9]) {
      await expectRejected(
        decodePixels(syntax, whole.slice(0, Math.floor(whole.length * keep)), info16),
        'corrupt',
      );
    }
    const frame = await decodePixels(syntax, whole, info16);
    expectSamePixels(frame.pixels, phantom(info16, 1));
  });

  it.each([
    '1.2.840.10008.1.2.4.70',
    '1.2.840.10008.1.2.4.80',
    '1.2.840.10008.1.2.4.90',
    '1.2.840.10008.1.2.4.201',
  ])(
    '%s: a damaged body either decodes or is rejected as corrupt, and the decoder still works afterwards',
    async (syntax) => {
      const whole = codestreams[syntax]!;
      for (const fill of [0x00, 0xff, 0x5a]) {
        const damaged = whole.slice();
        damaged.fill(fill, 200, Math.min(whole.length - 10, 1200));
        await decodePixels(syntax, damaged, info16).catch((error: unknown) => {
          expect(error).toBeInstanceOf(CodecError);
          expect((error as CodecError).reason).toBe('corrupt');
        });
      }
      expectSamePixels((await decodePixels(syntax, whole, info16)).pixels, phantom(info16, 1));
    },
  );

  it('rejects a codestream whose size contradicts the data set', async () => {
    for (const syntax of [
      '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.90',
      '1.2.840.10008.1.2.4.201',
    ]) {
      await expectRejected(decodePixels(syntax, codestreams[syntax]!, { ...info16, rows: 47 }), 'corrupt');
      await expectRejected(
        decodePixels(syntax, codestreams[syntax]!, { ...info16, samplesPerPixel: 3 }),
        'corrupt',
      );
    }
  });

  it('refuses syntaxes and pixel descriptions it cannot decode', async () => {
    await expectRejected(decodePixels('1.2.840.10008.1.2.4.100', random, info16), 'unsupported');
    await expectRejected(
      decodePixels('1.2.840.10008.1.2.4.90', random, { ...info16, rows: 0 }),
      'unsupported',
    );
    await expectRejected(
      decodePixels('1.2.840.10008.1.2.4.90', random, { ...info16, bitsStored: 17 }),
      'unsupported',
    );
    await expectRejected(
      decodePixels('1.2.840.10008.1.2.4.90', random, { ...info16, bitsAllocated: 32, bitsStored: 32 }),
      'unsupported',
    );
    await expectRejected(
      decodePixels('1.2.840.10008.1.2.5', random, {
        ...info16,
        rows: 65535,
        columns: 65535,
        samplesPerPixel: 4,
      }),
      'unsupported',
    );
  });
});

import { JsonTag, numberOf } from '../dicomweb/dicom-json';
import type { StackFrame } from './series-stack';

/**
 * The viewer's memory budget for decoded images and volumes: a quarter of what the browser reports the
 * device has (`navigator.deviceMemory`, which Chromium caps at 8 GB), at most 2 GB, at least 512 MB. It
 * bounds the viewer's cache, and what the tab holds for a volume (`volumeBytes`): a volume that would not
 * fit is built at a lower resolution, never by crashing the tab.
 */
export function memoryBudgetBytes(deviceMemoryGb: number | undefined): number {
  const device = (deviceMemoryGb ?? 4) * 1024 ** 3;
  return Math.min(2 * 1024 ** 3, Math.max(512 * 1024 ** 2, device / 4));
}

/**
 * Bytes of one sample in the viewer's cache as Cornerstone's volume loader keeps it: 8-bit samples as
 * bytes, 64-bit ones as doubles, other wide ones as floats, and 16-bit ones as 16-bit integers unless the
 * first, middle or last slice rescales them to fractions (the slices Cornerstone looks at), then floats.
 */
export function cachedSampleBytes(frames: StackFrame[]): 1 | 2 | 4 | 8 {
  const first = frames[0]?.metadata ?? {};
  const bits = numberOf(first, JsonTag.BitsAllocated) ?? 16;
  if (bits <= 8) return 1;
  if (bits > 32) return 8;
  if (bits > 16) return 4;
  const looked = [frames[0], frames[Math.floor(frames.length / 2)], frames[frames.length - 1]];
  const fractional = looked.some((frame) => {
    const metadata = frame?.metadata ?? {};
    const slope = numberOf(metadata, JsonTag.RescaleSlope) ?? 1;
    const intercept = numberOf(metadata, JsonTag.RescaleIntercept) ?? 0;
    return !Number.isInteger(slope) || !Number.isInteger(intercept);
  });
  return fractional ? 4 : 2;
}

/**
 * Bytes the tab holds for a volume of these frames, not only the cache's share: each sample is kept in the
 * cache, in the GPU's texture, and once more by the renderer as the texture is uploaded. The texture
 * keeps bytes as bytes, 16-bit integers as they are when the GPU takes normalised 16-bit textures
 * (`norm16`), and anything else as 32-bit floats; colour images have three samples a voxel. Measured on
 * Chromium with software WebGL (no `norm16`): the renderer and GPU processes together grew by ~9.5 bytes a
 * voxel for a 16-bit CT, against 2 + 2 × 4 = 10 here (docs/benchmarks.md). The largest slice counts, so
 * that a first slice without Rows or Columns does not make a volume free.
 */
export function volumeBytes(frames: StackFrame[], norm16Textures: boolean): number {
  if (frames.length === 0) return 0;
  let slice = 0;
  for (const { metadata } of frames) {
    const samples = numberOf(metadata, JsonTag.SamplesPerPixel) ?? 1;
    slice = Math.max(
      slice,
      (numberOf(metadata, JsonTag.Rows) ?? 0) * (numberOf(metadata, JsonTag.Columns) ?? 0) * samples,
    );
  }
  const cached = cachedSampleBytes(frames);
  const texture = cached === 1 || (cached === 2 && norm16Textures) ? cached : 4;
  return slice * frames.length * (cached + 2 * texture);
}

/**
 * The frames to build a volume from within a budget: all of them, or every k-th slice (the smallest k that
 * fits), which keeps the geometry exact at a coarser slice spacing.
 */
export function framesWithinBudget(
  frames: StackFrame[],
  budget: number,
  norm16Textures: boolean,
): { frames: StackFrame[]; step: number } {
  const needed = volumeBytes(frames, norm16Textures);
  if (needed <= budget || frames.length < 3) return { frames, step: 1 };
  const step = Math.ceil(needed / budget);
  const kept = frames.filter((_, index) => index % step === 0);
  return { frames: kept.length >= 3 ? kept : frames.slice(0, 3), step };
}

/** An English ordinal for the viewer's notice: 2nd, 3rd, 4th, 11th, 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

import { JsonTag, numberOf } from '../dicomweb/dicom-json';
import type { StackFrame } from './series-stack';

/**
 * The viewer's memory budget for decoded images and volumes: a quarter of what the browser reports the
 * device has (`navigator.deviceMemory`, which Chromium caps at 8 GB), at most 2 GB, at least 512 MB. A
 * series that would not fit is shown at a lower resolution, never by crashing the tab.
 */
export function memoryBudgetBytes(deviceMemoryGb: number | undefined): number {
  const device = (deviceMemoryGb ?? 4) * 1024 ** 3;
  return Math.min(2 * 1024 ** 3, Math.max(512 * 1024 ** 2, device / 4));
}

/** Bytes a volume of these frames needs (voxels as 32-bit floats, as the volume loader keeps them). */
export function volumeBytes(frames: StackFrame[]): number {
  const first = frames[0]?.metadata;
  if (first === undefined) return 0;
  const rows = numberOf(first, JsonTag.Rows) ?? 0;
  const columns = numberOf(first, JsonTag.Columns) ?? 0;
  return rows * columns * frames.length * 4;
}

/**
 * The frames to build a volume from within a budget: all of them, or every k-th slice (the smallest k that
 * fits), which keeps the geometry exact at a coarser slice spacing.
 */
export function framesWithinBudget(
  frames: StackFrame[],
  budget: number,
): { frames: StackFrame[]; step: number } {
  const needed = volumeBytes(frames);
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

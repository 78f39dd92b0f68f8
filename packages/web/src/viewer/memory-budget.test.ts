import { describe, expect, it } from 'vitest';
import { JsonTag } from '../dicomweb/dicom-json';
import {
  cachedSampleBytes,
  framesWithinBudget,
  memoryBudgetBytes,
  ordinal,
  volumeBytes,
} from './memory-budget';
import type { StackFrame } from './series-stack';

function frames(count: number, size = 512): StackFrame[] {
  return Array.from({ length: count }, (_, i) => ({
    sopInstanceUid: `1.${i}`,
    frame: 1,
    imageId: `wadors:/x/${i}`,
    metadata: { [JsonTag.Rows]: { vr: 'US', Value: [size] }, [JsonTag.Columns]: { vr: 'US', Value: [size] } },
  }));
}

describe('memory budget', () => {
  it('is a quarter of the device memory, between 512 MB and 2 GB', () => {
    expect(memoryBudgetBytes(8)).toBe(2 * 1024 ** 3);
    expect(memoryBudgetBytes(4)).toBe(1024 ** 3);
    expect(memoryBudgetBytes(0.5)).toBe(512 * 1024 ** 2);
    expect(memoryBudgetBytes(undefined)).toBe(1024 ** 3);
  });

  it('counts what the tab holds for a volume: the cache, the texture and its upload', () => {
    const ct = frames(600);
    // 16-bit CT: 2 bytes cached, a 16-bit texture twice (norm16) or a 32-bit float texture twice.
    expect(volumeBytes(ct, true)).toBe(512 * 512 * 600 * 6);
    expect(volumeBytes(ct, false)).toBe(512 * 512 * 600 * 10);
    const withTag = (count: number, tag: string, vr: string, value: number) =>
      frames(count).map((f) => ({ ...f, metadata: { ...f.metadata, [tag]: { vr, Value: [value] } } }));
    // Rescaled to fractions: floats in the cache and in the texture.
    const rescaled = withTag(10, JsonTag.RescaleSlope, 'DS', 0.5);
    expect(cachedSampleBytes(rescaled)).toBe(4);
    expect(volumeBytes(rescaled, true)).toBe(512 * 512 * 10 * 12);
    // Only the middle slice rescaled to fractions: Cornerstone looks at it too.
    const middle = frames(9).map((f, i) =>
      i === 4 ? { ...f, metadata: { ...f.metadata, [JsonTag.RescaleSlope]: { vr: 'DS', Value: [0.5] } } } : f,
    );
    expect(cachedSampleBytes(middle)).toBe(4);
    // 8-bit: bytes everywhere, whatever the rescale.
    const eightBit = withTag(10, JsonTag.BitsAllocated, 'US', 8);
    expect(volumeBytes(eightBit, false)).toBe(512 * 512 * 10 * 3);
    // 64-bit floats: doubles in the cache, floats in the texture.
    expect(cachedSampleBytes(withTag(10, JsonTag.BitsAllocated, 'US', 64))).toBe(8);
    // Colour: three samples a voxel.
    const rgb = withTag(10, JsonTag.SamplesPerPixel, 'US', 3).map((f) => ({
      ...f,
      metadata: { ...f.metadata, [JsonTag.BitsAllocated]: { vr: 'US', Value: [8] } },
    }));
    expect(volumeBytes(rgb, false)).toBe(512 * 512 * 10 * 3 * 3);
    // A first slice without Rows and Columns does not make the volume free.
    const headless = frames(10).map((f, i) => (i === 0 ? { ...f, metadata: {} } : f));
    expect(volumeBytes(headless, false)).toBe(512 * 512 * 10 * 10);
  });

  it('keeps every slice of a volume that fits, and every k-th of one that does not', () => {
    const ct = frames(600); // 1.5 GB with 32-bit textures, 0.9 GB with 16-bit ones
    expect(framesWithinBudget(ct, 2 * 1024 ** 3, false)).toMatchObject({ step: 1 });
    expect(framesWithinBudget(ct, 1024 ** 3, true)).toMatchObject({ step: 1 });
    const reduced = framesWithinBudget(ct, 512 * 1024 ** 2, false);
    expect(reduced.step).toBe(3);
    expect(reduced.frames).toHaveLength(200);
    expect(reduced.frames[1]?.sopInstanceUid).toBe('1.3');
    expect(framesWithinBudget(ct, 512 * 1024 ** 2, true).step).toBe(2);
  });

  it('says which slices it kept in English', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });
});

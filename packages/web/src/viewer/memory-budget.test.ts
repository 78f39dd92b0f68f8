import { describe, expect, it } from 'vitest';
import { JsonTag } from '../dicomweb/dicom-json';
import { framesWithinBudget, memoryBudgetBytes, ordinal, volumeBytes } from './memory-budget';
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

  it('keeps every slice of a volume that fits, and every k-th of one that does not', () => {
    const ct = frames(600); // 600 MB as floats
    expect(volumeBytes(ct)).toBe(512 * 512 * 600 * 4);
    expect(framesWithinBudget(ct, 1024 ** 3)).toMatchObject({ step: 1 });
    const reduced = framesWithinBudget(ct, 256 * 1024 ** 2);
    expect(reduced.step).toBe(3);
    expect(reduced.frames).toHaveLength(200);
    expect(reduced.frames[1]?.sopInstanceUid).toBe('1.3');
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

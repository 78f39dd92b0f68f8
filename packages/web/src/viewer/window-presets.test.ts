import { describe, expect, it } from 'vitest';
import { windowPresets } from './window-presets';

describe('windowPresets', () => {
  it('offers CT windows in HU with distinct shortcuts', () => {
    const ct = windowPresets('CT');
    expect(ct.find((p) => p.name === 'Lung')).toMatchObject({ center: -600, width: 1500 });
    expect(new Set(ct.map((p) => p.key)).size).toBe(ct.length);
  });
  it('offers none where the modality has no fixed units', () => {
    expect(windowPresets('MR')).toEqual([]);
  });
});

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
  it("offers the user's presets after the built-in ones, on the digits left free", () => {
    const own = [
      { name: 'Subdural', center: 75, width: 215 },
      { name: 'Temporal bone', center: 700, width: 4000 },
      { name: 'Fat', center: -100, width: 300 },
    ];
    const ct = windowPresets('CT', own);
    expect(ct.slice(0, 7).map((p) => p.own ?? false)).toEqual(Array(7).fill(false));
    expect(ct.slice(7)).toEqual([
      { name: 'Subdural', center: 75, width: 215, key: '8', own: true },
      { name: 'Temporal bone', center: 700, width: 4000, key: '9', own: true },
      // No digit left: a button only.
      { name: 'Fat', center: -100, width: 300, key: '', own: true },
    ]);
    expect(windowPresets('MR', own).map((p) => p.key)).toEqual(['1', '2', '3']);
    expect(windowPresets('PT', own).map((p) => p.key)).toEqual(['1', '2', '3', '4']);
  });
});

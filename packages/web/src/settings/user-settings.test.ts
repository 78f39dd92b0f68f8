import { describe, expect, it } from 'vitest';
import { windowPresetsPatch } from './user-settings';

describe('windowPresetsPatch', () => {
  it('sends each edited list, and null for a modality whose presets were all removed', () => {
    const bone = { name: 'Bone', center: 500, width: 2000 };
    const suv = { name: 'SUV 0–10', center: 5, width: 10 };
    const brain = { name: 'Brain', center: 40, width: 80 };
    expect(windowPresetsPatch({ CT: [bone], PT: [suv] }, { CT: [bone, brain] })).toEqual({
      CT: [bone, brain],
      PT: null,
    });
    expect(windowPresetsPatch({ CT: [bone] }, {})).toEqual({ CT: null });
    expect(windowPresetsPatch({}, { MR: [brain] })).toEqual({ MR: [brain] });
  });
});

/** A named window (PS3.3 C.11.2.1.2: centre and width in modality units). */
export interface WindowPreset {
  name: string;
  center: number;
  width: number;
  /** Keyboard shortcut (digit). */
  key: string;
}

/** Window presets per modality, as reading rooms use them; CT in Hounsfield units. */
const PRESETS: Record<string, WindowPreset[]> = {
  CT: [
    { name: 'Soft tissue', center: 40, width: 400, key: '1' },
    { name: 'Lung', center: -600, width: 1500, key: '2' },
    { name: 'Bone', center: 480, width: 2500, key: '3' },
    { name: 'Brain', center: 40, width: 80, key: '4' },
    { name: 'Liver', center: 60, width: 160, key: '5' },
    { name: 'Mediastinum', center: 50, width: 350, key: '6' },
    { name: 'Stroke', center: 32, width: 8, key: '7' },
  ],
  PT: [{ name: 'SUV 0–5', center: 2.5, width: 5, key: '1' }],
};

/** The presets offered for a modality (none for modalities without fixed units, e.g. MR). */
export function windowPresets(modality: string): WindowPreset[] {
  return PRESETS[modality] ?? [];
}

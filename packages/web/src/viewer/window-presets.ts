import type { UserWindowPreset } from '../settings/user-settings';

/** A named window (PS3.3 C.11.2.1.2: centre and width in modality units). */
export interface WindowPreset {
  name: string;
  center: number;
  width: number;
  /** Keyboard shortcut (digit); empty when the digits ran out. */
  key: string;
  /** One of the user's own presets (Settings), rather than a built-in one. */
  own?: boolean;
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

/** The keys presets may have: the digits a hand finds without looking, in order. */
const PRESET_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * The presets offered for a modality: the built-in ones (none for modalities without fixed units, e.g.
 * MR), then the user's own from their settings, in their order. The user's take the digits the built-in
 * ones left free; those beyond 9 are offered by button only.
 */
export function windowPresets(modality: string, own: readonly UserWindowPreset[] = []): WindowPreset[] {
  const builtIn = PRESETS[modality] ?? [];
  const free = PRESET_KEYS.filter((key) => !builtIn.some((p) => p.key === key));
  return [
    ...builtIn,
    ...own.map((p, index) => ({
      name: p.name,
      center: p.center,
      width: p.width,
      key: free[index] ?? '',
      own: true,
    })),
  ];
}

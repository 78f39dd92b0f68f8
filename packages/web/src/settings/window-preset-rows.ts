import {
  MAX_PRESET_NAME_LENGTH,
  MAX_PRESETS_PER_MODALITY,
  type UserSettings,
  type UserWindowPreset,
} from './user-settings';

/** One preset as the settings form edits it: the fields as typed. */
export interface WindowPresetRow {
  modality: string;
  name: string;
  center: string;
  width: string;
}

type PresetsByModality = UserSettings['viewer']['windowPresets'];

/** The form's rows of the user's presets, modality by modality, each modality's in its own order. */
export function presetRows(presets: PresetsByModality): WindowPresetRow[] {
  return Object.entries(presets).flatMap(([modality, list]) =>
    list.map((p) => ({ modality, name: p.name, center: String(p.center), width: String(p.width) })),
  );
}

/** A number as typed; a comma is taken as the decimal separator too (2,5 as many keyboards write it). */
function numberOf(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return undefined;
  return Number(trimmed);
}

/**
 * The rows as the settings document holds them, or what is wrong with the first bad row (numbered from 1,
 * as the form labels them). The server checks the same again; saying it here names the row.
 */
export function presetsOfRows(
  rows: readonly WindowPresetRow[],
): { presets: PresetsByModality } | { problem: string } {
  const presets: PresetsByModality = {};
  for (const [index, row] of rows.entries()) {
    const label = `Preset ${index + 1}`;
    const modality = row.modality.trim().toUpperCase();
    const name = row.name.trim();
    const center = numberOf(row.center);
    const width = numberOf(row.width);
    if (!/^[A-Z0-9_]{1,16}$/.test(modality))
      return { problem: `${label}: the modality is a code such as CT or MR.` };
    if (name === '') return { problem: `${label}: give it a name.` };
    if (name.length > MAX_PRESET_NAME_LENGTH)
      return { problem: `${label}: the name is longer than ${MAX_PRESET_NAME_LENGTH} characters.` };
    if (center === undefined) return { problem: `${label}: the centre is not a number.` };
    if (width === undefined || width <= 0) return { problem: `${label}: the width is a number above 0.` };
    const list: UserWindowPreset[] = (presets[modality] ??= []);
    if (list.some((p) => p.name.toLowerCase() === name.toLowerCase()))
      return { problem: `${label}: ${modality} has another preset named ${name}.` };
    if (list.length === MAX_PRESETS_PER_MODALITY)
      return { problem: `${label}: ${modality} has ${MAX_PRESETS_PER_MODALITY} presets already.` };
    list.push({ name, center, width });
  }
  return { presets };
}

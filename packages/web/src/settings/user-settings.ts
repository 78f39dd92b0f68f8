import { appFetch } from '../session/session-client';
import type { StudySortKey } from '../studies/study-search';
import type { SeriesRule } from '../viewer/hanging-protocol';

/**
 * A user's settings as the server keeps them (`/api/me/settings`, issue #5 §1), version 1. The server
 * validates every save (packages/server/src/user-settings/user-settings-document.ts has the schema);
 * this is the web app's view of the same document.
 */

/** How far back the study list searches when it opens. */
export const DATE_RANGES = [
  { value: 'any', label: 'Any date' },
  { value: 'today', label: 'Today' },
  { value: 'last-7-days', label: 'Last 7 days' },
  { value: 'last-30-days', label: 'Last 30 days' },
] as const;
export type DefaultDateRange = (typeof DATE_RANGES)[number]['value'];

/** Rows per page of the study list. */
export const PAGE_SIZES = [25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

/** `iso`: YYYY-MM-DD; `locale`: as the browser's language writes dates. */
export type DateFormat = 'iso' | 'locale';

/** The order the user last put the study list in (a column, A→Z or Z→A), which it opens in next time. */
export interface StudyListSort {
  column: StudySortKey;
  direction: 'asc' | 'desc';
}

/** A window of the user's own (centre and width in modality units, e.g. HU for CT). */
export interface UserWindowPreset {
  name: string;
  center: number;
  width: number;
}

/**
 * A hanging protocol of the user's own, tried before the built-in ones in the order of the list: when it
 * applies, and the series of each viewport of its layout, row by row (rows × columns rules).
 */
export interface UserHangingProtocol {
  name: string;
  /** Modality codes of the study, any of them; empty: any study. */
  modalities: string[];
  /** Words of the Study Description or Body Part Examined, any of them; empty: any body part. */
  bodyParts: string[];
  needsPrior: boolean;
  layout: { rows: number; columns: number };
  viewports: SeriesRule[];
}

export interface UserSettings {
  studyList: {
    defaultDateRange: DefaultDateRange;
    /** Modality codes the study list starts limited to; empty: every modality. */
    defaultModalities: string[];
    pageSize: PageSize;
    sort: StudyListSort;
  };
  viewer: {
    /** Per modality code, the user's presets, offered after the built-in ones. */
    windowPresets: Record<string, UserWindowPreset[]>;
    /** The user's hanging protocols, tried in this order before the built-in ones. */
    hangingProtocols: UserHangingProtocol[];
  };
  display: { dateFormat: DateFormat };
}

/** The server's bounds on presets, checked here too so the form can say so before saving. */
export const MAX_PRESETS_PER_MODALITY = 20;
export const MAX_PRESET_NAME_LENGTH = 32;
/** The server's bounds on hanging protocols (the words of a condition, and a word's length, too). */
export const MAX_HANGING_PROTOCOLS = 50;
export const MAX_PROTOCOL_NAME_LENGTH = 64;
export const MAX_LAYOUT_SIDE = 3;
export const MAX_CONDITION_ITEMS = 16;
export const MAX_WORD_LENGTH = 64;

/** What the server answers to a user who never saved any: the app as it always was. */
export const DEFAULT_SETTINGS: UserSettings = {
  studyList: {
    defaultDateRange: 'any',
    defaultModalities: [],
    pageSize: 50,
    sort: { column: 'StudyDate', direction: 'desc' },
  },
  viewer: { windowPresets: {}, hangingProtocols: [] },
  display: { dateFormat: 'iso' },
};

const SETTINGS_URL = '/api/me/settings';

/** The signed-in user's settings (the defaults when they never saved any). */
export async function loadSettings(signal?: AbortSignal): Promise<UserSettings> {
  const response = await appFetch(SETTINGS_URL, { signal });
  return (await response.json()) as UserSettings;
}

/**
 * Changes some of the user's settings and keeps the rest as they are stored at that moment (a JSON merge
 * patch, RFC 7396, applied by the server in one step): a screen saving its own settings never puts back
 * another screen's or workstation's older ones. Answers the settings now in force.
 */
export async function patchSettings(patch: SettingsPatch): Promise<UserSettings> {
  const response = await appFetch(SETTINGS_URL, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify(patch),
  });
  return (await response.json()) as UserSettings;
}

/** A merge patch of the settings: the sections and values to change. */
export interface SettingsPatch {
  studyList?: Partial<UserSettings['studyList']>;
  viewer?: {
    /** A modality's list replaces what was stored for it; `null` removes the modality's presets. */
    windowPresets?: Record<string, UserWindowPreset[] | null>;
    hangingProtocols?: UserHangingProtocol[];
  };
  display?: Partial<UserSettings['display']>;
}

/**
 * The window presets of a merge patch that leaves exactly `edited`: each modality's list as edited, and
 * `null` for a modality `loaded` had and `edited` no longer has (merged member by member, a modality left
 * out of the patch would otherwise keep its stored presets).
 */
export function windowPresetsPatch(
  loaded: Record<string, UserWindowPreset[]>,
  edited: Record<string, UserWindowPreset[]>,
): Record<string, UserWindowPreset[] | null> {
  const patch: Record<string, UserWindowPreset[] | null> = { ...edited };
  for (const modality of Object.keys(loaded)) if (!(modality in edited)) patch[modality] = null;
  return patch;
}

/** The sort saves under way, one after another. */
let sortSaves: Promise<unknown> = Promise.resolve();

/**
 * Keeps the study list's order in the user's settings, changing nothing else; answers the settings now in
 * force. Saves go one after another, so the last order chosen is the one kept.
 */
export function saveStudyListSort(sort: StudyListSort): Promise<UserSettings> {
  const saving = sortSaves.then(() => patchSettings({ studyList: { sort } }));
  sortSaves = saving.catch(() => undefined);
  return saving;
}

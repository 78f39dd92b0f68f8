import type { Plane, SeriesRule } from '../viewer/hanging-protocol';
import {
  MAX_CONDITION_ITEMS,
  MAX_HANGING_PROTOCOLS,
  MAX_LAYOUT_SIDE,
  MAX_PROTOCOL_NAME_LENGTH,
  MAX_WORD_LENGTH,
  type UserHangingProtocol,
} from './user-settings';

/** The planes a viewport's series may be asked to lie in. */
export const PLANES: readonly Plane[] = ['axial', 'sagittal', 'coronal', 'oblique'];

/** One viewport's rule as the settings form edits it: lists as typed, "" for any. */
export interface ViewportDraft {
  study: SeriesRule['study'];
  modalities: string;
  description: string;
  plane: Plane | '';
}

/** One of the user's protocols as the form edits it; `viewports` always rows × columns long, row by row. */
export interface ProtocolDraft {
  name: string;
  modalities: string;
  bodyParts: string;
  needsPrior: boolean;
  rows: number;
  columns: number;
  viewports: ViewportDraft[];
}

const ANY_SERIES: ViewportDraft = { study: 'current', modalities: '', description: '', plane: '' };

/** A new protocol: one viewport of any image series of the study opened. */
export const NEW_PROTOCOL: ProtocolDraft = {
  name: '',
  modalities: '',
  bodyParts: '',
  needsPrior: false,
  rows: 1,
  columns: 1,
  viewports: [ANY_SERIES],
};

/**
 * The protocol with another layout: each viewport keeps its rule where its row and column still exist (a
 * 2 × 2 made 2 × 3 keeps its four, a new column of any series is added), the others are dropped.
 */
export function withLayout(draft: ProtocolDraft, rows: number, columns: number): ProtocolDraft {
  const viewports = Array.from({ length: rows * columns }, (_, index) => {
    const row = Math.floor(index / columns);
    const column = index % columns;
    const kept = row < draft.rows && column < draft.columns;
    return (kept ? draft.viewports[row * draft.columns + column] : undefined) ?? ANY_SERIES;
  });
  return { ...draft, rows, columns, viewports };
}

/** The form's drafts of the user's protocols, in their order. */
export function protocolDrafts(protocols: readonly UserHangingProtocol[]): ProtocolDraft[] {
  return protocols.map((p) => ({
    name: p.name,
    modalities: p.modalities.join(', '),
    bodyParts: p.bodyParts.join(', '),
    needsPrior: p.needsPrior,
    rows: p.layout.rows,
    columns: p.layout.columns,
    viewports: p.viewports.map((rule) => ({
      study: rule.study,
      modalities: (rule.modality ?? []).join(', '),
      description: (rule.description ?? []).join(', '),
      plane: rule.plane ?? '',
    })),
  }));
}

/** Words as typed: separated by commas (a word may be a few, "diffusion weighted"), each trimmed, once. */
function wordsOf(text: string): string[] {
  const words = text
    .split(',')
    .map((w) => w.trim().replace(/\s+/g, ' '))
    .filter((w) => w !== '');
  return words.filter((w, i) => words.findIndex((o) => o.toLowerCase() === w.toLowerCase()) === i);
}

/** Modality codes as typed, by commas or spaces, in capitals (as Modality (0008,0060) holds them), once. */
function codesOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .filter((c) => c !== '')
        .map((c) => c.toUpperCase()),
    ),
  ];
}

/** What is wrong with a list of codes or words, or undefined. */
function listProblem(kind: 'codes' | 'words', list: readonly string[], what: string): string | undefined {
  if (list.length > MAX_CONDITION_ITEMS) return `${what}: at most ${MAX_CONDITION_ITEMS}.`;
  if (kind === 'codes' && list.some((c) => !/^[A-Z0-9_]{1,16}$/.test(c)))
    return `${what}: codes such as CT or MR, separated by commas.`;
  const long = list.find((w) => w.length > MAX_WORD_LENGTH);
  if (long !== undefined) return `${what}: “${long}” is longer than ${MAX_WORD_LENGTH} characters.`;
  return undefined;
}

/**
 * The drafts as the settings document holds them, or what is wrong with the first bad one (numbered from 1,
 * as the form labels them). The server checks the same again; saying it here names the protocol and viewport.
 */
export function protocolsOfDrafts(
  drafts: readonly ProtocolDraft[],
): { protocols: UserHangingProtocol[] } | { problem: string } {
  if (drafts.length > MAX_HANGING_PROTOCOLS)
    return { problem: `At most ${MAX_HANGING_PROTOCOLS} hanging protocols.` };
  const protocols: UserHangingProtocol[] = [];
  for (const [index, draft] of drafts.entries()) {
    const label = `Protocol ${index + 1}`;
    const name = draft.name.trim();
    if (name === '') return { problem: `${label}: give it a name.` };
    if (name.length > MAX_PROTOCOL_NAME_LENGTH)
      return { problem: `${label}: the name is longer than ${MAX_PROTOCOL_NAME_LENGTH} characters.` };
    if (protocols.some((p) => p.name.toLowerCase() === name.toLowerCase()))
      return { problem: `${label}: another protocol is named ${name}.` };
    const modalities = codesOf(draft.modalities);
    const bodyParts = wordsOf(draft.bodyParts);
    const problem =
      listProblem('codes', modalities, `${label}, study modalities`) ??
      listProblem('words', bodyParts, `${label}, body part words`);
    if (problem !== undefined) return { problem };
    const sides = [draft.rows, draft.columns];
    if (sides.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_LAYOUT_SIDE))
      return { problem: `${label}: 1 to ${MAX_LAYOUT_SIDE} rows and columns.` };
    if (draft.viewports.length !== draft.rows * draft.columns)
      return { problem: `${label}: one rule for each of its ${draft.rows * draft.columns} viewports.` };
    const viewports: SeriesRule[] = [];
    for (const [cell, viewport] of draft.viewports.entries()) {
      const where = `${label}, viewport ${cell + 1}`;
      const modality = codesOf(viewport.modalities);
      const description = wordsOf(viewport.description);
      const wrong =
        listProblem('codes', modality, `${where}, series modalities`) ??
        listProblem('words', description, `${where}, description words`);
      if (wrong !== undefined) return { problem: wrong };
      // A condition left empty is no condition: any series of the study.
      viewports.push({
        study: viewport.study,
        ...(modality.length > 0 ? { modality } : {}),
        ...(description.length > 0 ? { description } : {}),
        ...(viewport.plane !== '' ? { plane: viewport.plane } : {}),
      });
    }
    protocols.push({
      name,
      modalities,
      bodyParts,
      needsPrior: draft.needsPrior,
      layout: { rows: draft.rows, columns: draft.columns },
      viewports,
    });
  }
  return { protocols };
}

/** Where the viewer leaves a protocol made from its layout for the Settings page (this tab only). */
const FROM_VIEWER = 'lightbox:hanging-protocol-from-viewer';

/** Leaves a protocol made from the viewer's layout for the Settings page to add to the user's. */
export function offerProtocolFromViewer(protocol: UserHangingProtocol): void {
  sessionStorage.setItem(FROM_VIEWER, JSON.stringify(protocol));
}

/** The protocol the viewer left, if any; it stays until {@link forgetProtocolFromViewer}. */
export function protocolFromViewer(): UserHangingProtocol | undefined {
  try {
    const left = JSON.parse(sessionStorage.getItem(FROM_VIEWER) ?? 'null') as UserHangingProtocol | null;
    return left !== null && Array.isArray(left.viewports) ? left : undefined;
  } catch {
    return undefined;
  }
}

export function forgetProtocolFromViewer(): void {
  sessionStorage.removeItem(FROM_VIEWER);
}

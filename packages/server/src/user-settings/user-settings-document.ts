/**
 * A user's settings, version 1 (issue #5 §1): how the study list starts (its search, page size and the
 * order the user last sorted it in), the user's own window presets and hanging protocols, and how dates
 * are shown. The web app
 * reads and writes the whole document; the server only keeps it, so it follows the user to any
 * workstation.
 */

/** How far back the study list searches when it opens. */
export const DATE_RANGES = ['any', 'today', 'last-7-days', 'last-30-days'] as const;
export type DefaultDateRange = (typeof DATE_RANGES)[number];

/** Rows per page of the study list. */
export const PAGE_SIZES = [25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

/**
 * The attributes the study list's columns sort it by (its QIDO-RS `orderby`), from the patient's name to
 * the number of images: the list's own columns, nothing else.
 */
export const STUDY_SORT_COLUMNS = [
  'PatientName',
  'PatientID',
  'PatientBirthDate',
  'StudyDate',
  'ModalitiesInStudy',
  'StudyDescription',
  'AccessionNumber',
  'ReferringPhysicianName',
  'NumberOfStudyRelatedInstances',
] as const;
export type StudySortColumn = (typeof STUDY_SORT_COLUMNS)[number];

/** `asc`: A→Z, oldest or fewest first; `desc`: the reverse. */
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** The order the study list was last put in by the user, which it opens in next time. */
export interface StudyListSort {
  column: StudySortColumn;
  direction: SortDirection;
}

/** `iso`: YYYY-MM-DD; `locale`: as the browser's language writes dates. */
export const DATE_FORMATS = ['iso', 'locale'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** A window of the user's own (PS3.3 C.11.2.1.2: centre and width in modality units). */
export interface UserWindowPreset {
  name: string;
  center: number;
  width: number;
}

/** Which study a viewport shows: the one opened, or its most recent relevant prior. */
export const PROTOCOL_STUDIES = ['current', 'prior'] as const;
/** The plane of a series' images, from Image Orientation (Patient) (PS3.3 C.7.6.2.1.1). */
export const PLANES = ['axial', 'sagittal', 'coronal', 'oblique'] as const;
export type Plane = (typeof PLANES)[number];

/** What selects the series of one viewport: every condition given must hold. */
export interface SeriesRule {
  study: (typeof PROTOCOL_STUDIES)[number];
  /** Modality codes, any of them; left out: any modality. */
  modality?: string[];
  /** Words of the Series Description, any of them (whole words, any case); left out: any description. */
  description?: string[];
  plane?: Plane;
}

/**
 * A hanging protocol of the user's own, tried before the department's and the built-in ones (the
 * department's have the same shape): when it applies (the study's modalities and body part, a prior),
 * and the series of each viewport of its layout, row by row.
 */
export interface UserHangingProtocol {
  name: string;
  /** Modality codes of the study, any of them; empty: any study. */
  modalities: string[];
  /** Words of the Study Description or Body Part Examined, any of them; empty: any body part. */
  bodyParts: string[];
  needsPrior: boolean;
  layout: { rows: number; columns: number };
  /** One per viewport: rows × columns of them. */
  viewports: SeriesRule[];
}

export interface UserSettings {
  studyList: {
    defaultDateRange: DefaultDateRange;
    /** Modality codes (CT, MR, …) the list is limited to when it opens; empty: every modality. */
    defaultModalities: string[];
    pageSize: PageSize;
    sort: StudyListSort;
  };
  viewer: {
    /** Per modality code, the user's presets, offered after the built-in ones. */
    windowPresets: Record<string, UserWindowPreset[]>;
    /** The user's hanging protocols, in the order they are tried (before the built-in ones). */
    hangingProtocols: UserHangingProtocol[];
  };
  display: { dateFormat: DateFormat };
}

/** A document as stored or sent: every section and key may be left out, and is then the default. */
export interface UserSettingsDocument {
  studyList?: Partial<UserSettings['studyList']>;
  viewer?: Partial<UserSettings['viewer']>;
  display?: Partial<UserSettings['display']>;
}

/** What a user who never saved anything gets: the list as it always was. */
export function defaultUserSettings(): UserSettings {
  return {
    studyList: {
      defaultDateRange: 'any',
      defaultModalities: [],
      pageSize: 50,
      sort: { column: 'StudyDate', direction: 'desc' },
    },
    viewer: { windowPresets: {}, hangingProtocols: [] },
    display: { dateFormat: 'iso' },
  };
}

/** Presets per modality, and the length of a preset's name (it labels a toolbar button). */
export const MAX_PRESETS_PER_MODALITY = 20;
export const MAX_PRESET_NAME_LENGTH = 32;
/** Modalities with presets, and modalities the list may start limited to: bounds on a document's size. */
const MAX_MODALITIES = 32;
/** A Code String value (PS3.5 6.2, CS): upper case, digits, underscore; Modality (0008,0060) codes are these. */
const MODALITY_CODE = '^[A-Z0-9_]{1,16}$';
/** Generous bounds on a window: far beyond any modality's units, yet never a number that breaks rendering. */
const WINDOW_LIMIT = 1e7;

/** Hanging protocols of one user (or of the department), and the length of a name (shown in the viewer's toolbar). */
export const MAX_HANGING_PROTOCOLS = 50;
export const MAX_PROTOCOL_NAME_LENGTH = 64;
/** Rows and columns of a protocol's layout: the viewer's grid goes up to 3 × 3. */
export const MAX_LAYOUT_SIDE = 3;
/** Words or codes in one condition, and a word's length (a Series Description, LO, is at most 64). */
const MAX_CONDITION_ITEMS = 16;
const MAX_WORD_LENGTH = 64;

const modalityCodes = (minItems: number) =>
  ({
    type: 'array',
    minItems,
    maxItems: MAX_CONDITION_ITEMS,
    uniqueItems: true,
    items: { type: 'string', pattern: MODALITY_CODE },
  }) as const;

// A word (or a few, matched together) as typed, trimmed: blanks around it would never match a whole word.
const words = (minItems: number) =>
  ({
    type: 'array',
    minItems,
    maxItems: MAX_CONDITION_ITEMS,
    uniqueItems: true,
    items: { type: 'string', minLength: 1, maxLength: MAX_WORD_LENGTH, pattern: '^\\S(.*\\S)?$' },
  }) as const;

const layoutSide = { type: 'integer', minimum: 1, maximum: MAX_LAYOUT_SIDE } as const;

/**
 * A viewport's rule. Its lists, when given, are not empty: an empty list would match no series, which is
 * never what was meant (leave the condition out for "any").
 */
const seriesRule = {
  type: 'object',
  required: ['study'],
  additionalProperties: false,
  properties: {
    study: { type: 'string', enum: PROTOCOL_STUDIES },
    modality: modalityCodes(1),
    description: words(1),
    plane: { type: 'string', enum: PLANES },
  },
} as const;

const hangingProtocol = {
  type: 'object',
  required: ['name', 'modalities', 'bodyParts', 'needsPrior', 'layout', 'viewports'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: MAX_PROTOCOL_NAME_LENGTH, pattern: '\\S' },
    modalities: modalityCodes(0),
    bodyParts: words(0),
    needsPrior: { type: 'boolean' },
    layout: {
      type: 'object',
      required: ['rows', 'columns'],
      additionalProperties: false,
      properties: { rows: layoutSide, columns: layoutSide },
    },
    viewports: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_LAYOUT_SIDE * MAX_LAYOUT_SIDE,
      items: seriesRule,
    },
  },
} as const;

/**
 * A list of hanging protocols, in the order they are tried: a user's own (`viewer.hangingProtocols`) and
 * the department's (`/api/hanging-protocols`) are the same list, checked the same way.
 */
export const hangingProtocolsSchema = {
  type: 'array',
  maxItems: MAX_HANGING_PROTOCOLS,
  items: hangingProtocol,
} as const;

const windowPreset = {
  type: 'object',
  required: ['name', 'center', 'width'],
  additionalProperties: false,
  properties: {
    // Not blank: the name is all a toolbar button shows.
    name: { type: 'string', minLength: 1, maxLength: MAX_PRESET_NAME_LENGTH, pattern: '\\S' },
    center: { type: 'number', minimum: -WINDOW_LIMIT, maximum: WINDOW_LIMIT },
    width: { type: 'number', exclusiveMinimum: 0, maximum: WINDOW_LIMIT },
  },
} as const;

/**
 * The JSON schema of a document (draft-07). Unknown keys are refused at every level rather than kept:
 * a key this version does not know would be silently ignored by the app, which is worse than a 400.
 */
export const userSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    studyList: {
      type: 'object',
      additionalProperties: false,
      properties: {
        defaultDateRange: { type: 'string', enum: DATE_RANGES },
        defaultModalities: {
          type: 'array',
          maxItems: MAX_MODALITIES,
          uniqueItems: true,
          items: { type: 'string', pattern: MODALITY_CODE },
        },
        pageSize: { type: 'integer', enum: PAGE_SIZES },
        sort: {
          type: 'object',
          required: ['column', 'direction'],
          additionalProperties: false,
          properties: {
            column: { type: 'string', enum: STUDY_SORT_COLUMNS },
            direction: { type: 'string', enum: SORT_DIRECTIONS },
          },
        },
      },
    },
    viewer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        windowPresets: {
          type: 'object',
          maxProperties: MAX_MODALITIES,
          propertyNames: { type: 'string', pattern: MODALITY_CODE },
          additionalProperties: { type: 'array', maxItems: MAX_PRESETS_PER_MODALITY, items: windowPreset },
        },
        hangingProtocols: hangingProtocolsSchema,
      },
    },
    display: {
      type: 'object',
      additionalProperties: false,
      properties: { dateFormat: { type: 'string', enum: DATE_FORMATS } },
    },
  },
} as const;

/**
 * The first modality with two presets of the same name, or undefined. Names label the buttons and the
 * keyboard's help, so two alike could not be told apart (a schema cannot say this of objects).
 */
export function duplicatePresetName(document: UserSettingsDocument): string | undefined {
  for (const [modality, presets] of Object.entries(document.viewer?.windowPresets ?? {})) {
    const names = presets.map((p) => p.name.trim().toLowerCase());
    if (new Set(names).size !== names.length) return modality;
  }
  return undefined;
}

/**
 * What is wrong with the user's hanging protocols beyond what the schema says, or undefined: each needs
 * one rule per viewport of its layout, and no two may share a name (the toolbar names the one in use).
 */
export function hangingProtocolProblem(document: UserSettingsDocument): string | undefined {
  return protocolListProblem(document.viewer?.hangingProtocols ?? []);
}

/** What is wrong with a list of hanging protocols the schema let through, or undefined (see above). */
export function protocolListProblem(protocols: readonly UserHangingProtocol[]): string | undefined {
  const names = new Set<string>();
  for (const [index, protocol] of protocols.entries()) {
    const { rows, columns } = protocol.layout;
    if (protocol.viewports.length !== rows * columns) {
      return (
        `hanging protocol ${index + 1} (${protocol.name}) has ${protocol.viewports.length} viewport rules ` +
        `for a layout of ${rows} × ${columns}: one per viewport`
      );
    }
    const name = protocol.name.trim().toLowerCase();
    if (names.has(name)) return `two hanging protocols are named ${protocol.name.trim()}`;
    names.add(name);
  }
  return undefined;
}

/**
 * The settings in force: the stored document over the defaults, key by key. Only keys of this version
 * are taken, so a document written by a later version still reads (and saves again) here.
 */
export function effectiveSettings(stored: UserSettingsDocument): UserSettings {
  const defaults = defaultUserSettings();
  const list = stored.studyList ?? {};
  return {
    studyList: {
      defaultDateRange: list.defaultDateRange ?? defaults.studyList.defaultDateRange,
      defaultModalities: list.defaultModalities ?? defaults.studyList.defaultModalities,
      pageSize: list.pageSize ?? defaults.studyList.pageSize,
      sort: knownSort(list.sort) ?? defaults.studyList.sort,
    },
    viewer: {
      windowPresets: stored.viewer?.windowPresets ?? defaults.viewer.windowPresets,
      // Documents saved before users had protocols of their own have none.
      hangingProtocols: stored.viewer?.hangingProtocols ?? defaults.viewer.hangingProtocols,
    },
    display: { dateFormat: stored.display?.dateFormat ?? defaults.display.dateFormat },
  };
}

/**
 * A stored order this version can sort by, or undefined: documents saved before the list remembered its
 * order have none, and one of a later version may name a column this one does not show (the list then
 * opens newest first rather than asking the archive for an order it would refuse).
 */
function knownSort(sort: Partial<StudyListSort> | undefined): StudyListSort | undefined {
  const column = STUDY_SORT_COLUMNS.find((known) => known === sort?.column);
  const direction = SORT_DIRECTIONS.find((known) => known === sort?.direction);
  return column !== undefined && direction !== undefined ? { column, direction } : undefined;
}

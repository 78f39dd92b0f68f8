import { JsonTag, numbersOf, textOf, textsOf, type DicomJson } from '../dicomweb/dicom-json';
import { MAX_PROTOCOL_NAME_LENGTH, type UserHangingProtocol } from '../settings/user-settings';
import { isDocumentModality } from './no-images';

/** What selects a series for a viewport: all given conditions must hold. */
export interface SeriesRule {
  /** Which study: the one opened, or its most recent relevant prior. */
  study: 'current' | 'prior';
  modality?: string[];
  /** Any of these words in the Series Description (case-insensitive). */
  description?: string[];
  /** The plane of the images (from Image Orientation (Patient)). */
  plane?: Plane;
}

/** A hanging protocol: when it applies, and what each viewport of its layout shows. */
export interface HangingProtocol {
  name: string;
  /** Modalities in the study; empty means any. */
  modalities: string[];
  /** Words of the Study Description or Body Part Examined; empty means any. */
  bodyParts: string[];
  /** Whether it needs a prior to apply. */
  needsPrior: boolean;
  layout: readonly [rows: number, columns: number];
  viewports: SeriesRule[];
  /** One of the user's own (Settings), not built in. */
  own?: boolean;
  /** One of the department's (kept by the administrator), not built in. */
  department?: boolean;
}

/** The anatomical plane of images. */
export type Plane = 'axial' | 'sagittal' | 'coronal' | 'oblique';

/** A series as the rules see it. */
export interface SeriesFacts {
  studyUid: string;
  seriesUid: string;
  modality: string;
  description: string;
  bodyPart: string;
  plane?: Plane;
  /** Only image series hang (not SR, KOS, presentation states). */
  images: boolean;
}

/** Where a viewport of the layout shows which series. */
export interface HungViewport {
  studyUid: string;
  seriesUid: string;
}

/**
 * Lightbox's built-in protocols, most specific first: the first whose conditions hold is used; the last
 * ones always hold.
 */
export const BUILT_IN_PROTOCOLS: HangingProtocol[] = [
  {
    name: 'Chest X-ray PA + lateral, with prior',
    modalities: ['CR', 'DX'],
    bodyParts: ['chest', 'thorax', 'lung'],
    needsPrior: true,
    layout: [2, 2],
    viewports: [
      { study: 'current', description: ['pa', 'ap', 'frontal'] },
      { study: 'current', description: ['lat'] },
      { study: 'prior', description: ['pa', 'ap', 'frontal'] },
      { study: 'prior', description: ['lat'] },
    ],
  },
  {
    name: 'Chest X-ray PA + lateral',
    modalities: ['CR', 'DX'],
    bodyParts: ['chest', 'thorax', 'lung'],
    needsPrior: false,
    layout: [1, 2],
    viewports: [
      { study: 'current', description: ['pa', 'ap', 'frontal'] },
      { study: 'current', description: ['lat'] },
    ],
  },
  {
    name: 'MR brain sequences',
    modalities: ['MR'],
    bodyParts: ['brain', 'head', 'neuro'],
    needsPrior: false,
    layout: [2, 2],
    viewports: [
      { study: 'current', modality: ['MR'], description: ['t1'] },
      { study: 'current', modality: ['MR'], description: ['t2'] },
      { study: 'current', modality: ['MR'], description: ['flair'] },
      { study: 'current', modality: ['MR'], description: ['dwi', 'diffusion', 'adc'] },
    ],
  },
  {
    name: 'CT with prior',
    modalities: ['CT'],
    bodyParts: [],
    needsPrior: true,
    layout: [1, 2],
    viewports: [
      { study: 'current', modality: ['CT'], plane: 'axial' },
      { study: 'prior', modality: ['CT'], plane: 'axial' },
    ],
  },
  {
    name: 'CT axial + coronal',
    modalities: ['CT'],
    bodyParts: [],
    needsPrior: false,
    layout: [1, 2],
    viewports: [
      { study: 'current', modality: ['CT'], plane: 'axial' },
      { study: 'current', modality: ['CT'], plane: 'coronal' },
    ],
  },
  {
    name: 'Current beside prior',
    modalities: [],
    bodyParts: [],
    needsPrior: true,
    layout: [1, 2],
    viewports: [{ study: 'current' }, { study: 'prior' }],
  },
  {
    name: 'Single',
    modalities: [],
    bodyParts: [],
    needsPrior: false,
    layout: [1, 1],
    viewports: [{ study: 'current' }],
  },
];

/** A protocol kept by the server as the viewer tries it (settings name its layout's rows and columns). */
function savedProtocol(saved: UserHangingProtocol): HangingProtocol {
  return {
    name: saved.name,
    modalities: saved.modalities,
    bodyParts: saved.bodyParts,
    needsPrior: saved.needsPrior,
    layout: [saved.layout.rows, saved.layout.columns],
    viewports: saved.viewports,
  };
}

/** A protocol of the user's own as the viewer tries it. */
export function ownProtocol(own: UserHangingProtocol): HangingProtocol {
  return { ...savedProtocol(own), own: true };
}

/**
 * The protocols tried, in order: the user's own first, as they ordered them in Settings (a reader's way of
 * working wins over the department's), then the department's, as the administrator ordered them (they
 * win over Lightbox's defaults), then the built-in ones, whose last always applies.
 */
export function protocolsTried(
  own: readonly UserHangingProtocol[],
  department: readonly UserHangingProtocol[] = [],
): HangingProtocol[] {
  return [
    ...own.map(ownProtocol),
    ...department.map((protocol) => ({ ...savedProtocol(protocol), department: true })),
    ...BUILT_IN_PROTOCOLS,
  ];
}

/**
 * A protocol of the user's own that hangs the study as the viewer shows it now: its layout, and for each
 * viewport the study, modality, description and plane of the series there (a viewport left empty: any
 * series of the study). A start for Settings, where the user names it and loosens its words.
 */
export function protocolOfLayout(
  name: string,
  layout: readonly [rows: number, columns: number],
  studyModalities: readonly string[],
  shown: readonly ({ series: SeriesFacts; prior: boolean } | undefined)[],
): UserHangingProtocol {
  const [rows, columns] = layout;
  const viewports = Array.from({ length: rows * columns }, (_, cell): SeriesRule => {
    const hung = shown[cell];
    if (hung === undefined) return { study: 'current' };
    const { modality, description, plane } = hung.series;
    const phrases = description
      .split(',')
      .map((phrase) => phrase.trim().replace(/\s+/g, ' '))
      .filter((phrase) => phrase !== '');
    return {
      study: hung.prior ? 'prior' : 'current',
      ...(modality !== '' ? { modality: [modality] } : {}),
      // The whole description as one phrase (its parts between commas, as Settings reads them): the series
      // it names, not every series sharing one of its words.
      ...(phrases.length > 0 ? { description: phrases } : {}),
      ...(plane !== undefined ? { plane } : {}),
    };
  });
  return {
    name: name.trim().slice(0, MAX_PROTOCOL_NAME_LENGTH),
    modalities: [...new Set(studyModalities.filter(isImageModality))],
    bodyParts: [],
    needsPrior: viewports.some((v) => v.study === 'prior'),
    layout: { rows, columns },
    viewports,
  };
}

/**
 * Whether a series of this modality holds images to show (not a document about them: reports, key objects,
 * presentation states, segmentations, RT plans, waveforms; see no-images.ts).
 */
export function isImageModality(modality: string): boolean {
  return !isDocumentModality(modality);
}

/** The plane of an image from its row and column direction cosines. */
export function planeOf(orientation: readonly number[] | undefined): Plane | undefined {
  if (orientation === undefined || orientation.length !== 6) return undefined;
  const [rx = 0, ry = 0, rz = 0, cx = 0, cy = 0, cz = 0] = orientation;
  const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx].map(Math.abs);
  const main = normal.indexOf(Math.max(...normal));
  if ((normal[main] ?? 0) < 0.8) return 'oblique';
  return (['sagittal', 'coronal', 'axial'] as const)[main];
}

/** The facts of a series from its QIDO attributes and, when known, one instance's metadata. */
export function seriesFacts(studyUid: string, series: DicomJson, instance?: DicomJson): SeriesFacts {
  const modality = textOf(series, JsonTag.Modality);
  const plane = planeOf(
    instance !== undefined ? numbersOf(instance, JsonTag.ImageOrientationPatient) : undefined,
  );
  return {
    studyUid,
    seriesUid: textOf(series, JsonTag.SeriesInstanceUID),
    modality,
    description: textOf(series, JsonTag.SeriesDescription),
    bodyPart: textOf(series, JsonTag.BodyPartExamined),
    ...(plane !== undefined ? { plane } : {}),
    images: isImageModality(modality),
  };
}

/**
 * Whether any of the words is in the text as a whole word (or words), in any case. Users type the words
 * (T1, "T1+C", "diffusion weighted"): they are matched as written, never as patterns.
 */
function hasWord(text: string, words: string[]): boolean {
  const lower = text.toLowerCase();
  return words.some((word) => {
    const literal = word
      .toLowerCase()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      // A few words typed as one ("ax t2 tse") match however many blanks the description has between them.
      .replace(/\s+/g, '\\s+');
    return new RegExp(`(^|[^a-z0-9])${literal}([^a-z0-9]|$)`).test(lower);
  });
}

function seriesMatches(rule: SeriesRule, series: SeriesFacts): boolean {
  return (
    series.images &&
    (rule.modality === undefined || rule.modality.includes(series.modality)) &&
    (rule.description === undefined || hasWord(series.description, rule.description)) &&
    (rule.plane === undefined || series.plane === rule.plane)
  );
}

/** Whether a protocol applies to a study (its modalities, description and body parts) and its prior. */
export function protocolApplies(
  protocol: HangingProtocol,
  study: { modalities: string[]; description: string; bodyParts: string[] },
  hasPrior: boolean,
): boolean {
  if (protocol.needsPrior && !hasPrior) return false;
  if (protocol.modalities.length > 0 && !study.modalities.some((m) => protocol.modalities.includes(m)))
    return false;
  if (protocol.bodyParts.length > 0) {
    const text = [study.description, ...study.bodyParts].join(' ');
    if (!hasWord(text, protocol.bodyParts)) return false;
  }
  return true;
}

/**
 * Hangs a study: the first protocol that applies and fills every viewport it defines; a viewport whose
 * rule matches no series is left for the next protocol (a protocol that cannot be filled is not used).
 * Each series hangs once.
 */
export function hangStudy(
  protocols: HangingProtocol[],
  current: { modalities: string[]; description: string; series: SeriesFacts[] },
  prior: SeriesFacts[] | undefined,
): { protocol: HangingProtocol; viewports: HungViewport[] } {
  const study = { ...current, bodyParts: current.series.map((s) => s.bodyPart).filter(Boolean) };
  for (const protocol of protocols) {
    if (!protocolApplies(protocol, study, prior !== undefined && prior.some((s) => s.images))) continue;
    const used = new Set<string>();
    const viewports: HungViewport[] = [];
    for (const rule of protocol.viewports) {
      const pool = rule.study === 'current' ? current.series : (prior ?? []);
      const found = pool.find((s) => !used.has(s.seriesUid) && seriesMatches(rule, s));
      if (found === undefined) break;
      used.add(found.seriesUid);
      viewports.push({ studyUid: found.studyUid, seriesUid: found.seriesUid });
    }
    if (viewports.length === protocol.viewports.length) return { protocol, viewports };
  }
  const first = current.series.find((s) => s.images);
  return {
    protocol: BUILT_IN_PROTOCOLS[BUILT_IN_PROTOCOLS.length - 1]!,
    viewports: first !== undefined ? [{ studyUid: first.studyUid, seriesUid: first.seriesUid }] : [],
  };
}

/**
 * The most recent relevant prior of a study among the same patient's other studies: earlier than it,
 * sharing a modality, and sharing a body-part word of the description when both have one.
 */
export function relevantPrior(current: DicomJson, candidates: DicomJson[]): DicomJson | undefined {
  const uid = textOf(current, JsonTag.StudyInstanceUID);
  const date = `${textOf(current, JsonTag.StudyDate)}${textOf(current, JsonTag.StudyTime)}`;
  const modalities = new Set(textsOf(current, JsonTag.ModalitiesInStudy));
  const words = (study: DicomJson) =>
    new Set(
      textOf(study, JsonTag.StudyDescription)
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length > 2),
    );
  const currentWords = words(current);
  return candidates
    .filter((c) => textOf(c, JsonTag.StudyInstanceUID) !== uid)
    .filter((c) => `${textOf(c, JsonTag.StudyDate)}${textOf(c, JsonTag.StudyTime)}` < date)
    .filter(
      (c) => modalities.size === 0 || textsOf(c, JsonTag.ModalitiesInStudy).some((m) => modalities.has(m)),
    )
    .filter((c) => {
      const theirs = words(c);
      return currentWords.size === 0 || theirs.size === 0 || [...theirs].some((w) => currentWords.has(w));
    })
    .sort((a, b) =>
      `${textOf(b, JsonTag.StudyDate)}${textOf(b, JsonTag.StudyTime)}`.localeCompare(
        `${textOf(a, JsonTag.StudyDate)}${textOf(a, JsonTag.StudyTime)}`,
      ),
    )[0];
}

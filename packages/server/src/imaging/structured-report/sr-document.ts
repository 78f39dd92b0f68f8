import {
  elementNumbers,
  getNumbers,
  getString,
  getStrings,
  lookupUid,
  Tag,
  type DataSet,
} from '@lightbox/dicom';
import { formatDate, formatDateTime, formatPersonName, formatTime } from './sr-values.js';

/** A coded concept (PS3.3 §8.8): what a reader sees is its meaning, the code itself is kept for titles. */
export interface CodedConcept {
  meaning: string;
  /** `value (scheme)`, e.g. `121071 (DCM)`; empty when the item carries no code. */
  code: string;
}

/** A content item's value (PS3.3 §C.17.3, Table C.17.3-7), as a reader is shown it. */
export type ContentValue =
  | { kind: 'container'; continuous: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'code'; concept: CodedConcept }
  | { kind: 'measurement'; value: string; unit?: CodedConcept; qualifier?: CodedConcept }
  | { kind: 'reference'; description: string }
  | { kind: 'coordinates'; description: string }
  | { kind: 'by-reference'; target: string; targetName?: string }
  | { kind: 'empty' };

/** One node of the content tree (PS3.3 §C.17.3). */
export interface ContentItem {
  /** PS3.3 §C.17.3.2.4 (CONTAINS, HAS PROPERTIES, …); absent at the root. */
  relationship?: string;
  /** CONTAINER, TEXT, CODE, NUM, … */
  valueType: string;
  conceptName?: CodedConcept;
  value: ContentValue;
  observationDateTime?: string;
  children: ContentItem[];
  /** Children left out because the tree is nested deeper than {@link MAX_DEPTH}. */
  truncated: boolean;
}

/** A verifying observer (PS3.3 §C.17.2, Verifying Observer Sequence). */
export interface VerifyingObserver {
  name: string;
  organization?: string;
  dateTime?: string;
}

/** A Structured Report, its header (patient, study, document flags) and content tree, as text. */
export interface StructuredReport {
  /** The root container's concept name: the document title (PS3.3 §C.17.3.2.1). */
  title: string;
  documentType: string;
  patient: { name?: string; id?: string; birthDate?: string; sex?: string };
  study: { description?: string; date?: string; accessionNumber?: string; referringPhysician?: string };
  series: { description?: string; number?: string };
  institution?: string;
  manufacturer?: string;
  contentDateTime?: string;
  completion?: { flag: string; description?: string };
  verification?: string;
  preliminary?: string;
  verifyingObservers: VerifyingObserver[];
  /** The root's children (the root is the document itself). */
  content: ContentItem[];
  truncated: boolean;
}

/** Deeper trees are cut (a crafted object could nest thousands of levels; no real report nears this). */
export const MAX_DEPTH = 64;

/** The Structured Report SOP classes (PS3.4 Annex O, PS3.6 Annex A): every one under this root. */
const SR_SOP_CLASS_ROOT = '1.2.840.10008.5.1.4.1.1.88.';

/** True for any Structured Report storage SOP class (Basic/Enhanced/Comprehensive, KOS, CAD, dose…). */
export function isStructuredReportClass(sopClassUid: string): boolean {
  return sopClassUid.startsWith(SR_SOP_CLASS_ROOT);
}

function text(dataSet: DataSet, tag: number): string | undefined {
  return getString(dataSet, tag);
}

function firstItem(dataSet: DataSet, tag: number): DataSet | undefined {
  return dataSet.get(tag)?.items?.[0];
}

function conceptOf(item: DataSet | undefined): CodedConcept | undefined {
  if (item === undefined) return undefined;
  const value =
    text(item, Tag.CodeValue) ?? text(item, Tag.LongCodeValue) ?? text(item, Tag.URNCodeValue) ?? '';
  const scheme = text(item, Tag.CodingSchemeDesignator);
  const meaning = text(item, Tag.CodeMeaning) ?? value;
  if (meaning === '' && value === '') return undefined;
  return { meaning, code: value === '' ? '' : scheme === undefined ? value : `${value} (${scheme})` };
}

function sopClassName(uid: string | undefined): string {
  if (uid === undefined) return 'object';
  return lookupUid(uid)?.name ?? uid;
}

/** A COMPOSITE, IMAGE or WAVEFORM reference (PS3.3 §C.18.3-5): the class, instance, frames, segments. */
function referenceOf(item: DataSet): string {
  const ref = firstItem(item, Tag.ReferencedSOPSequence);
  if (ref === undefined) return '(no reference)';
  const parts = [
    `${sopClassName(text(ref, Tag.ReferencedSOPClassUID))} ${text(ref, Tag.ReferencedSOPInstanceUID) ?? ''}`.trim(),
  ];
  const frames = getStrings(ref, Tag.ReferencedFrameNumber);
  if (frames.length > 0) parts.push(`frames ${frames.join(', ')}`);
  const segments = ref.get(Tag.ReferencedSegmentNumber);
  if (segments !== undefined) parts.push(`segments ${elementNumbers(segments, ref).join(', ')}`);
  const channels = ref.get(Tag.ReferencedWaveformChannels);
  if (channels !== undefined) parts.push(`channels ${elementNumbers(channels, ref).join(', ')}`);
  const state = firstItem(ref, Tag.ReferencedSOPSequence);
  if (state !== undefined) {
    parts.push(`shown with ${sopClassName(text(state, Tag.ReferencedSOPClassUID))}`);
  }
  return parts.join('; ');
}

/** SCOORD, SCOORD3D and TCOORD (PS3.3 §C.18.6-7, §C.18.9): their shape and size, not every point. */
function coordinatesOf(item: DataSet, valueType: string): string {
  if (valueType === 'TCOORD') {
    const range = text(item, Tag.TemporalRangeType) ?? 'range';
    const samples = getNumbers(item, Tag.ReferencedSamplePositions);
    const offsets = getNumbers(item, Tag.ReferencedTimeOffsets);
    const times = getStrings(item, Tag.ReferencedDateTime);
    const where =
      samples.length > 0
        ? `sample positions ${samples.join(', ')}`
        : offsets.length > 0
          ? `time offsets ${offsets.join(', ')} s`
          : times.length > 0
            ? times.map(formatDateTime).join(', ')
            : 'no positions';
    return `${range}: ${where}`;
  }
  const shape = text(item, Tag.GraphicType) ?? 'shape';
  const data = item.get(Tag.GraphicData);
  const numbers = data === undefined ? [] : elementNumbers(data, item);
  const dimensions = valueType === 'SCOORD3D' ? 3 : 2;
  const points = Math.floor(numbers.length / dimensions);
  const shown = numbers.slice(0, dimensions * 4).map((n) => (Number.isInteger(n) ? String(n) : n.toFixed(2)));
  const coordinates = [];
  for (let i = 0; i + dimensions <= shown.length; i += dimensions) {
    coordinates.push(`(${shown.slice(i, i + dimensions).join(', ')})`);
  }
  const more = points > 4 ? ` … ${points} points in all` : '';
  const space =
    valueType === 'SCOORD3D'
      ? ` in frame of reference ${text(item, Tag.ReferencedFrameOfReferenceUID) ?? '(unknown)'}`
      : '';
  return `${shape} ${coordinates.join(' ')}${more}${space}`.trim();
}

function measurementOf(item: DataSet): ContentValue {
  const measured = firstItem(item, Tag.MeasuredValueSequence);
  const qualifier = conceptOf(firstItem(item, Tag.NumericValueQualifierCodeSequence));
  if (measured === undefined) {
    return { kind: 'measurement', value: '', ...(qualifier !== undefined ? { qualifier } : {}) };
  }
  // The decimal string as written keeps the precision the author meant; the float is a fallback.
  const value =
    text(measured, Tag.NumericValue) ??
    (measured.has(Tag.FloatingPointValue) ? String(getNumbers(measured, Tag.FloatingPointValue)[0]) : '');
  const unit = conceptOf(firstItem(measured, Tag.MeasurementUnitsCodeSequence));
  return {
    kind: 'measurement',
    value,
    ...(unit !== undefined ? { unit } : {}),
    ...(qualifier !== undefined ? { qualifier } : {}),
  };
}

function valueOf(item: DataSet, valueType: string): ContentValue {
  switch (valueType) {
    case 'CONTAINER':
      return { kind: 'container', continuous: text(item, Tag.ContinuityOfContent) === 'CONTINUOUS' };
    case 'TEXT':
      return { kind: 'text', text: text(item, Tag.TextValue) ?? '' };
    case 'CODE': {
      const concept = conceptOf(firstItem(item, Tag.ConceptCodeSequence));
      return concept === undefined ? { kind: 'empty' } : { kind: 'code', concept };
    }
    case 'NUM':
      return measurementOf(item);
    case 'PNAME':
      return { kind: 'text', text: formatPersonName(text(item, Tag.PersonName) ?? '') };
    case 'DATE':
      return { kind: 'text', text: formatDate(text(item, Tag.Date) ?? '') };
    case 'TIME':
      return { kind: 'text', text: formatTime(text(item, Tag.Time) ?? '') };
    case 'DATETIME':
      return { kind: 'text', text: formatDateTime(text(item, Tag.DateTime) ?? '') };
    case 'UIDREF':
      return { kind: 'text', text: text(item, Tag.UID) ?? '' };
    case 'COMPOSITE':
    case 'IMAGE':
    case 'WAVEFORM':
      return { kind: 'reference', description: referenceOf(item) };
    case 'SCOORD':
    case 'SCOORD3D':
    case 'TCOORD':
      return { kind: 'coordinates', description: coordinatesOf(item, valueType) };
    default:
      // TABLE, INTEGER, … of later supplements: the item is named, its value not decoded.
      return { kind: 'empty' };
  }
}

/** Positions of the content items (`1.2.3`, PS3.3 §C.17.3.2.5), for by-reference relationships. */
type ItemNames = Map<string, string>;

function itemOf(item: DataSet, position: number[], depth: number, names: ItemNames): ContentItem {
  const relationship = text(item, Tag.RelationshipType);
  const referenced = getNumbers(item, Tag.ReferencedContentItemIdentifier);
  const conceptName = conceptOf(firstItem(item, Tag.ConceptNameCodeSequence));
  if (referenced.length > 0) {
    // By-reference relationship: the item names another one instead of holding a value.
    return {
      ...(relationship !== undefined ? { relationship } : {}),
      valueType: 'REFERENCE',
      value: { kind: 'by-reference', target: referenced.join('.') },
      children: [],
      truncated: false,
    };
  }
  const valueType = text(item, Tag.ValueType) ?? 'UNKNOWN';
  if (conceptName !== undefined) names.set(position.join('.'), conceptName.meaning);
  const observed = text(item, Tag.ObservationDateTime);
  const { children, truncated } = childrenOf(item, position, depth + 1, names);
  return {
    ...(relationship !== undefined ? { relationship } : {}),
    valueType,
    ...(conceptName !== undefined ? { conceptName } : {}),
    value: valueOf(item, valueType),
    ...(observed !== undefined ? { observationDateTime: formatDateTime(observed) } : {}),
    children,
    truncated,
  };
}

function childrenOf(
  item: DataSet,
  position: number[],
  depth: number,
  names: ItemNames,
): { children: ContentItem[]; truncated: boolean } {
  const items = item.get(Tag.ContentSequence)?.items ?? [];
  if (depth > MAX_DEPTH) return { children: [], truncated: items.length > 0 };
  return {
    children: items.map((child, i) => itemOf(child, [...position, i + 1], depth, names)),
    truncated: false,
  };
}

/** Fills in the concept names that by-reference items point at, once every position is known. */
function resolveReferences(items: ContentItem[], names: ItemNames): void {
  for (const item of items) {
    if (item.value.kind === 'by-reference') {
      const targetName = names.get(item.value.target);
      if (targetName !== undefined) item.value.targetName = targetName;
    }
    resolveReferences(item.children, names);
  }
}

function verifyingObserversOf(dataSet: DataSet): VerifyingObserver[] {
  return (dataSet.get(Tag.VerifyingObserverSequence)?.items ?? []).map((observer) => {
    const organization = text(observer, Tag.VerifyingOrganization);
    const dateTime = text(observer, Tag.VerificationDateTime);
    return {
      name: formatPersonName(text(observer, Tag.VerifyingObserverName) ?? ''),
      ...(organization !== undefined ? { organization } : {}),
      ...(dateTime !== undefined ? { dateTime: formatDateTime(dateTime) } : {}),
    };
  });
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Reads a Structured Report (SR Document General and Content modules, PS3.3 §C.17) from its data set,
 * whose text the reader decodes with its Specific Character Set.
 */
export function readStructuredReport(dataSet: DataSet): StructuredReport {
  const names: ItemNames = new Map();
  const { children, truncated } = childrenOf(dataSet, [1], 1, names);
  resolveReferences(children, names);
  const date = text(dataSet, Tag.ContentDate);
  const time = text(dataSet, Tag.ContentTime);
  const completion = text(dataSet, Tag.CompletionFlag);
  const completionDescription = text(dataSet, Tag.CompletionFlagDescription);
  const documentType = sopClassName(text(dataSet, Tag.SOPClassUID));
  return defined({
    title: conceptOf(firstItem(dataSet, Tag.ConceptNameCodeSequence))?.meaning ?? documentType,
    documentType,
    patient: defined({
      name: formatPersonName(text(dataSet, Tag.PatientName) ?? '') || undefined,
      id: text(dataSet, Tag.PatientID),
      birthDate: formatDate(text(dataSet, Tag.PatientBirthDate) ?? '') || undefined,
      sex: text(dataSet, Tag.PatientSex),
    }),
    study: defined({
      description: text(dataSet, Tag.StudyDescription),
      date: formatDate(text(dataSet, Tag.StudyDate) ?? '') || undefined,
      accessionNumber: text(dataSet, Tag.AccessionNumber),
      referringPhysician: formatPersonName(text(dataSet, Tag.ReferringPhysicianName) ?? '') || undefined,
    }),
    series: defined({
      description: text(dataSet, Tag.SeriesDescription),
      number: text(dataSet, Tag.SeriesNumber),
    }),
    institution: text(dataSet, Tag.InstitutionName),
    manufacturer: text(dataSet, Tag.Manufacturer),
    contentDateTime:
      date === undefined
        ? undefined
        : `${formatDate(date)}${time === undefined ? '' : ` ${formatTime(time)}`}`,
    completion:
      completion === undefined
        ? undefined
        : defined({ flag: completion, description: completionDescription }),
    verification: text(dataSet, Tag.VerificationFlag),
    preliminary: text(dataSet, Tag.PreliminaryFlag),
    verifyingObservers: verifyingObserversOf(dataSet),
    content: children,
    truncated,
  });
}

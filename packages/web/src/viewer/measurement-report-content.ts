import type { NaturalizedDataset } from 'dcmjs';
import type { CodedEntry } from './measurement-units';

/**
 * The content tree of a TID 1500 measurement report as dcmjs holds it (naturalized: attributes by keyword,
 * a sequence as one item or a list of them), for the parts of Lightbox that write and read its numbers
 * themselves (measurement-report-units.ts, measurement-report-statistics.ts).
 */

/** A content item. */
export type ContentItem = Record<string, unknown>;

export function itemsOf(sequence: unknown): ContentItem[] {
  if (Array.isArray(sequence)) return sequence as ContentItem[];
  return typeof sequence === 'object' && sequence !== null ? [sequence as ContentItem] : [];
}

export function codeOf(item: ContentItem, sequence: string): CodedEntry | undefined {
  return itemsOf(item[sequence])[0] as CodedEntry | undefined;
}

export function isCode(code: CodedEntry | undefined, value: string, scheme: string): boolean {
  return code?.CodeValue === value && code.CodingSchemeDesignator === scheme;
}

/**
 * Each Measurement Group of a report with what is known of its measurement, given in the order of the
 * groups (the order of the tool state given to the adapter). A report without one group for each is an
 * error, rather than values matched to the wrong measurement.
 */
export function groupsWith<T>(
  report: NaturalizedDataset,
  perMeasurement: readonly T[],
): Array<[ContentItem, T]> {
  const groups = measurementGroups(report);
  if (groups.length !== perMeasurement.length) {
    throw new Error(
      `the report has ${groups.length} measurement groups for ${perMeasurement.length} measurements`,
    );
  }
  return groups.map((group, index) => [group, perMeasurement[index]!]);
}

/** The Measurement Groups (TID 1501) of a report, in their order. */
export function measurementGroups(report: NaturalizedDataset): ContentItem[] {
  const imagingMeasurements = itemsOf(report.ContentSequence).find((item) =>
    isCode(codeOf(item, 'ConceptNameCodeSequence'), '126010', 'DCM'),
  );
  return itemsOf(imagingMeasurements?.ContentSequence).filter((item) =>
    isCode(codeOf(item, 'ConceptNameCodeSequence'), '125007', 'DCM'),
  );
}

/** The numeric (NUM) items of a measurement group. */
export function numbersOf(group: ContentItem): ContentItem[] {
  return itemsOf(group.ContentSequence).filter((item) => item.ValueType === 'NUM');
}

/** The SNOMED CT concept a numeric item measures (`373098007` for Mean), as the adapters write them. */
export function conceptOf(number: ContentItem): string | undefined {
  const concept = codeOf(number, 'ConceptNameCodeSequence');
  return concept?.CodingSchemeDesignator === 'SCT' ? concept.CodeValue : undefined;
}

/** The measured value of a numeric item: its number and the code of its unit. */
export function measuredValueOf(
  number: ContentItem,
): { value: number; unit: CodedEntry | undefined } | undefined {
  const measured = itemsOf(number.MeasuredValueSequence)[0];
  if (measured === undefined) return undefined;
  const value = Number(measured.NumericValue);
  return Number.isFinite(value)
    ? { value, unit: codeOf(measured, 'MeasurementUnitsCodeSequence') }
    : undefined;
}

/** The Tracking Unique Identifier (112040, DCM) of a measurement group: which measurement it is. */
export function trackingUidOf(group: ContentItem): string | undefined {
  const item = itemsOf(group.ContentSequence).find((child) =>
    isCode(codeOf(child, 'ConceptNameCodeSequence'), '112040', 'DCM'),
  );
  return typeof item?.UID === 'string' ? item.UID : undefined;
}

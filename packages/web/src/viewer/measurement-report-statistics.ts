import type { NaturalizedDataset } from 'dcmjs';
import {
  conceptOf,
  measuredValueOf,
  groupsWith,
  measurementGroups,
  numbersOf,
  trackingUidOf,
  type ContentItem,
} from './measurement-report-content';
import { restsOnUserCalibration } from './measurement-report-units';
import type { MeasurementStats } from './measurement-text';
import {
  lengthUnitOfArea,
  pixelValueUnitCode,
  unitCode,
  viewerPixelValueUnit,
  viewerUnit,
} from './measurement-units';

/**
 * The statistics of region measurements (rectangle, ellipse, freehand) in a TID 1500 report, which the
 * Cornerstone SR adapters (@cornerstonejs/adapters 5.x) lose both ways:
 *
 * - writing, the RectangleROI and PlanarFreehandROI adapters do not pass the region's minimum to dcmjs
 *   (their getTID300RepresentationArguments leave `min` out, though dcmjs's TID 300 Polyline writes a
 *   Minimum when given one), so a saved rectangle or freehand region had no minimum;
 * - reading, the adapters' metricHandler (extractAllNUMGroups) hands resolveUnit a unit's code value where
 *   it expects the coded entry, so every unit it reads comes back undefined: the HU of the grey values is
 *   lost, and so are the area unit of an ellipse and the length unit of a freehand region. Cornerstone's
 *   EllipticalROI and PlanarFreehandROI tools take statistics without those units as not computed and
 *   compute them again from the image as it is measured now: a region measured in mm on a calibration
 *   of the user's came back in px², the values it was saved with gone.
 *
 * So Lightbox writes what the adapters leave out, and reads every statistic of a region back itself.
 */

/** The statistics of a region a report holds, by the SNOMED CT concept of their numeric items. */
const STATISTICS = [
  { concept: '42798000', meaning: 'Area', key: 'area' },
  { concept: '131191004', meaning: 'Perimeter', key: 'perimeter' },
  { concept: '56851009', meaning: 'Maximum', key: 'max' },
  { concept: '255605001', meaning: 'Minimum', key: 'min' },
  { concept: '373098007', meaning: 'Mean', key: 'mean' },
  { concept: '386136009', meaning: 'Standard Deviation', key: 'stdDev' },
] as const;
type Statistic = (typeof STATISTICS)[number];

/** The region tools whose statistics Lightbox reads back itself. */
export const REGION_TOOLS: readonly string[] = ['RectangleROI', 'EllipticalROI', 'PlanarFreehandROI'];

/** A numeric item for a statistic the adapter left out, in the unit it was measured in. */
function numericItem(statistic: Statistic, value: number, stats: MeasurementStats): ContentItem {
  const unit =
    statistic.key === 'area'
      ? unitCode(stats.areaUnit ?? 'mm²')
      : statistic.key === 'perimeter'
        ? unitCode(stats.unit ?? lengthUnitOfArea(stats.areaUnit ?? 'mm²'))
        : pixelValueUnitCode(stats.modalityUnit);
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: [
      { CodeValue: statistic.concept, CodingSchemeDesignator: 'SCT', CodeMeaning: statistic.meaning },
    ],
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [{ ...unit }], NumericValue: value }],
  };
}

/**
 * Adds to each measurement group of a report the statistics its measurement has that the adapter did not
 * write (a rectangle's or a freehand region's minimum), after its other numbers. `stats` are the
 * statistics of the measurements in the order of the report's groups, as for recordMeasurementUnits,
 * which is to run after this (it gives the added numbers their units as measured, and their notes).
 */
export function addMissingStatistics(
  report: NaturalizedDataset,
  stats: (MeasurementStats | undefined)[],
): void {
  for (const [group, measurement] of groupsWith(report, stats)) {
    if (measurement === undefined) continue;
    const numbers = numbersOf(group);
    // Only a region's numbers: a length or an angle has none of these statistics.
    if (!numbers.some((number) => conceptOf(number) === '42798000')) continue;
    const written = new Set(numbers.map(conceptOf));
    const missing = STATISTICS.filter((statistic) => {
      const value = measurement[statistic.key];
      return !written.has(statistic.concept) && typeof value === 'number' && Number.isFinite(value);
    }).map((statistic) => numericItem(statistic, measurement[statistic.key]!, measurement));
    if (missing.length === 0) continue;
    const content = [group.ContentSequence].flat() as ContentItem[];
    const after = content.lastIndexOf(numbers[numbers.length - 1]!);
    content.splice(after + 1, 0, ...missing);
    group.ContentSequence = content;
  }
}

/**
 * The statistics of every region measurement of a report (as saved: before restoreViewerUnits rewrites
 * the unit codes of the copy the adapters read), by the Tracking Unique Identifier of its group, in
 * Cornerstone's names and units: `{ area: 201.06, areaUnit: 'mm²', mean: 100, modalityUnit: 'HU', … }`.
 * A region saved on a calibration of the user's reads `mm² User`, as it did when measured.
 */
export function savedRegionStatistics(report: NaturalizedDataset): Map<string, MeasurementStats> {
  const saved = new Map<string, MeasurementStats>();
  for (const group of measurementGroups(report)) {
    const uid = trackingUidOf(group);
    const numbers = numbersOf(group);
    if (uid === undefined || !numbers.some((number) => conceptOf(number) === '42798000')) continue;
    const stats: MeasurementStats = {};
    for (const number of numbers) {
      const statistic = STATISTICS.find((s) => s.concept === conceptOf(number));
      const measured = measuredValueOf(number);
      if (statistic === undefined || measured === undefined) continue;
      stats[statistic.key] = measured.value;
      if (statistic.key === 'area' || statistic.key === 'perimeter') {
        const dimension = statistic.key === 'area' ? 'area' : 'length';
        const unit =
          measured.unit !== undefined
            ? viewerUnit(measured.unit, dimension, restsOnUserCalibration(number))
            : undefined;
        if (unit !== undefined) stats[statistic.key === 'area' ? 'areaUnit' : 'unit'] = unit;
      } else {
        stats.modalityUnit = viewerPixelValueUnit(measured.unit);
      }
    }
    // Cornerstone's freehand tool takes a region without the unit of its outline as not yet computed.
    if (stats.unit === undefined && stats.areaUnit !== undefined)
      stats.unit = lengthUnitOfArea(stats.areaUnit);
    stats.modalityUnit ??= '';
    saved.set(uid, stats);
  }
  return saved;
}

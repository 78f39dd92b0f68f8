import type { NaturalizedDataset } from 'dcmjs';
import {
  codeOf,
  conceptOf,
  isCode,
  itemsOf,
  groupsWith,
  measurementGroups,
  numbersOf,
  type ContentItem,
} from './measurement-report-content';
import type { MeasurementStats } from './measurement-text';
import {
  calibratedByUser,
  lengthUnitOfArea,
  NO_UNITS,
  unitCode,
  viewerUnit,
  type CodedEntry,
} from './measurement-units';

/**
 * The units in a TID 1500 measurement report, which the Cornerstone SR adapters get wrong: they do not
 * pass a length's unit to dcmjs, which then writes mm (a length in pixels is archived as mm), code a pixel
 * area and a pixel value without a modality unit as (1, UCUM, "px"), and read a unit's code value back
 * as Cornerstone's unit. Lightbox writes each number's unit as the viewer measured it, notes a user's
 * calibration, and reads both back.
 */

/*
 * A user's calibration, in standard terms: DCMR has no concept for "calibrated by the user", so a number
 * resting on one gets TID 300's own concept modifiers — its Measurement Method (row 3) is
 * (122488, DCM, "Calibration Object Used") of CID 3452 Calibration Method (the pixel size came from a
 * line over an object of known size), and its Equivalent Meaning of Concept Name (row 16) says in words
 * that the user calibrated it, for a reader that shows text.
 */
const MEASUREMENT_METHOD: CodedEntry = {
  CodeValue: '370129005',
  CodingSchemeDesignator: 'SCT',
  CodeMeaning: 'Measurement Method',
};
const CALIBRATION_OBJECT_USED: CodedEntry = {
  CodeValue: '122488',
  CodingSchemeDesignator: 'DCM',
  CodeMeaning: 'Calibration Object Used',
};
const EQUIVALENT_MEANING: CodedEntry = {
  CodeValue: '121050',
  CodingSchemeDesignator: 'DCM',
  CodeMeaning: 'Equivalent Meaning of Concept Name',
};

/** What a numeric item measures, by its concept name (SCT), as the adapters write them. */
type Dimension = 'length' | 'area' | 'pixel value';
const DIMENSIONS: Record<string, Dimension> = {
  '410668003': 'length', // Length
  '131191004': 'length', // Perimeter
  '131190003': 'length', // Radius
  '103339001': 'length', // Long Axis
  '103340004': 'length', // Short Axis
  '42798000': 'area', // Area
  '373098007': 'pixel value', // Mean
  '386136009': 'pixel value', // Standard Deviation
  '56851009': 'pixel value', // Maximum
  '255605001': 'pixel value', // Minimum
};

function dimensionOf(number: ContentItem): Dimension | undefined {
  const concept = conceptOf(number);
  return concept !== undefined ? DIMENSIONS[concept] : undefined;
}

/** The Cornerstone unit of a number of a measurement, as its statistics give it. */
function measuredUnit(dimension: Dimension, stats: MeasurementStats): string | undefined {
  if (dimension === 'area') return stats.areaUnit;
  return stats.unit ?? (stats.areaUnit !== undefined ? lengthUnitOfArea(stats.areaUnit) : undefined);
}

/** The concept modifiers saying that a number rests on the user's calibration. */
function userCalibrationNote(number: ContentItem): ContentItem[] {
  const measured = codeOf(number, 'ConceptNameCodeSequence')?.CodeMeaning ?? 'Measurement';
  return [
    {
      RelationshipType: 'HAS CONCEPT MOD',
      ValueType: 'CODE',
      ConceptNameCodeSequence: [{ ...MEASUREMENT_METHOD }],
      ConceptCodeSequence: [{ ...CALIBRATION_OBJECT_USED }],
    },
    {
      RelationshipType: 'HAS CONCEPT MOD',
      ValueType: 'TEXT',
      ConceptNameCodeSequence: [{ ...EQUIVALENT_MEANING }],
      TextValue: `${measured}, calibrated by the user from a line over an object of known size`,
    },
  ];
}

/** Whether a number carries the note that it rests on the user's calibration (see recordMeasurementUnits). */
export function restsOnUserCalibration(number: ContentItem): boolean {
  return itemsOf(number.ContentSequence).some(
    (item) =>
      isCode(codeOf(item, 'ConceptNameCodeSequence'), '370129005', 'SCT') &&
      isCode(codeOf(item, 'ConceptCodeSequence'), '122488', 'DCM'),
  );
}

/**
 * Writes into a report the adapters made the unit of every length and area as the viewer measured it
 * (mm, mm², or pixels for an image without a pixel size), notes those resting on the user's calibration
 * (TID 300 Measurement Method: Calibration Object Used), and gives pixel values without a modality unit
 * "no units". `stats` are the statistics of the measurements in the order of the report's groups (the
 * order of the tool state given to the adapter); a report that does not have one group for each is an
 * error, rather than units guessed.
 */
export function recordMeasurementUnits(
  report: NaturalizedDataset,
  stats: (MeasurementStats | undefined)[],
): void {
  for (const [group, measurement] of groupsWith(report, stats)) {
    if (measurement === undefined) continue;
    for (const number of numbersOf(group)) {
      const dimension = dimensionOf(number);
      const value = itemsOf(number.MeasuredValueSequence)[0];
      if (dimension === undefined || value === undefined) continue;
      if (dimension === 'pixel value') {
        // HU stays as dcmjs codes it, ([hnsf'U], UCUM); an image without a modality unit has none.
        if (!measurement.modalityUnit) value.MeasurementUnitsCodeSequence = [{ ...NO_UNITS }];
        continue;
      }
      const unit = measuredUnit(dimension, measurement);
      if (unit === undefined) continue;
      value.MeasurementUnitsCodeSequence = [{ ...unitCode(unit) }];
      if (calibratedByUser(unit)) {
        number.ContentSequence = [...itemsOf(number.ContentSequence), ...userCalibrationNote(number)];
      }
    }
  }
}

/**
 * Gives the lengths and areas of a report (naturalized, about to be read by the adapters) the units
 * Cornerstone names them with, so that they read again as they did when saved: `px`, `mm² User`. The
 * adapters take a unit's code value as Cornerstone's unit, so the code values of this copy are rewritten.
 */
export function restoreViewerUnits(report: NaturalizedDataset): void {
  for (const group of measurementGroups(report)) {
    for (const number of numbersOf(group)) {
      const dimension = dimensionOf(number);
      if (dimension !== 'length' && dimension !== 'area') continue;
      const code = codeOf(itemsOf(number.MeasuredValueSequence)[0] ?? {}, 'MeasurementUnitsCodeSequence');
      if (code === undefined) continue;
      const unit = viewerUnit(code, dimension, restsOnUserCalibration(number));
      if (unit !== undefined) code.CodeValue = unit;
    }
  }
}

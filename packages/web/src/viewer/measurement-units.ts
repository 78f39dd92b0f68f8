/**
 * The units of measurements two ways: as a DICOM SR codes them (UCUM coded entries, PS3.16) and as
 * Cornerstone names them on an annotation (`mm`, `px²`, `mm User`: a base unit, then how the pixel size
 * is known). A saved report must say what its numbers are in — a length in pixels is no length in mm.
 */

/** A coded entry (PS3.3 8.8): a unit in a Measurement Units Code Sequence, a concept name. */
export interface CodedEntry {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

function ucum(value: string, meaning: string): CodedEntry {
  return { CodeValue: value, CodingSchemeDesignator: 'UCUM', CodeMeaning: meaning };
}

/** CID 7460 Linear Measurement Unit and CID 7461 Area Measurement Unit. */
const MILLIMETER = ucum('mm', 'millimeter');
const SQUARE_MILLIMETER = ucum('mm2', 'square millimeter');
const CENTIMETER = ucum('cm', 'centimeter');
const SQUARE_CENTIMETER = ucum('cm2', 'square centimeter');

/**
 * A length counted in image pixels, for an image without a pixel size. DCMR has this unit: TID 1602 (Image
 * Library Entry Descriptors) gives Pixel Data Rows and Columns in ({pixels}, UCUM, "pixels"), as DCMTK's
 * dcmsr/codes/ucum.h names it (CODE_UCUM_Pixels). dcmjs codes px as (1, UCUM, "px") instead: "no units"
 * by its code value (CID 7181), which says nothing of pixels to another reader.
 */
const PIXELS = ucum('{pixels}', 'pixels');

/**
 * An area counted in square image pixels. DCMR defines no such unit; a UCUM annotation (in curly braces,
 * dimensionless, as {pixels} is) keeps it apart from a length in pixels and from mm².
 */
const SQUARE_PIXELS = ucum('{pixels2}', 'square pixels');

/** The pixel values of an image without a modality unit (not CT's HU): (1, UCUM, "no units"), CID 7181. */
export const NO_UNITS = ucum('1', 'no units');

/** A unit the viewer cannot name in UCUM: CID 7181's arbitrary unit rather than a wrong one. */
const ARBITRARY_UNIT = ucum("[arb'U]", 'arbitrary unit');

/** Cornerstone's base units of lengths and areas and their codes. */
const CODES: Record<string, CodedEntry> = {
  px: PIXELS,
  'px²': SQUARE_PIXELS,
  mm: MILLIMETER,
  'mm²': SQUARE_MILLIMETER,
  cm: CENTIMETER,
  'cm²': SQUARE_CENTIMETER,
};

/** Cornerstone's mark of a pixel size the user calibrated (Enums.CalibrationTypes.USER). */
const USER_CALIBRATION = 'User';

/** The base unit of a Cornerstone unit (`mm User` → `mm`). */
function baseUnit(unit: string): string {
  return unit.split(' ')[0] ?? '';
}

/** The unit code of a length or area in a Cornerstone unit. */
export function unitCode(unit: string): CodedEntry {
  return CODES[baseUnit(unit)] ?? ARBITRARY_UNIT;
}

/** Whether a value in a Cornerstone unit rests on a pixel size the user calibrated. */
export function calibratedByUser(unit: string): boolean {
  return unit.split(' ').slice(1).join(' ') === USER_CALIBRATION;
}

/** The unit of the lengths of an area's outline (its perimeter): `mm² User` → `mm User`. */
export function lengthUnitOfArea(areaUnit: string): string {
  return areaUnit.replace('²', '');
}

/** Cornerstone's base units by code value, for lengths and for areas. */
const LENGTH_UNITS: Record<string, string> = { '{pixels}': 'px', mm: 'mm', cm: 'cm' };
const AREA_UNITS: Record<string, string> = { '{pixels2}': 'px²', mm2: 'mm²', cm2: 'cm²' };

/**
 * The Cornerstone unit of a length or area saved with a unit code, marked `User` when its report says it
 * rests on the user's calibration: what the measurement read when it was saved. Undefined for a unit the
 * viewer does not measure in. dcmjs's (1, UCUM, "px") of pixel areas is read as pixels too.
 */
export function viewerUnit(
  code: Pick<CodedEntry, 'CodeValue' | 'CodeMeaning'>,
  dimension: 'length' | 'area',
  userCalibration: boolean,
): string | undefined {
  const dcmjsPixels = code.CodeValue === '1' && code.CodeMeaning === 'px';
  const base = dcmjsPixels
    ? { length: 'px', area: 'px²' }[dimension]
    : (dimension === 'length' ? LENGTH_UNITS : AREA_UNITS)[code.CodeValue];
  if (base === undefined) return undefined;
  return userCalibration && !base.startsWith('px') ? `${base} ${USER_CALIBRATION}` : base;
}

/** CT's pixel values: ([hnsf'U], UCUM, "Hounsfield unit"), as dcmjs codes Cornerstone's `HU`. */
const HOUNSFIELD_UNIT = ucum("[hnsf'U]", 'Hounsfield unit');

/**
 * The code of the pixel values of a region (mean, SD, minimum, maximum) in Cornerstone's modality unit:
 * HU for CT, "no units" for an image without a modality unit, and otherwise an arbitrary unit that keeps
 * Cornerstone's name (`[arb'U]{SUV}`), as dcmjs writes a unit it does not know.
 */
export function pixelValueUnitCode(modalityUnit: string | undefined): CodedEntry {
  if (modalityUnit === undefined || modalityUnit === '') return NO_UNITS;
  if (modalityUnit === 'HU') return HOUNSFIELD_UNIT;
  return ucum(`[arb'U]{${modalityUnit}}`, `arbitrary ${modalityUnit}`);
}

/** Cornerstone's modality unit of pixel values saved with a unit code: the reverse of pixelValueUnitCode. */
export function viewerPixelValueUnit(code: Pick<CodedEntry, 'CodeValue'> | undefined): string {
  if (code === undefined || code.CodeValue === '1') return '';
  if (code.CodeValue === HOUNSFIELD_UNIT.CodeValue) return 'HU';
  return /^\[arb'U\]\{(.+)\}$/.exec(code.CodeValue)?.[1] ?? code.CodeValue;
}

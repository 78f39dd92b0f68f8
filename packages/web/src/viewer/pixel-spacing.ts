import { JsonTag, numberOf, numbersOf, textOf, type DicomJson } from '../dicomweb/dicom-json';

/** Attributes about pixel size beyond Pixel Spacing (projection radiography, PS3.3 10.7.1 and C.8.11.4). */
const SpacingTag = {
  ImagerPixelSpacing: '00181164',
  PixelSpacingCalibrationType: '00280A02',
  EstimatedRadiographicMagnificationFactor: '00181114',
  DistanceSourceToDetector: '00181110',
  DistanceSourceToPatient: '00181111',
  DistanceSourceToEntrance: '00400306',
} as const;

/**
 * What an image says about the size of its pixels, naturalized as Cornerstone's
 * `getPixelSpacingInformation` reads it (it decides between Pixel Spacing, Imager Pixel Spacing and a
 * magnification-corrected spacing for projection radiographs).
 */
export interface SpacingAttributes {
  SOPClassUID: string;
  PixelSpacing?: number[];
  ImagerPixelSpacing?: number[];
  PixelSpacingCalibrationType?: string;
  EstimatedRadiographicMagnificationFactor?: number;
  DistanceSourceToDetector?: number;
  DistanceSourceToPatient?: number;
  DistanceSourceToEntrance?: number;
}

function pair(metadata: DicomJson, tag: string): number[] | undefined {
  const values = numbersOf(metadata, tag);
  return values !== undefined && values.length === 2 && values.every((v) => v > 0) ? values : undefined;
}

/** The pixel size attributes of an instance (DICOM JSON), leaving out what it does not have. */
export function spacingAttributes(metadata: DicomJson): SpacingAttributes {
  const attributes: SpacingAttributes = { SOPClassUID: textOf(metadata, JsonTag.SOPClassUID) };
  const pixelSpacing = pair(metadata, JsonTag.PixelSpacing);
  if (pixelSpacing !== undefined) attributes.PixelSpacing = pixelSpacing;
  const imagerPixelSpacing = pair(metadata, SpacingTag.ImagerPixelSpacing);
  if (imagerPixelSpacing !== undefined) attributes.ImagerPixelSpacing = imagerPixelSpacing;
  const calibrationType = textOf(metadata, SpacingTag.PixelSpacingCalibrationType);
  if (calibrationType !== '') attributes.PixelSpacingCalibrationType = calibrationType;
  for (const key of [
    'EstimatedRadiographicMagnificationFactor',
    'DistanceSourceToDetector',
    'DistanceSourceToPatient',
    'DistanceSourceToEntrance',
  ] as const) {
    const value = numberOf(metadata, SpacingTag[key]);
    if (value !== undefined) attributes[key] = value;
  }
  return attributes;
}

/** Pixel Aspect Ratio (0028,0034): the vertical then the horizontal size of a pixel, as integers. */
const PIXEL_ASPECT_RATIO = '00280034';

/**
 * The proportions of an image's pixels (row spacing, column spacing; a column's width is 1) when they are
 * not square and Cornerstone would draw them square: its image loader sizes pixels from Pixel Spacing
 * alone, and draws an image that has none with 1 × 1 pixels, whatever its Imager Pixel Spacing or Pixel
 * Aspect Ratio (0028,0034) says (the loader reads Pixel Aspect Ratio, nothing uses it). Undefined when
 * the loader gets them right: Pixel Spacing, or square pixels.
 */
export function pixelProportions(metadata: DicomJson): [number, number] | undefined {
  if (pair(metadata, JsonTag.PixelSpacing) !== undefined) return undefined;
  const size = pair(metadata, SpacingTag.ImagerPixelSpacing) ?? pair(metadata, PIXEL_ASPECT_RATIO);
  if (size === undefined) return undefined;
  const [vertical, horizontal] = size as [number, number];
  const ratio = vertical / horizontal;
  return Math.abs(ratio - 1) > 1e-3 ? [ratio, 1] : undefined;
}

/**
 * Whether an image places itself in the patient (orientation and position): without them Cornerstone's
 * loader marks its geometry as defaults and labels lengths in px even when Pixel Spacing is there (a
 * radiograph usually has no position), so the viewer has to tell it the spacing itself.
 */
export function hasPatientGeometry(metadata: DicomJson): boolean {
  return (
    numbersOf(metadata, JsonTag.ImageOrientationPatient)?.length === 6 &&
    numbersOf(metadata, JsonTag.ImagePositionPatient)?.length === 3
  );
}

/** How the lengths on an image are measured, for people. */
export type SpacingKind =
  /** Pixel Spacing of a cross-sectional image: in the patient. */
  | 'patient'
  /** Imager Pixel Spacing: at the detector, larger than in the patient by the geometric magnification. */
  | 'detector'
  /** Corrected for the estimated radiographic magnification. */
  | 'magnification'
  /** Calibrated against an object of known size when acquired (fiducial). */
  | 'fiducial'
  /** A projection radiograph's Pixel Spacing that does not say what it is. */
  | 'unknown'
  /** Calibrated by the user in this session. */
  | 'user'
  /** No pixel size at all: lengths in pixels. */
  | 'none';

/** Cornerstone's calibration types (`Enums.CalibrationTypes`), as the kinds above. */
const KIND_OF_CALIBRATION: Record<string, SpacingKind> = {
  '': 'patient',
  Proj: 'detector',
  ERMF: 'magnification',
  Calibrated: 'fiducial',
  Unknown: 'unknown',
  User: 'user',
};

export function spacingKindOf(calibrationType: string): SpacingKind {
  return KIND_OF_CALIBRATION[calibrationType] ?? 'unknown';
}

/** What the viewport overlay says about how lengths are measured (nothing for the usual case). */
export function spacingNote(kind: SpacingKind): string | undefined {
  switch (kind) {
    case 'none':
      return 'Uncalibrated: lengths in px';
    case 'user':
      return 'Calibrated by user';
    case 'detector':
      return 'Lengths at detector';
    case 'magnification':
      return 'Magnification corrected';
    default:
      return undefined;
  }
}

/**
 * The pixel size (mm, row then column spacing as in Pixel Spacing) that makes a line of `pixels` (column
 * and row extent on the image) as long as `trueLengthMm`, keeping the image's own aspect (`nominal`, its
 * spacing or 1 × 1 without one): the user's calibration scales the nominal spacing, it does not reshape it.
 */
export function calibratedSpacing(
  pixels: { columns: number; rows: number },
  trueLengthMm: number,
  nominal: readonly [number, number] = [1, 1],
): [number, number] {
  const [rowSpacing, columnSpacing] = nominal;
  const nominalLength = Math.hypot(pixels.columns * columnSpacing, pixels.rows * rowSpacing);
  const factor = trueLengthMm / nominalLength;
  return [rowSpacing * factor, columnSpacing * factor];
}

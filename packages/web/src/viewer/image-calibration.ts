import {
  Enums,
  metaData,
  utilities,
  type RenderingEngine,
  type StackViewport,
  type Types,
} from '@cornerstonejs/core';
import { wadors } from '@cornerstonejs/dicom-image-loader';
import { annotation, utilities as toolUtilities, type Types as ToolTypes } from '@cornerstonejs/tools';
import {
  calibratedSpacing,
  hasPatientGeometry,
  pixelProportions,
  spacingAttributes,
  spacingKindOf,
  type SpacingKind,
} from './pixel-spacing';
import { worldToImage } from './image-coordinates';
import type { StackFrame } from './series-stack';

/** What the viewer knows of an image's pixel size. */
interface ImageSpacing {
  kind: SpacingKind;
  /**
   * The image's own spacing, mm (row, column), when it has one: what a user's calibration rescales. For
   * an image without one whose pixels are not square (Pixel Aspect Ratio), their proportions (a column's
   * width is 1): lengths in px count pixel widths, and a calibration keeps the proportions.
   */
  nominal?: [number, number];
  /** The spacing lengths are measured with now, mm (row, column): none means pixels. */
  current?: [number, number];
  /** What Cornerstone is told, when its loader would not find it by itself. */
  calibration?: Types.IImageCalibration;
}

/** By image ID, for the session: a calibration is never stored in the archive. */
const spacings = new Map<string, ImageSpacing>();

/** By image ID, the proportions of pixels that are not square where Cornerstone would draw them square. */
const proportions = new Map<string, [number, number]>();

/**
 * A Cornerstone calibration for a pixel size. Its tools measure in image pixels and divide by `scale`
 * along a row and by `scale / rowPixelSpacing` down a column (getCalibratedLengthUnitsAndScale), so this
 * holds whatever spacing the image was drawn with.
 */
function calibrationFor(
  type: Types.IImageCalibration['type'],
  [rowSpacing, columnSpacing]: readonly [number, number],
): Types.IImageCalibration {
  return {
    type,
    scale: 1 / columnSpacing,
    rowPixelSpacing: rowSpacing / columnSpacing,
    columnPixelSpacing: 1,
  };
}

function tellCornerstone(imageId: string, calibration: Types.IImageCalibration): void {
  utilities.calibratedPixelSpacingMetadataProvider.add(imageId, calibration);
}

/**
 * Works out how the frames of a series are measured, as Cornerstone would from all their attributes
 * (Imager Pixel Spacing, magnification factor), and tells Cornerstone where its image loader reads only
 * Pixel Spacing and patient geometry: radiographs and scans would otherwise be measured in px.
 */
export function registerImageSpacing(frames: StackFrame[]): void {
  for (const { imageId, metadata } of frames) {
    const drawnAs = pixelProportions(metadata);
    if (drawnAs !== undefined) proportions.set(imageId, drawnAs);
    if (spacings.get(imageId)?.kind === 'user') continue;
    const { PixelSpacing: spacing, type } = utilities.getPixelSpacingInformation(spacingAttributes(metadata));
    if (!Array.isArray(spacing) || spacing.length !== 2) {
      spacings.set(imageId, { kind: 'none', ...(drawnAs !== undefined ? { nominal: drawnAs } : {}) });
      continue;
    }
    const nominal: [number, number] = [Number(spacing[0]), Number(spacing[1])];
    const kind = spacingKindOf(type);
    if (kind === 'patient' && hasPatientGeometry(metadata)) {
      // A CT or MR slice: the loader measures it in mm already.
      spacings.set(imageId, { kind, nominal, current: nominal });
      continue;
    }
    const calibration = calibrationFor(type, nominal);
    spacings.set(imageId, { kind, nominal, current: nominal, calibration });
    tellCornerstone(imageId, calibration);
  }
}

/** How the lengths of an image are measured (undefined for an image the viewer has not loaded). */
export function spacingKindOfImage(imageId: string): SpacingKind | undefined {
  return spacings.get(imageId)?.kind;
}

/**
 * Answers Cornerstone's calibration module from what the viewer knows: a stack viewport drawing on the
 * CPU reads its calibration only there (not the calibrated pixel spacing that WebGL viewports read).
 */
export function provideImageCalibrations(): void {
  metaData.addProvider(
    (type: string, imageId: string) =>
      type === Enums.MetadataModules.CALIBRATION ? spacings.get(imageId)?.calibration : undefined,
    1000,
  );
  // The image plane of an image whose pixels are not square, as the loader gives it but for the size of
  // its pixels: Cornerstone draws (and maps image to world coordinates) with these, so the image keeps its
  // proportions. Lengths are measured with the calibration above (or in pixel widths without one).
  metaData.addProvider((type: string, imageId: string) => {
    if (type !== Enums.MetadataModules.IMAGE_PLANE) return undefined;
    const drawnAs = proportions.get(imageId);
    if (drawnAs === undefined) return undefined;
    const plane = wadors.metaData.metaDataProvider(type, imageId) as Record<string, unknown> | undefined;
    if (plane === undefined) return undefined;
    return { ...plane, rowPixelSpacing: drawnAs[0], columnPixelSpacing: drawnAs[1] };
  }, 1000);
}

/** The image a line is drawn on, and how far it goes across columns and down rows, in pixels. */
function lineExtent(
  line: ToolTypes.Annotation,
): { imageId: string; columns: number; rows: number } | undefined {
  const imageId = line.metadata?.referencedImageId;
  const [start, end] = line.data.handles?.points ?? [];
  if (imageId === undefined || start === undefined || end === undefined) return undefined;
  const a = worldToImage(imageId, start);
  const b = worldToImage(imageId, end);
  return { imageId, columns: Math.abs(b[0] - a[0]), rows: Math.abs(b[1] - a[1]) };
}

/**
 * How long a line measures now, with the unit's words (`200.00 px (uncalibrated)`, `40.00 mm`), from its
 * end points: the statistics Cornerstone caches lag behind the pointer while a line is drawn.
 */
export function lineLengthText(line: ToolTypes.Annotation): string {
  const extent = lineExtent(line);
  if (extent === undefined) return 'an unknown length';
  const { current, nominal = [1, 1] } = spacings.get(extent.imageId) ?? {};
  if (current === undefined) {
    // In pixel widths, as Cornerstone measures an image without a pixel size (see nominal).
    return `${Math.hypot(extent.columns * nominal[1], extent.rows * nominal[0]).toFixed(2)} px (uncalibrated)`;
  }
  return `${Math.hypot(extent.columns * current[1], extent.rows * current[0]).toFixed(2)} mm`;
}

/**
 * Calibrates a series from a line drawn over an object of known size: from now on (this session) every
 * image of the series is measured in mm at the scale the line gives, measurements already drawn included.
 */
export function calibrateSeries(
  engine: RenderingEngine,
  line: ToolTypes.Annotation,
  trueLengthMm: number,
  series: StackFrame[],
): void {
  const extent = lineExtent(line);
  if (extent === undefined) return;
  const nominal = spacings.get(extent.imageId)?.nominal;
  const spacing = calibratedSpacing(extent, trueLengthMm, nominal);
  const calibration = calibrationFor(Enums.CalibrationTypes.USER, spacing);
  const imageIds = new Set(series.map((frame) => frame.imageId));
  for (const id of imageIds) {
    spacings.set(id, {
      kind: 'user',
      ...(nominal !== undefined ? { nominal } : {}),
      current: spacing,
      calibration,
    });
    tellCornerstone(id, calibration);
  }
  // Measurements on these images are computed again at the new scale when next drawn.
  for (const drawn of annotation.state.getAllAnnotations()) {
    if (!imageIds.has(drawn.metadata?.referencedImageId ?? '')) continue;
    drawn.invalidated = true;
    (drawn.data as { cachedStats?: object }).cachedStats = {};
  }
  // Cornerstone reloads the image shown in each stack viewport of the series with its new spacing.
  const shown = new Set<string>();
  for (const viewport of engine.getViewports()) {
    if (viewport.type !== Enums.ViewportType.STACK) continue;
    const current = (viewport as StackViewport).getCurrentImageId();
    if (current !== undefined && imageIds.has(current)) shown.add(current);
  }
  for (const id of shown) toolUtilities.calibrateImageSpacing(id, engine, calibration);
}

import { numberOf, numbersOf, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { displayShutterOf, type DisplayShutter } from './display-shutter';

/**
 * Grayscale Softcopy Presentation States (PS3.3 A.33.1): how another workstation or the modality said the
 * images should be shown — window, polarity, rotation and flip, annotations. Parsed from a presentation
 * state's DICOM JSON into a model that never throws on what it cannot read: a part it cannot read is
 * left out, the rest still applies.
 */

/** SOP Class UID of the Grayscale Softcopy Presentation State Storage. */
export const GRAYSCALE_SOFTCOPY_PRESENTATION_STATE = '1.2.840.10008.5.1.4.1.1.11.1';

const Key = {
  ReferencedSeriesSequence: '00081115',
  ReferencedImageSequence: '00081140',
  ReferencedSOPInstanceUID: '00081155',
  ReferencedFrameNumber: '00081160',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  SoftcopyVOILUTSequence: '00283110',
  WindowCenter: '00281050',
  WindowWidth: '00281051',
  WindowExplanation: '00281055',
  PresentationLUTShape: '20500020',
  ImageHorizontalFlip: '00700041',
  ImageRotation: '00700042',
  DisplayedAreaSelectionSequence: '0070005A',
  DisplayedAreaTopLeftHandCorner: '00700052',
  DisplayedAreaBottomRightHandCorner: '00700053',
  GraphicAnnotationSequence: '00700001',
  GraphicLayer: '00700002',
  BoundingBoxAnnotationUnits: '00700003',
  AnchorPointAnnotationUnits: '00700004',
  GraphicAnnotationUnits: '00700005',
  UnformattedTextValue: '00700006',
  TextObjectSequence: '00700008',
  GraphicObjectSequence: '00700009',
  BoundingBoxTopLeftHandCorner: '00700010',
  BoundingBoxBottomRightHandCorner: '00700011',
  AnchorPoint: '00700014',
  AnchorPointVisibility: '00700015',
  GraphicDimensions: '00700020',
  NumberOfGraphicPoints: '00700021',
  GraphicData: '00700022',
  GraphicType: '00700023',
  GraphicFilled: '00700024',
  ContentLabel: '00700080',
  ContentDescription: '00700081',
  PresentationCreationDate: '00700082',
  PresentationCreationTime: '00700083',
  ContentCreatorName: '00700084',
} as const;

/** An image (or some of its frames) a part of the presentation state applies to. */
export interface ImageReference {
  sopInstanceUid: string;
  /** 1-based frame numbers; empty: every frame. */
  frames: number[];
}

/** Which images a part applies to: 'all' those of the presentation state, or the ones listed. */
export type AppliesTo = 'all' | ImageReference[];

/**
 * Units of annotation coordinates (PS3.3 C.10.5.1.1): PIXEL, image (column, row) with 0\0 the top left
 * corner of the top left pixel and 1\1 its bottom right corner; DISPLAY, fractions 0–1 of the displayed
 * area, 0\0 its top left corner.
 */
export type AnnotationUnits = 'PIXEL' | 'DISPLAY';

/** A point (column, row) in its units. */
export type AnnotationPoint = readonly [number, number];

export interface SoftcopyWindow {
  appliesTo: AppliesTo;
  center: number;
  width: number;
  explanation?: string;
}

export interface TextObject {
  text: string;
  /** The box the text is written in (top left, bottom right), when given. */
  boundingBox?: { units: AnnotationUnits; topLeft: AnnotationPoint; bottomRight: AnnotationPoint };
  /** The point the text is about, when given; `visible`: a line is drawn from the text to it. */
  anchor?: { units: AnnotationUnits; point: AnnotationPoint; visible: boolean };
}

export type GraphicType = 'POINT' | 'POLYLINE' | 'INTERPOLATED' | 'CIRCLE' | 'ELLIPSE';

export interface GraphicObject {
  type: GraphicType;
  units: AnnotationUnits;
  points: AnnotationPoint[];
  filled: boolean;
}

/** One item of the Graphic Annotation Sequence: text and graphics of one layer on some images. */
export interface GraphicAnnotation {
  appliesTo: AppliesTo;
  layer: string;
  texts: TextObject[];
  graphics: GraphicObject[];
}

/** The area of the image shown (PS3.3 C.10.4), image coordinates, 0\0 the top left pixel's top left corner. */
export interface DisplayedArea {
  appliesTo: AppliesTo;
  topLeft: AnnotationPoint;
  bottomRight: AnnotationPoint;
}

export interface PresentationState {
  sopInstanceUid: string;
  label: string;
  description: string;
  creator: string;
  /** Presentation Creation Date and Time, as DICOM writes them (YYYYMMDD, HHMMSS). */
  date: string;
  time: string;
  /** The images the presentation state applies to, by series. */
  series: { seriesUid: string; images: ImageReference[] }[];
  windows: SoftcopyWindow[];
  /** Polarity of the display: INVERSE shows low values white. Undefined when not given as a shape. */
  presentationLutShape?: 'IDENTITY' | 'INVERSE';
  /** Clockwise, degrees: 0, 90, 180 or 270; applied before the flip. */
  rotation: 0 | 90 | 180 | 270;
  horizontalFlip: boolean;
  displayedAreas: DisplayedArea[];
  annotations: GraphicAnnotation[];
  /** The display shutter over every image it references, when it has one. */
  shutter?: DisplayShutter;
}

/** The items of a sequence, skipping anything that is not an item. */
function itemsOf(data: DicomJson, key: string): DicomJson[] {
  const value = data[key]?.Value;
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is DicomJson => typeof item === 'object' && item !== null);
}

function imageReferencesOf(data: DicomJson): ImageReference[] {
  return itemsOf(data, Key.ReferencedImageSequence).flatMap((item) => {
    const sopInstanceUid = textOf(item, Key.ReferencedSOPInstanceUID);
    if (sopInstanceUid === '') return [];
    const frames = (numbersOf(item, Key.ReferencedFrameNumber) ?? []).filter((n) => Number.isInteger(n));
    return [{ sopInstanceUid, frames }];
  });
}

/** A part without its own Referenced Image Sequence applies to every image of the presentation state. */
function appliesToOf(data: DicomJson): AppliesTo {
  const references = imageReferencesOf(data);
  return references.length > 0 ? references : 'all';
}

function unitsOf(data: DicomJson, key: string): AnnotationUnits | undefined {
  const units = textOf(data, key).trim().toUpperCase();
  return units === 'PIXEL' || units === 'DISPLAY' ? units : undefined;
}

function pointOf(data: DicomJson, key: string): AnnotationPoint | undefined {
  const values = numbersOf(data, key);
  return values !== undefined && values.length >= 2 ? [values[0]!, values[1]!] : undefined;
}

function textObjectOf(item: DicomJson): TextObject | undefined {
  const text = textOf(item, Key.UnformattedTextValue);
  const boxUnits = unitsOf(item, Key.BoundingBoxAnnotationUnits);
  const topLeft = pointOf(item, Key.BoundingBoxTopLeftHandCorner);
  const bottomRight = pointOf(item, Key.BoundingBoxBottomRightHandCorner);
  const anchorUnits = unitsOf(item, Key.AnchorPointAnnotationUnits);
  const anchorPoint = pointOf(item, Key.AnchorPoint);
  const boundingBox =
    boxUnits !== undefined && topLeft !== undefined && bottomRight !== undefined
      ? { units: boxUnits, topLeft, bottomRight }
      : undefined;
  const anchor =
    anchorUnits !== undefined && anchorPoint !== undefined
      ? {
          units: anchorUnits,
          point: anchorPoint,
          visible: textOf(item, Key.AnchorPointVisibility).trim().toUpperCase() === 'Y',
        }
      : undefined;
  // Text with nowhere to be written is left out.
  if (text === '' || (boundingBox === undefined && anchor === undefined)) return undefined;
  return {
    text,
    ...(boundingBox !== undefined ? { boundingBox } : {}),
    ...(anchor !== undefined ? { anchor } : {}),
  };
}

const POINTS_NEEDED: Record<GraphicType, number> = {
  POINT: 1,
  POLYLINE: 2,
  INTERPOLATED: 2,
  CIRCLE: 2,
  ELLIPSE: 4,
};

function graphicObjectOf(item: DicomJson): GraphicObject | undefined {
  const type = textOf(item, Key.GraphicType).trim().toUpperCase();
  const units = unitsOf(item, Key.GraphicAnnotationUnits);
  if (!(type in POINTS_NEEDED) || units === undefined) return undefined;
  const dimensions = numberOf(item, Key.GraphicDimensions) ?? 2;
  if (dimensions !== 2) return undefined;
  const data = numbersOf(item, Key.GraphicData) ?? [];
  // Pairs of (column, row); an odd value left over is dropped, as is anything beyond the stated count.
  const pairs: AnnotationPoint[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) pairs.push([data[i]!, data[i + 1]!]);
  const count = numberOf(item, Key.NumberOfGraphicPoints);
  const points = count !== undefined && count >= 0 && count < pairs.length ? pairs.slice(0, count) : pairs;
  const graphicType = type as GraphicType;
  if (points.length < POINTS_NEEDED[graphicType]) return undefined;
  return {
    type: graphicType,
    units,
    points,
    filled: textOf(item, Key.GraphicFilled).trim().toUpperCase() === 'Y',
  };
}

function rotationOf(data: DicomJson): PresentationState['rotation'] {
  const degrees = numberOf(data, Key.ImageRotation) ?? 0;
  return degrees === 90 || degrees === 180 || degrees === 270 ? degrees : 0;
}

/** Parses a presentation state's DICOM JSON (WADO-RS metadata); undefined when it is not one. */
export function parsePresentationState(data: DicomJson): PresentationState | undefined {
  const sopInstanceUid = textOf(data, Key.SOPInstanceUID);
  if (sopInstanceUid === '' || textOf(data, Key.SOPClassUID) !== GRAYSCALE_SOFTCOPY_PRESENTATION_STATE)
    return undefined;
  const shape = textOf(data, Key.PresentationLUTShape).trim().toUpperCase();
  const shutter = displayShutterOf(data);
  return {
    sopInstanceUid,
    label: textOf(data, Key.ContentLabel),
    description: textOf(data, Key.ContentDescription),
    creator: textOf(data, Key.ContentCreatorName),
    date: textOf(data, Key.PresentationCreationDate),
    time: textOf(data, Key.PresentationCreationTime),
    series: itemsOf(data, Key.ReferencedSeriesSequence).flatMap((item) => {
      const seriesUid = textOf(item, Key.SeriesInstanceUID);
      return seriesUid === '' ? [] : [{ seriesUid, images: imageReferencesOf(item) }];
    }),
    windows: itemsOf(data, Key.SoftcopyVOILUTSequence).flatMap((item): SoftcopyWindow[] => {
      // A VOI LUT table instead of a window is not applied (yet): the item is left out.
      const center = numberOf(item, Key.WindowCenter);
      const width = numberOf(item, Key.WindowWidth);
      if (center === undefined || width === undefined || width <= 0) return [];
      const explanation = textOf(item, Key.WindowExplanation);
      return [
        { appliesTo: appliesToOf(item), center, width, ...(explanation !== '' ? { explanation } : {}) },
      ];
    }),
    ...(shape === 'IDENTITY' || shape === 'INVERSE' ? { presentationLutShape: shape } : {}),
    rotation: rotationOf(data),
    horizontalFlip: textOf(data, Key.ImageHorizontalFlip).trim().toUpperCase() === 'Y',
    displayedAreas: itemsOf(data, Key.DisplayedAreaSelectionSequence).flatMap((item): DisplayedArea[] => {
      const topLeft = pointOf(item, Key.DisplayedAreaTopLeftHandCorner);
      const bottomRight = pointOf(item, Key.DisplayedAreaBottomRightHandCorner);
      if (topLeft === undefined || bottomRight === undefined) return [];
      // Given as pixels, 1\1 the top left one (C.10.4): from the top left corner of the first to the
      // bottom right corner of the last.
      return [
        {
          appliesTo: appliesToOf(item),
          topLeft: [topLeft[0] - 1, topLeft[1] - 1],
          bottomRight: [bottomRight[0], bottomRight[1]],
        },
      ];
    }),
    annotations: itemsOf(data, Key.GraphicAnnotationSequence).flatMap((item): GraphicAnnotation[] => {
      const texts = itemsOf(item, Key.TextObjectSequence)
        .map(textObjectOf)
        .filter((t): t is TextObject => t !== undefined);
      const graphics = itemsOf(item, Key.GraphicObjectSequence)
        .map(graphicObjectOf)
        .filter((g): g is GraphicObject => g !== undefined);
      if (texts.length === 0 && graphics.length === 0) return [];
      return [{ appliesTo: appliesToOf(item), layer: textOf(item, Key.GraphicLayer), texts, graphics }];
    }),
    ...(shutter !== undefined ? { shutter } : {}),
  };
}

function refersTo(references: readonly ImageReference[], sopInstanceUid: string, frame: number): boolean {
  return references.some(
    (r) => r.sopInstanceUid === sopInstanceUid && (r.frames.length === 0 || r.frames.includes(frame)),
  );
}

/** Whether the presentation state applies to an image's frame (1-based) at all. */
export function appliesToImage(state: PresentationState, sopInstanceUid: string, frame = 1): boolean {
  return state.series.some((s) => refersTo(s.images, sopInstanceUid, frame));
}

/** Whether the presentation state applies to any image of a series. */
export function appliesToSeries(state: PresentationState, seriesUid: string): boolean {
  return state.series.some((s) => s.seriesUid === seriesUid);
}

function partApplies(appliesTo: AppliesTo, state: PresentationState, sop: string, frame: number): boolean {
  return appliesTo === 'all' ? appliesToImage(state, sop, frame) : refersTo(appliesTo, sop, frame);
}

/** The window the presentation state gives an image's frame, if any: the first that applies. */
export function windowFor(
  state: PresentationState,
  sopInstanceUid: string,
  frame = 1,
): SoftcopyWindow | undefined {
  return state.windows.find((w) => partApplies(w.appliesTo, state, sopInstanceUid, frame));
}

/** The displayed area the presentation state gives an image's frame, if any. */
export function displayedAreaFor(
  state: PresentationState,
  sopInstanceUid: string,
  frame = 1,
): DisplayedArea | undefined {
  return state.displayedAreas.find((a) => partApplies(a.appliesTo, state, sopInstanceUid, frame));
}

/** The annotations drawn over an image's frame. */
export function annotationsFor(
  state: PresentationState,
  sopInstanceUid: string,
  frame = 1,
): GraphicAnnotation[] {
  return state.annotations.filter((a) => partApplies(a.appliesTo, state, sopInstanceUid, frame));
}

/** The display shutter over an image's frame, if any: the presentation state's, on the images it references. */
export function shutterFor(
  state: PresentationState,
  sopInstanceUid: string,
  frame = 1,
): DisplayShutter | undefined {
  return appliesToImage(state, sopInstanceUid, frame) ? state.shutter : undefined;
}

/** How the series panel names a presentation state: its label, description, creator and date. */
export function presentationStateTitle(state: PresentationState): string {
  return [state.label, state.description].filter((s) => s !== '').join(' — ') || 'Presentation state';
}

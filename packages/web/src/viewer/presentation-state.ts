import { inlineBinaryBytes, numberOf, numbersOf, textOf, type DicomJson } from '../dicomweb/dicom-json';
import { displayShutterOf, type DisplayShutter } from './display-shutter';

/**
 * Grayscale Softcopy Presentation States (PS3.3 A.33.1): how another workstation or the modality said the
 * images should be shown — window or VOI LUT, polarity, rotation and flip, displayed area, annotations on
 * graphic layers, display shutter. Parsed from a presentation state's DICOM JSON into a model that never
 * throws on what it cannot read: a part it cannot read is left out, the rest still applies.
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
  VOILUTSequence: '00283010',
  LUTDescriptor: '00283002',
  LUTExplanation: '00283003',
  LUTData: '00283006',
  PresentationLUTShape: '20500020',
  ImageHorizontalFlip: '00700041',
  ImageRotation: '00700042',
  DisplayedAreaSelectionSequence: '0070005A',
  DisplayedAreaTopLeftHandCorner: '00700052',
  DisplayedAreaBottomRightHandCorner: '00700053',
  PresentationSizeMode: '00700100',
  PresentationPixelSpacing: '00700101',
  PresentationPixelAspectRatio: '00700102',
  PresentationPixelMagnificationRatio: '00700103',
  GraphicLayerSequence: '00700060',
  GraphicLayerOrder: '00700062',
  GraphicLayerRecommendedDisplayGrayscaleValue: '00700066',
  GraphicLayerDescription: '00700068',
  GraphicLayerRecommendedDisplayCIELabValue: '00700401',
  TextStyleSequence: '00700231',
  LineStyleSequence: '00700232',
  FillStyleSequence: '00700233',
  TextColorCIELabValue: '00700241',
  PatternOnColorCIELabValue: '00700251',
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

/** A colour as DICOM encodes CIELab (PS3.3 C.10.7.1.1): L*, a*, b*, each scaled to 0–65535. */
export type CieLab = readonly [number, number, number];

/**
 * A VOI LUT table (PS3.3 C.11.2.1.1): stored values from `firstMapped` on, one entry each, map to the
 * entries; values below or above take the first or last entry. Entries run from 0 to 2^bits − 1.
 */
export interface VoiLut {
  /** The first value mapped, in the units the Modality LUT gives (HU for CT). */
  firstMapped: number;
  /**
   * LUT Descriptor's second value read unsigned (VR US) at 0x8000 or above: it may be a negative value
   * written unsigned, which only the image's own values can tell (`voiLutInputRange`).
   */
  mayBeNegative: boolean;
  /** Number of entries (0 in the descriptor means 65536). */
  entries: number;
  bits: number;
  /** The entries, or where the archive serves them when the metadata does not hold them. */
  data: readonly number[] | { bulkDataUri: string };
}

/**
 * A Softcopy VOI LUT item: a window, or a VOI LUT table, or both (the table is applied then: it is what
 * the creator drew the values of interest with; a window beside it is a summary of it).
 */
export interface SoftcopyVoi {
  appliesTo: AppliesTo;
  window?: { center: number; width: number };
  lut?: VoiLut;
  explanation?: string;
}

export interface TextObject {
  text: string;
  /** Text Color CIELab Value of its Text Style, when given: drawn in it instead of its layer's colour. */
  colour?: CieLab;
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
  /** Pattern On Color CIELab Value of its Line Style, when given: drawn in it instead of its layer's. */
  lineColour?: CieLab;
  /** Pattern On Color CIELab Value of its Fill Style, when given: filled with it. */
  fillColour?: CieLab;
}

/**
 * A graphic layer (PS3.3 C.10.7): annotations of a layer are drawn in its recommended colour, layers
 * in their order, the lowest first (underneath).
 */
export interface GraphicLayer {
  name: string;
  order: number;
  description: string;
  /** Graphic Layer Recommended Display CIELab Value, for a colour display. */
  cieLab?: CieLab;
  /** Graphic Layer Recommended Display Grayscale Value, a P-value 0–65535, for a monochrome one. */
  grey?: number;
}

/** One item of the Graphic Annotation Sequence: text and graphics of one layer on some images. */
export interface GraphicAnnotation {
  appliesTo: AppliesTo;
  layer: string;
  texts: TextObject[];
  graphics: GraphicObject[];
}

/** How the displayed area is sized on screen (PS3.3 C.10.4). */
export type PresentationSizeMode = 'SCALE TO FIT' | 'TRUE SIZE' | 'MAGNIFY';

/**
 * The area of the image shown (PS3.3 C.10.4), image coordinates, 0\0 the top left pixel's top left corner:
 * its edges, left and top the smaller, whichever corner the presentation state named first. It may reach
 * beyond the image.
 */
export interface DisplayedArea {
  appliesTo: AppliesTo;
  topLeft: AnnotationPoint;
  bottomRight: AnnotationPoint;
  sizeMode: PresentationSizeMode;
  /** Presentation Pixel Spacing (0070,0101): row then column spacing, mm, as the image is to be shown. */
  pixelSpacing?: readonly [number, number];
  /** Presentation Pixel Aspect Ratio (0070,0102): a pixel's height then width, as it is to be shown. */
  pixelAspectRatio?: readonly [number, number];
  /** Presentation Pixel Magnification Ratio (0070,0103): display pixels per image pixel (MAGNIFY). */
  magnification?: number;
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
  vois: SoftcopyVoi[];
  /** Polarity of the display: INVERSE shows low values white. Undefined when not given as a shape. */
  presentationLutShape?: 'IDENTITY' | 'INVERSE';
  /** Clockwise, degrees: 0, 90, 180 or 270; applied before the flip. */
  rotation: 0 | 90 | 180 | 270;
  horizontalFlip: boolean;
  displayedAreas: DisplayedArea[];
  /** The Graphic Layer Sequence, in drawing order (lowest Graphic Layer Order first). */
  layers: GraphicLayer[];
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

function cieLabOf(data: DicomJson, key: string): CieLab | undefined {
  const values = numbersOf(data, key);
  if (values === undefined || values.length !== 3 || values.some((v) => v < 0 || v > 0xffff))
    return undefined;
  return [values[0]!, values[1]!, values[2]!];
}

/** The colour a Text, Line or Fill Style Sequence gives (its one item's), if any. */
function styleColourOf(data: DicomJson, sequence: string, key: string): CieLab | undefined {
  return itemsOf(data, sequence)
    .map((style) => cieLabOf(style, key))
    .find((colour) => colour !== undefined);
}

/** Two positive numbers (a spacing or a ratio), or undefined. */
function positivePairOf(data: DicomJson, key: string): readonly [number, number] | undefined {
  const values = numbersOf(data, key);
  return values !== undefined && values.length === 2 && values.every((v) => v > 0)
    ? [values[0]!, values[1]!]
    : undefined;
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
  const colour = styleColourOf(item, Key.TextStyleSequence, Key.TextColorCIELabValue);
  return {
    text,
    ...(colour !== undefined ? { colour } : {}),
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
  const lineColour = styleColourOf(item, Key.LineStyleSequence, Key.PatternOnColorCIELabValue);
  const fillColour = styleColourOf(item, Key.FillStyleSequence, Key.PatternOnColorCIELabValue);
  return {
    type: graphicType,
    units,
    points,
    filled: textOf(item, Key.GraphicFilled).trim().toUpperCase() === 'Y',
    ...(lineColour !== undefined ? { lineColour } : {}),
    ...(fillColour !== undefined ? { fillColour } : {}),
  };
}

/** 16-bit words, little endian (InlineBinary and bulk data are, PS3.18 F.2.7), an odd last byte dropped. */
export function littleEndianWords(bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) words.push(bytes[i]! | (bytes[i + 1]! << 8));
  return words;
}

/**
 * LUT Data as its entries: one a 16-bit word, or, for 8-bit entries held two to a word (as many words as
 * it takes to hold the entries, the last one's high byte padding when their count is odd), the low byte
 * then the high one. Undefined when there are fewer than the descriptor says.
 */
export function lutEntriesOf(words: readonly number[], entries: number, bits: number): number[] | undefined {
  const packed = bits <= 8 && words.length === Math.ceil(entries / 2) && words.length < entries;
  const values = packed ? words.flatMap((w) => [w & 0xff, (w >> 8) & 0xff]) : words;
  return values.length >= entries ? values.slice(0, entries) : undefined;
}

function voiLutOf(item: DicomJson): VoiLut | undefined {
  const descriptor = numbersOf(item, Key.LUTDescriptor);
  if (descriptor === undefined || descriptor.length !== 3) return undefined;
  const [given, firstMapped, givenBits] = descriptor as [number, number, number];
  // The count and the bits are always unsigned (C.11.1.1.1), even where the descriptor is written SS, as
  // it may be when the first value mapped is negative: 40,000 entries would read as −25,536.
  const signed = item[Key.LUTDescriptor]?.vr === 'SS';
  const unsigned = (value: number) => (signed && Number.isInteger(value) ? value & 0xffff : value);
  const count = unsigned(given);
  const bits = unsigned(givenBits);
  const entries = count === 0 ? 0x10000 : count;
  if (!Number.isInteger(entries) || entries < 2 || !Number.isInteger(bits) || bits < 1 || bits > 16)
    return undefined;
  const lut = item[Key.LUTData];
  let data: VoiLut['data'] | undefined;
  if (lut?.Value !== undefined) data = lutEntriesOf(numbersOf(item, Key.LUTData) ?? [], entries, bits);
  else if (lut?.InlineBinary !== undefined)
    data = lutEntriesOf(littleEndianWords(inlineBinaryBytes(lut.InlineBinary)), entries, bits);
  else if (lut?.BulkDataURI !== undefined) data = { bulkDataUri: lut.BulkDataURI };
  if (data === undefined) return undefined;
  return {
    firstMapped,
    mayBeNegative: !signed && firstMapped >= 0x8000,
    entries,
    bits,
    data,
  };
}

function softcopyVoiOf(item: DicomJson): SoftcopyVoi | undefined {
  const center = numberOf(item, Key.WindowCenter);
  const width = numberOf(item, Key.WindowWidth);
  const window = center !== undefined && width !== undefined && width > 0 ? { center, width } : undefined;
  // The first table it can read (the sequence holds one, C.11.8).
  const [table] = itemsOf(item, Key.VOILUTSequence).flatMap((lutItem) => {
    const lut = voiLutOf(lutItem);
    return lut !== undefined ? [{ lut, explanation: textOf(lutItem, Key.LUTExplanation) }] : [];
  });
  const lut = table?.lut;
  if (window === undefined && lut === undefined) return undefined;
  const explanation = table?.explanation || textOf(item, Key.WindowExplanation);
  return {
    appliesTo: appliesToOf(item),
    ...(window !== undefined ? { window } : {}),
    ...(lut !== undefined ? { lut } : {}),
    ...(explanation !== '' ? { explanation } : {}),
  };
}

const SIZE_MODES: readonly string[] = [
  'SCALE TO FIT',
  'TRUE SIZE',
  'MAGNIFY',
] satisfies PresentationSizeMode[];

function displayedAreaOf(item: DicomJson): DisplayedArea | undefined {
  const one = pointOf(item, Key.DisplayedAreaTopLeftHandCorner);
  const other = pointOf(item, Key.DisplayedAreaBottomRightHandCorner);
  if (one === undefined || other === undefined) return undefined;
  const mode = textOf(item, Key.PresentationSizeMode).trim().toUpperCase();
  const pixelSpacing = positivePairOf(item, Key.PresentationPixelSpacing);
  const pixelAspectRatio = positivePairOf(item, Key.PresentationPixelAspectRatio);
  const magnification = numberOf(item, Key.PresentationPixelMagnificationRatio);
  const magnifies = magnification !== undefined && magnification > 0;
  // MAGNIFY without a ratio, or a mode not known, is shown as the area fitted: the area still is right.
  const sizeMode =
    SIZE_MODES.includes(mode) && (mode !== 'MAGNIFY' || magnifies)
      ? (mode as PresentationSizeMode)
      : 'SCALE TO FIT';
  // Given as pixels, 1\1 the top left one (C.10.4), the corners of the area as it is seen after the
  // rotation and flip: from the top left corner of the first pixel to the bottom right of the last, on
  // the image before it is turned, whichever corner each names then.
  return {
    appliesTo: appliesToOf(item),
    topLeft: [Math.min(one[0], other[0]) - 1, Math.min(one[1], other[1]) - 1],
    bottomRight: [Math.max(one[0], other[0]), Math.max(one[1], other[1])],
    sizeMode,
    ...(pixelSpacing !== undefined ? { pixelSpacing } : {}),
    ...(pixelAspectRatio !== undefined ? { pixelAspectRatio } : {}),
    ...(sizeMode === 'MAGNIFY' ? { magnification } : {}),
  };
}

/** The Graphic Layer Sequence, lowest order first (an item without an order after those with one). */
function graphicLayersOf(data: DicomJson): GraphicLayer[] {
  const layers = itemsOf(data, Key.GraphicLayerSequence).flatMap((item): GraphicLayer[] => {
    const name = textOf(item, Key.GraphicLayer).trim();
    if (name === '') return [];
    const cieLab = cieLabOf(item, Key.GraphicLayerRecommendedDisplayCIELabValue);
    const grey = numberOf(item, Key.GraphicLayerRecommendedDisplayGrayscaleValue);
    return [
      {
        name,
        order: numberOf(item, Key.GraphicLayerOrder) ?? Number.MAX_SAFE_INTEGER,
        description: textOf(item, Key.GraphicLayerDescription),
        ...(cieLab !== undefined ? { cieLab } : {}),
        ...(grey !== undefined && grey >= 0 && grey <= 0xffff ? { grey } : {}),
      },
    ];
  });
  // Stable: layers of the same order keep the order they were given in.
  return layers.sort((a, b) => a.order - b.order);
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
    vois: itemsOf(data, Key.SoftcopyVOILUTSequence)
      .map(softcopyVoiOf)
      .filter((v): v is SoftcopyVoi => v !== undefined),
    ...(shape === 'IDENTITY' || shape === 'INVERSE' ? { presentationLutShape: shape } : {}),
    rotation: rotationOf(data),
    horizontalFlip: textOf(data, Key.ImageHorizontalFlip).trim().toUpperCase() === 'Y',
    displayedAreas: itemsOf(data, Key.DisplayedAreaSelectionSequence)
      .map(displayedAreaOf)
      .filter((a): a is DisplayedArea => a !== undefined),
    layers: graphicLayersOf(data),
    annotations: itemsOf(data, Key.GraphicAnnotationSequence).flatMap((item): GraphicAnnotation[] => {
      const texts = itemsOf(item, Key.TextObjectSequence)
        .map(textObjectOf)
        .filter((t): t is TextObject => t !== undefined);
      const graphics = itemsOf(item, Key.GraphicObjectSequence)
        .map(graphicObjectOf)
        .filter((g): g is GraphicObject => g !== undefined);
      if (texts.length === 0 && graphics.length === 0) return [];
      return [
        { appliesTo: appliesToOf(item), layer: textOf(item, Key.GraphicLayer).trim(), texts, graphics },
      ];
    }),
    ...(shutter !== undefined ? { shutter } : {}),
  };
}

function refersTo(references: readonly ImageReference[], sopInstanceUid: string, frame: number): boolean {
  return references.some(
    (r) => r.sopInstanceUid === sopInstanceUid && (r.frames.length === 0 || r.frames.includes(frame)),
  );
}

/**
 * The presentation state with the VOI LUT tables its metadata left as bulk data read in (`fetchBytes`
 * gives a BulkDataURI's value). A table that cannot be read is left out; its item's window, if it has
 * one, still applies.
 */
export async function withVoiLutData(
  state: PresentationState,
  fetchBytes: (bulkDataUri: string) => Promise<Uint8Array>,
): Promise<PresentationState> {
  if (!state.vois.some((v) => v.lut !== undefined && 'bulkDataUri' in v.lut.data)) return state;
  const vois = await Promise.all(
    state.vois.map(async (voi): Promise<SoftcopyVoi | undefined> => {
      const { lut, ...rest } = voi;
      if (lut === undefined || !('bulkDataUri' in lut.data)) return voi;
      try {
        const words = littleEndianWords(await fetchBytes(lut.data.bulkDataUri));
        const data = lutEntriesOf(words, lut.entries, lut.bits);
        if (data !== undefined) return { ...voi, lut: { ...lut, data } };
      } catch (e) {
        console.error('could not read a VOI LUT of the presentation state', e);
      }
      return rest.window !== undefined ? rest : undefined;
    }),
  );
  return { ...state, vois: vois.filter((v): v is SoftcopyVoi => v !== undefined) };
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

/** The window or VOI LUT the presentation state gives an image's frame, if any: the first that applies. */
export function voiFor(state: PresentationState, sopInstanceUid: string, frame = 1): SoftcopyVoi | undefined {
  return state.vois.find((v) => partApplies(v.appliesTo, state, sopInstanceUid, frame));
}

/** The displayed area the presentation state gives an image's frame, if any. */
export function displayedAreaFor(
  state: PresentationState,
  sopInstanceUid: string,
  frame = 1,
): DisplayedArea | undefined {
  return state.displayedAreas.find((a) => partApplies(a.appliesTo, state, sopInstanceUid, frame));
}

/**
 * The annotations drawn over an image's frame, in drawing order: by their graphic layers' order, those of
 * a layer the Graphic Layer Sequence does not list last, each layer's in the order given.
 */
export function annotationsFor(
  state: PresentationState,
  sopInstanceUid: string,
  frame = 1,
): GraphicAnnotation[] {
  const rank = (a: GraphicAnnotation) => {
    const index = state.layers.findIndex((l) => l.name === a.layer);
    return index === -1 ? state.layers.length : index;
  };
  return state.annotations
    .filter((a) => partApplies(a.appliesTo, state, sopInstanceUid, frame))
    .sort((a, b) => rank(a) - rank(b));
}

/** The graphic layer an annotation is on, when the Graphic Layer Sequence lists it. */
export function layerOf(state: PresentationState, annotation: GraphicAnnotation): GraphicLayer | undefined {
  return state.layers.find((l) => l.name === annotation.layer);
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

import { numberOf, numbersOf, textsOf, type DicomJson } from '../dicomweb/dicom-json';

/**
 * The Display Shutter module of a presentation state (PS3.3 C.7.6.11): what of the image is seen, the
 * rest covered in one grey (or colour). Its positions are pixel numbers, 1\1 the top left pixel, given
 * row then column; they are kept here as image coordinates (x = column, y = row, 0\0 the top left corner
 * of the top left pixel), as the annotations' PIXEL units are. The Bitmap Display Shutter (an overlay) is
 * not read.
 */

const Key = {
  ShutterShape: '00181600',
  ShutterLeftVerticalEdge: '00181602',
  ShutterRightVerticalEdge: '00181604',
  ShutterUpperHorizontalEdge: '00181606',
  ShutterLowerHorizontalEdge: '00181608',
  CenterOfCircularShutter: '00181610',
  RadiusOfCircularShutter: '00181612',
  VerticesOfThePolygonalShutter: '00181620',
  ShutterPresentationValue: '00181622',
  ShutterPresentationColorCIELabValue: '00181624',
} as const;

/** An image point (column, row). */
type ImagePoint = readonly [number, number];

/** One shutter shape: the part of the image seen through it. */
export type ShutterShape =
  | { shape: 'RECTANGULAR'; left: number; top: number; right: number; bottom: number }
  /** `radius`: in pixels along a row (column widths); the circle is round as the image is seen. */
  | { shape: 'CIRCULAR'; centre: ImagePoint; radius: number }
  | { shape: 'POLYGONAL'; vertices: ImagePoint[] };

export interface DisplayShutter {
  /** What is seen is inside every shape at once (C.7.6.11.1.1: several shapes are combined). */
  shapes: ShutterShape[];
  /** Shutter Presentation Value: a P-value 0–65535, when given. */
  presentationValue?: number;
  /** Shutter Presentation Color CIELab Value, as DICOM encodes it (each 0–65535), when given. */
  cieLab?: readonly [number, number, number];
}

/** The centre of pixel (row, column), both 1-based, in image coordinates. */
const pixelCentre = (row: number, column: number): ImagePoint => [column - 0.5, row - 0.5];

function rectangleOf(data: DicomJson): ShutterShape | undefined {
  const left = numberOf(data, Key.ShutterLeftVerticalEdge);
  const right = numberOf(data, Key.ShutterRightVerticalEdge);
  const upper = numberOf(data, Key.ShutterUpperHorizontalEdge);
  const lower = numberOf(data, Key.ShutterLowerHorizontalEdge);
  if (left === undefined || right === undefined || upper === undefined || lower === undefined)
    return undefined;
  if (right < left || lower < upper) return undefined;
  // The edges name the first and last pixels seen: from the left edge of the one to the right of the other.
  return { shape: 'RECTANGULAR', left: left - 1, top: upper - 1, right, bottom: lower };
}

function circleOf(data: DicomJson): ShutterShape | undefined {
  const centre = numbersOf(data, Key.CenterOfCircularShutter);
  const radius = numberOf(data, Key.RadiusOfCircularShutter);
  if (centre === undefined || centre.length < 2 || radius === undefined || radius <= 0) return undefined;
  return { shape: 'CIRCULAR', centre: pixelCentre(centre[0]!, centre[1]!), radius };
}

function polygonOf(data: DicomJson): ShutterShape | undefined {
  const values = numbersOf(data, Key.VerticesOfThePolygonalShutter) ?? [];
  const vertices: ImagePoint[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) vertices.push(pixelCentre(values[i]!, values[i + 1]!));
  return vertices.length >= 3 ? { shape: 'POLYGONAL', vertices } : undefined;
}

const READERS: Record<string, (data: DicomJson) => ShutterShape | undefined> = {
  RECTANGULAR: rectangleOf,
  CIRCULAR: circleOf,
  POLYGONAL: polygonOf,
};

/** The display shutter of a presentation state's DICOM JSON; undefined when it has none it can read. */
export function displayShutterOf(data: DicomJson): DisplayShutter | undefined {
  const names = new Set(textsOf(data, Key.ShutterShape).map((s) => s.trim().toUpperCase()));
  const shapes = [...names].flatMap((name) => READERS[name]?.(data) ?? []);
  if (shapes.length === 0) return undefined;
  const value = numberOf(data, Key.ShutterPresentationValue);
  const lab = numbersOf(data, Key.ShutterPresentationColorCIELabValue);
  return {
    shapes,
    ...(value !== undefined && value >= 0 && value <= 0xffff ? { presentationValue: value } : {}),
    ...(lab !== undefined && lab.length === 3 ? { cieLab: [lab[0]!, lab[1]!, lab[2]!] as const } : {}),
  };
}

/** sRGB's transfer curve, from linear light 0–1 to 0–255. */
function srgb(linear: number): number {
  const v = linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
  return Math.round(255 * Math.min(1, Math.max(0, v)));
}

/**
 * DICOM's CIELab (PS3.3 C.10.7.1.1: L* 0–100, a* and b* −128–127, each scaled to 0–65535, white point
 * D50 as in ICC profiles) as sRGB 0–255, through XYZ and a Bradford adaptation to D65.
 */
export function cieLabToRgb([l, a, b]: readonly [number, number, number]): [number, number, number] {
  const L = (l * 100) / 0xffff;
  const A = (a * 255) / 0xffff - 128;
  const B = (b * 255) / 0xffff - 128;
  const fy = (L + 16) / 116;
  const inverse = (t: number) => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));
  const [x, y, z] = [0.96422 * inverse(fy + A / 500), inverse(fy), 0.82521 * inverse(fy - B / 200)];
  return [
    srgb(3.1338561 * x - 1.6168667 * y - 0.4906146 * z),
    srgb(-0.9787684 * x + 1.9161415 * y + 0.033454 * z),
    srgb(0.0719453 * x - 0.2289914 * y + 1.4052427 * z),
  ];
}

/** A P-value (0–65535) as a grey 0–255: P-values are perceptually linear, so scaled straight. */
export function greyOfPValue(value: number): number {
  return Math.round((value * 255) / 0xffff);
}

/**
 * The colour a shutter covers the image in: the presentation value's grey, else its CIELab colour, else
 * black.
 */
export function shutterColourOf(shutter: DisplayShutter): string {
  if (shutter.presentationValue !== undefined) {
    const grey = greyOfPValue(shutter.presentationValue);
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  if (shutter.cieLab !== undefined) return `rgb(${cieLabToRgb(shutter.cieLab).join(', ')})`;
  return 'rgb(0, 0, 0)';
}

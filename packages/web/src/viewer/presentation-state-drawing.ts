import type {
  AnnotationPoint,
  AnnotationUnits,
  CieLab,
  GraphicAnnotation,
  GraphicLayer,
  GraphicObject,
} from './presentation-state';
import {
  cieLabToRgb,
  greyOfPValue,
  shutterColourOf,
  type DisplayShutter,
  type ShutterShape,
} from './display-shutter';

/**
 * A presentation state's annotations as shapes on the viewport's canvas (CSS pixels), given where a point
 * of either unit lands there: pure geometry, so that the layer only has to draw them.
 */

/** Where a point in its units is on the canvas. */
export type Place = (units: AnnotationUnits, point: AnnotationPoint) => [number, number];

export interface DrawnPath {
  /** Canvas points, in order; closed shapes (circles, ellipses) come back to their first. */
  points: [number, number][];
  filled: boolean;
  /** Its line's colour, and what it is filled with when filled, as CSS and SVG take them. */
  colour: string;
  fillColour: string;
}

export interface DrawnText {
  text: string;
  /** Top left of the text on the canvas. */
  x: number;
  y: number;
  colour: string;
  /** A line from the text to the point it is about, when that point is to be seen. */
  leader?: { from: [number, number]; to: [number, number] };
}

/** A single point (POINT), marked by a cross of fixed size on screen. */
export interface DrawnPoint {
  at: [number, number];
  colour: string;
}

/** The graphics and text of one annotation (one graphic layer's on the image), drawn text above graphics. */
export interface DrawnAnnotation {
  paths: DrawnPath[];
  points: DrawnPoint[];
  texts: DrawnText[];
}

/** The reading room's annotation colour: what a layer is drawn in when it recommends none. */
export const ANNOTATION_COLOUR = 'rgb(255, 212, 0)';

/** A DICOM CIELab colour as CSS and SVG take it. */
export function cieLabColour(lab: CieLab): string {
  return `rgb(${cieLabToRgb(lab).join(', ')})`;
}

/**
 * The colour a graphic layer is drawn in (PS3.3 C.10.7.1): its recommended CIELab colour, as this is a
 * colour display, else its recommended grey (a P-value), else the annotation colour.
 */
export function layerColourOf(layer: GraphicLayer | undefined): string {
  if (layer?.cieLab !== undefined) return cieLabColour(layer.cieLab);
  if (layer?.grey !== undefined) {
    const grey = greyOfPValue(layer.grey);
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  return ANNOTATION_COLOUR;
}

/** Steps round a circle or an ellipse: smooth at any zoom a reading room uses. */
const CURVE_STEPS = 72;

/** Points round a curve centred at `centre` through `centre + u·cos t + v·sin t`, closed. */
function curve(centre: AnnotationPoint, u: AnnotationPoint, v: AnnotationPoint): AnnotationPoint[] {
  return Array.from({ length: CURVE_STEPS + 1 }, (_, i) => {
    const t = (2 * Math.PI * i) / CURVE_STEPS;
    return [
      centre[0] + u[0] * Math.cos(t) + v[0] * Math.sin(t),
      centre[1] + u[1] * Math.cos(t) + v[1] * Math.sin(t),
    ] as const;
  });
}

/**
 * The outline of a graphic in its own units: a circle is its centre and a point on it; an ellipse the
 * ends of its major axis then of its minor axis (PS3.3 C.10.5.1.2). Curves are traced in the graphic's
 * units and each point placed on the canvas, so they turn and stretch with the image as it is drawn.
 * INTERPOLATED is drawn through its points as a polyline.
 */
export function outlineOf(graphic: GraphicObject): AnnotationPoint[] {
  const [a, b, c, d] = graphic.points;
  if (graphic.type === 'CIRCLE' && a !== undefined && b !== undefined) {
    const radius = Math.hypot(b[0] - a[0], b[1] - a[1]);
    return curve(a, [radius, 0], [0, radius]);
  }
  if (
    graphic.type === 'ELLIPSE' &&
    a !== undefined &&
    b !== undefined &&
    c !== undefined &&
    d !== undefined
  ) {
    const centre: AnnotationPoint = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    return curve(centre, [(b[0] - a[0]) / 2, (b[1] - a[1]) / 2], [(d[0] - c[0]) / 2, (d[1] - c[1]) / 2]);
  }
  return graphic.points;
}

/** The point of a box nearest to another: where a leader line from outside meets the box. */
function nearestInBox(
  point: [number, number],
  box: { left: number; top: number; right: number; bottom: number },
) {
  return [
    Math.min(Math.max(point[0], box.left), box.right),
    Math.min(Math.max(point[1], box.top), box.bottom),
  ] as [number, number];
}

/** Text is written a little away from the point it is about when it has no box of its own. */
const ANCHOR_OFFSET = 6;

/**
 * The annotations of one image as shapes on the canvas, in the order given (the order they are drawn
 * in, the first underneath). Each is drawn in its layer's colour (`layerColour`) but where an object's
 * Line, Fill or Text Style gives its own.
 */
export function drawnAnnotationsOf(
  annotations: readonly GraphicAnnotation[],
  place: Place,
  layerColour: (annotation: GraphicAnnotation) => string = () => ANNOTATION_COLOUR,
): DrawnAnnotation[] {
  return annotations.map((annotation) => {
    const colour = layerColour(annotation);
    const drawn: DrawnAnnotation = { paths: [], points: [], texts: [] };
    for (const graphic of annotation.graphics) {
      const points = outlineOf(graphic).map((p) => place(graphic.units, p));
      const line = graphic.lineColour !== undefined ? cieLabColour(graphic.lineColour) : colour;
      if (graphic.type === 'POINT') drawn.points.push(...points.map((at) => ({ at, colour: line })));
      else
        drawn.paths.push({
          points,
          filled: graphic.filled,
          colour: line,
          fillColour: graphic.fillColour !== undefined ? cieLabColour(graphic.fillColour) : line,
        });
    }
    for (const text of annotation.texts) {
      const anchor = text.anchor !== undefined ? place(text.anchor.units, text.anchor.point) : undefined;
      const textColour = text.colour !== undefined ? cieLabColour(text.colour) : colour;
      if (text.boundingBox !== undefined) {
        // The box's corners may have swapped places on screen with a rotation or flip.
        const one = place(text.boundingBox.units, text.boundingBox.topLeft);
        const other = place(text.boundingBox.units, text.boundingBox.bottomRight);
        const box = {
          left: Math.min(one[0], other[0]),
          top: Math.min(one[1], other[1]),
          right: Math.max(one[0], other[0]),
          bottom: Math.max(one[1], other[1]),
        };
        drawn.texts.push({
          text: text.text,
          x: box.left,
          y: box.top,
          colour: textColour,
          ...(anchor !== undefined && text.anchor?.visible === true
            ? { leader: { from: nearestInBox(anchor, box), to: anchor } }
            : {}),
        });
      } else if (anchor !== undefined) {
        drawn.texts.push({
          text: text.text,
          x: anchor[0] + ANCHOR_OFFSET,
          y: anchor[1] + ANCHOR_OFFSET,
          colour: textColour,
        });
      }
    }
    return drawn;
  });
}

/**
 * The outline of a shutter shape in image coordinates: what is seen lies inside it. A circle's radius is
 * counted in pixels along a row (C.7.6.11.1.2), and it is round as the image is seen: on pixels
 * `pixelProportion` times as tall as they are wide it spans that many times fewer rows than columns.
 */
export function shutterOutlineOf(shape: ShutterShape, pixelProportion = 1): AnnotationPoint[] {
  switch (shape.shape) {
    case 'RECTANGULAR':
      return [
        [shape.left, shape.top],
        [shape.right, shape.top],
        [shape.right, shape.bottom],
        [shape.left, shape.bottom],
      ];
    case 'CIRCULAR':
      return curve(shape.centre, [shape.radius, 0], [0, shape.radius / pixelProportion]);
    case 'POLYGONAL':
      return shape.vertices;
  }
}

export interface DrawnShutter {
  /** Each shape's outline on the canvas: everything outside any of them is covered. */
  outlines: [number, number][][];
  /** The colour it is covered in, as CSS and SVG take it. */
  colour: string;
}

/**
 * A display shutter on the canvas; its shapes are placed as PIXEL points, so they turn with the image.
 * A pixel's proportions are as the canvas shows them (Pixel Spacing, or a presentation state's own).
 */
export function drawnShutterOf(shutter: DisplayShutter, place: Place): DrawnShutter {
  const origin = place('PIXEL', [0, 0]);
  const across = place('PIXEL', [1, 0]);
  const down = place('PIXEL', [0, 1]);
  const width = Math.hypot(across[0] - origin[0], across[1] - origin[1]);
  const height = Math.hypot(down[0] - origin[0], down[1] - origin[1]);
  const proportion = width > 0 && height > 0 ? height / width : 1;
  return {
    outlines: shutter.shapes.map((shape) =>
      shutterOutlineOf(shape, proportion).map((p) => place('PIXEL', p)),
    ),
    colour: shutterColourOf(shutter),
  };
}

/**
 * SVG path data that covers a `width` × `height` canvas but the inside of an outline, filled with the
 * even-odd rule: the canvas (a pixel beyond its edges, so none is left uncovered) with the outline cut out.
 * Shapes each get their own path: one path of them all would show again where two of them overlap.
 */
export function shutterPathData(outline: readonly [number, number][], width: number, height: number): string {
  const cut = outline.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`).join('');
  return `M-1 -1H${width + 1}V${height + 1}H-1Z${cut}Z`;
}

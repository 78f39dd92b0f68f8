import type {
  AnnotationPoint,
  AnnotationUnits,
  GraphicAnnotation,
  GraphicObject,
} from './presentation-state';
import { shutterColourOf, type DisplayShutter, type ShutterShape } from './display-shutter';

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
}

export interface DrawnText {
  text: string;
  /** Top left of the text on the canvas. */
  x: number;
  y: number;
  /** A line from the text to the point it is about, when that point is to be seen. */
  leader?: { from: [number, number]; to: [number, number] };
}

export interface DrawnAnnotations {
  paths: DrawnPath[];
  /** Single points (POINT), marked by a cross of fixed size on screen. */
  points: [number, number][];
  texts: DrawnText[];
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

/** The annotations of one image as shapes on the canvas. */
export function drawnAnnotationsOf(
  annotations: readonly GraphicAnnotation[],
  place: Place,
): DrawnAnnotations {
  const drawn: DrawnAnnotations = { paths: [], points: [], texts: [] };
  for (const annotation of annotations) {
    for (const graphic of annotation.graphics) {
      const points = outlineOf(graphic).map((p) => place(graphic.units, p));
      if (graphic.type === 'POINT') drawn.points.push(...points);
      else drawn.paths.push({ points, filled: graphic.filled });
    }
    for (const text of annotation.texts) {
      const anchor = text.anchor !== undefined ? place(text.anchor.units, text.anchor.point) : undefined;
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
          ...(anchor !== undefined && text.anchor?.visible === true
            ? { leader: { from: nearestInBox(anchor, box), to: anchor } }
            : {}),
        });
      } else if (anchor !== undefined) {
        drawn.texts.push({ text: text.text, x: anchor[0] + ANCHOR_OFFSET, y: anchor[1] + ANCHOR_OFFSET });
      }
    }
  }
  return drawn;
}

/** The outline of a shutter shape in image coordinates: what is seen lies inside it. */
export function shutterOutlineOf(shape: ShutterShape): AnnotationPoint[] {
  switch (shape.shape) {
    case 'RECTANGULAR':
      return [
        [shape.left, shape.top],
        [shape.right, shape.top],
        [shape.right, shape.bottom],
        [shape.left, shape.bottom],
      ];
    case 'CIRCULAR':
      return curve(shape.centre, [shape.radius, 0], [0, shape.radius]);
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

/** A display shutter on the canvas; its shapes are placed as PIXEL points, so they turn with the image. */
export function drawnShutterOf(shutter: DisplayShutter, place: Place): DrawnShutter {
  return {
    outlines: shutter.shapes.map((shape) => shutterOutlineOf(shape).map((p) => place('PIXEL', p))),
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

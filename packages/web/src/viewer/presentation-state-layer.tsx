import { Enums, type RenderingEngine, type StackViewport } from '@cornerstonejs/core';
import { useEffect, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { JsonTag, numberOf } from '../dicomweb/dicom-json';
import { imageToWorld } from './image-coordinates';
import {
  drawnAnnotationsOf,
  drawnShutterOf,
  layerColourOf,
  shutterPathData,
  type DrawnAnnotation,
  type DrawnShutter,
  type Place,
} from './presentation-state-drawing';
import {
  annotationsFor,
  displayedAreaFor,
  layerOf,
  shutterFor,
  type PresentationState,
} from './presentation-state';
import type { StackFrame } from './series-stack';

/**
 * Where annotation points of a presentation state land on a viewport's canvas for one image. PIXEL points
 * are image coordinates, 0\0 the top left corner of the top left pixel, as `imageToWorld` takes them;
 * DISPLAY points are fractions of the displayed area as it is seen, so they are laid in the box its
 * corners make on screen (the image's own edges when the presentation state selects no area).
 */
function placeOn(viewport: StackViewport, frame: StackFrame, state: PresentationState): Place {
  const toCanvas = (point: readonly number[]) =>
    viewport.worldToCanvas(imageToWorld(frame.imageId, point)) as [number, number];
  const area = displayedAreaFor(state, frame.sopInstanceUid, frame.frame) ?? {
    topLeft: [0, 0],
    bottomRight: [
      numberOf(frame.metadata, JsonTag.Columns) ?? 0,
      numberOf(frame.metadata, JsonTag.Rows) ?? 0,
    ],
  };
  const [left, top] = area.topLeft;
  const [right, bottom] = area.bottomRight;
  const corners = [
    toCanvas([left, top]),
    toCanvas([right, top]),
    toCanvas([left, bottom]),
    toCanvas([right, bottom]),
  ];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const box = {
    x: Math.min(...xs),
    y: Math.min(...ys),
    width: Math.max(...xs) - Math.min(...xs),
    height: Math.max(...ys) - Math.min(...ys),
  };
  return (units, point) =>
    units === 'PIXEL' ? toCanvas(point) : [box.x + point[0] * box.width, box.y + point[1] * box.height];
}

/** Half the size of the cross that marks a POINT, CSS pixels. */
const POINT_MARK = 5;

/**
 * How the layer is painted, as SVG attributes rather than CSS: an export or print serialises the layer to
 * an image (viewport-capture.ts), where the page's style sheet does not reach. Colours are each graphic
 * layer's (presentation-state-drawing.ts).
 */
const GRAPHICS = { fill: 'none', strokeWidth: 2 } as const;
const FILL_OPACITY = 0.25;
/** Text dark-edged to read on any grey. */
const TEXT = {
  fontFamily: 'sans-serif',
  fontSize: 13,
  dominantBaseline: 'hanging',
  paintOrder: 'stroke',
  stroke: '#000',
  strokeWidth: 3,
} as const;

interface Drawn {
  /** In drawing order: graphic layers by their order, the first underneath. */
  annotations: DrawnAnnotation[];
  shutter: DrawnShutter | undefined;
  /** The viewport's size, CSS pixels: what a shutter covers. */
  width: number;
  height: number;
}

/**
 * The chosen presentation state over the image a stack viewport shows: its display shutter, covering what
 * is not to be seen, and its annotations (text, lines, curves, points) above it, each graphic layer in its
 * recommended colour (the reading room's annotation colour where it has none) and in its order. Kept on
 * the image through scrolling, zoom, pan, rotation and flips; nothing is drawn on images the presentation
 * state does not reference.
 */
export function PresentationStateLayer({
  engine,
  viewportId,
  viewportElement,
  frames,
  state,
}: {
  engine: RenderingEngine;
  viewportId: string;
  /** The element Cornerstone draws the viewport in, where its events arrive. */
  viewportElement: RefObject<HTMLDivElement | null>;
  frames: StackFrame[] | undefined;
  state: PresentationState | undefined;
}) {
  const [drawn, setDrawn] = useState<Drawn | null>(null);

  useEffect(() => {
    const element = viewportElement.current;
    if (element === null || state === undefined || frames === undefined) {
      setDrawn(null);
      return;
    }
    const drawNow = (): Drawn | null => {
      const viewport = engine.getViewport(viewportId) as StackViewport | undefined;
      const imageId = viewport?.getCurrentImageId();
      const frame = frames.find((f) => f.imageId === imageId);
      if (viewport === undefined || frame === undefined) return null;
      const annotations = annotationsFor(state, frame.sopInstanceUid, frame.frame);
      const shutter = shutterFor(state, frame.sopInstanceUid, frame.frame);
      if (annotations.length === 0 && shutter === undefined) return null;
      const place = placeOn(viewport, frame, state);
      return {
        annotations: drawnAnnotationsOf(annotations, place, (a) => layerColourOf(layerOf(state, a))),
        shutter: shutter !== undefined ? drawnShutterOf(shutter, place) : undefined,
        width: element.clientWidth,
        height: element.clientHeight,
      };
    };
    const follow = () => setDrawn(drawNow());
    // Drawn at once when an image is rendered: a capture that waits for the render (the print of key
    // images scrolls to each) then finds the layer of that image, not the one before.
    const rendered = () => flushSync(follow);
    const events = [Enums.Events.CAMERA_MODIFIED, Enums.Events.STACK_NEW_IMAGE];
    for (const event of events) element.addEventListener(event, follow);
    element.addEventListener(Enums.Events.IMAGE_RENDERED, rendered);
    follow();
    return () => {
      for (const event of events) element.removeEventListener(event, follow);
      element.removeEventListener(Enums.Events.IMAGE_RENDERED, rendered);
    };
  }, [engine, viewportId, viewportElement, frames, state]);

  if (drawn === null) return null;
  const { annotations, shutter, width, height } = drawn;
  return (
    <svg className="presentation-state-layer" data-presentation-state={state?.sopInstanceUid}>
      {shutter !== undefined && (
        <g className="shutter" fill={shutter.colour} fillRule="evenodd">
          {shutter.outlines.map((outline, i) => (
            <path key={i} d={shutterPathData(outline, width, height)} />
          ))}
        </g>
      )}
      {annotations.map((annotation, a) => (
        <g key={a} className="graphic-layer">
          <g {...GRAPHICS}>
            {annotation.paths.map((path, i) => {
              const points = path.points.map(([x, y]) => `${x},${y}`).join(' ');
              return path.filled ? (
                <polygon
                  key={`path-${i}`}
                  points={points}
                  className="filled"
                  stroke={path.colour}
                  fill={path.fillColour}
                  fillOpacity={FILL_OPACITY}
                />
              ) : (
                <polyline key={`path-${i}`} points={points} stroke={path.colour} />
              );
            })}
            {annotation.points.map(({ at: [x, y], colour }, i) => (
              <path
                key={`point-${i}`}
                d={`M${x - POINT_MARK} ${y}h${2 * POINT_MARK}M${x} ${y - POINT_MARK}v${2 * POINT_MARK}`}
                stroke={colour}
              />
            ))}
            {annotation.texts.map(
              (t, i) =>
                t.leader !== undefined && (
                  <line
                    key={`leader-${i}`}
                    x1={t.leader.from[0]}
                    y1={t.leader.from[1]}
                    x2={t.leader.to[0]}
                    y2={t.leader.to[1]}
                    stroke={t.colour}
                  />
                ),
            )}
          </g>
          <g {...TEXT}>
            {annotation.texts.map((t, i) => (
              // Unformatted text may hold several lines.
              <text key={`text-${i}`} x={t.x} y={t.y} fill={t.colour}>
                {t.text.split(/\r?\n/).map((line, n) => (
                  <tspan key={n} x={t.x} dy={n === 0 ? 0 : '1.2em'}>
                    {line}
                  </tspan>
                ))}
              </text>
            ))}
          </g>
        </g>
      ))}
    </svg>
  );
}

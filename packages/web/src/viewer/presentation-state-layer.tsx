import { Enums, type RenderingEngine, type StackViewport } from '@cornerstonejs/core';
import { useEffect, useState, type RefObject } from 'react';
import { JsonTag, numberOf } from '../dicomweb/dicom-json';
import { imageToWorld } from './image-coordinates';
import { drawnAnnotationsOf, type DrawnAnnotations, type Place } from './presentation-state-drawing';
import { annotationsFor, displayedAreaFor, type PresentationState } from './presentation-state';
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
 * The annotations of the chosen presentation state over the image a stack viewport shows (text, lines,
 * curves, points), in the reading room's annotation colour. Kept on the image through scrolling, zoom,
 * pan, rotation and flips; nothing is drawn on images the presentation state does not annotate.
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
  const [drawn, setDrawn] = useState<DrawnAnnotations | null>(null);

  useEffect(() => {
    const element = viewportElement.current;
    if (element === null || state === undefined || frames === undefined) {
      setDrawn(null);
      return;
    }
    const follow = () => {
      const viewport = engine.getViewport(viewportId) as StackViewport | undefined;
      const imageId = viewport?.getCurrentImageId();
      const frame = frames.find((f) => f.imageId === imageId);
      const annotations = frame !== undefined ? annotationsFor(state, frame.sopInstanceUid, frame.frame) : [];
      if (viewport === undefined || frame === undefined || annotations.length === 0) setDrawn(null);
      else setDrawn(drawnAnnotationsOf(annotations, placeOn(viewport, frame, state)));
    };
    const events = [Enums.Events.IMAGE_RENDERED, Enums.Events.CAMERA_MODIFIED, Enums.Events.STACK_NEW_IMAGE];
    for (const event of events) element.addEventListener(event, follow);
    follow();
    return () => {
      for (const event of events) element.removeEventListener(event, follow);
    };
  }, [engine, viewportId, viewportElement, frames, state]);

  if (drawn === null) return null;
  return (
    <svg className="presentation-state-layer" data-presentation-state={state?.sopInstanceUid}>
      {drawn.paths.map((path, i) => {
        const points = path.points.map(([x, y]) => `${x},${y}`).join(' ');
        return path.filled ? (
          <polygon key={`path-${i}`} points={points} className="filled" />
        ) : (
          <polyline key={`path-${i}`} points={points} />
        );
      })}
      {drawn.points.map(([x, y], i) => (
        <path
          key={`point-${i}`}
          d={`M${x - POINT_MARK} ${y}h${2 * POINT_MARK}M${x} ${y - POINT_MARK}v${2 * POINT_MARK}`}
        />
      ))}
      {drawn.texts.map((t, i) => (
        <g key={`text-${i}`}>
          {t.leader !== undefined && (
            <line x1={t.leader.from[0]} y1={t.leader.from[1]} x2={t.leader.to[0]} y2={t.leader.to[1]} />
          )}
          {/* Unformatted text may hold several lines. */}
          <text x={t.x} y={t.y}>
            {t.text.split(/\r?\n/).map((line, n) => (
              <tspan key={n} x={t.x} dy={n === 0 ? 0 : '1.2em'}>
                {line}
              </tspan>
            ))}
          </text>
        </g>
      ))}
    </svg>
  );
}

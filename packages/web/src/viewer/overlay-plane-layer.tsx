import { Enums, type RenderingEngine, type StackViewport } from '@cornerstonejs/core';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { cssTransformOf, drawnPlanesOf, type DrawnPlane } from './overlay-plane-drawing';
import type { StackFrame } from './series-stack';

/**
 * The overlay planes (PS3.3 C.9) of the image a stack viewport shows, drawn over it in white, as
 * workstations show graphics overlays: annotations, CAD marks and shutters that the modality kept apart
 * from the pixels. Follows scrolling, zoom, pan, rotation and flips; hidden when `shown` is false.
 */
export function OverlayPlaneLayer({
  engine,
  viewportId,
  viewportElement,
  frames,
  shown,
}: {
  engine: RenderingEngine;
  viewportId: string;
  /** The element Cornerstone draws the viewport in, where its events arrive. */
  viewportElement: RefObject<HTMLDivElement | null>;
  frames: StackFrame[] | undefined;
  shown: boolean;
}) {
  const layer = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState<DrawnPlane[]>([]);
  const [imageId, setImageId] = useState<string | undefined>(undefined);

  // Which image is on screen: its planes are drawn again only when it changes. Listened to on the
  // viewport's element, which exists before Cornerstone's viewport does (this effect runs first).
  useEffect(() => {
    const element = viewportElement.current;
    if (element === null || !shown) return;
    const follow = () => {
      const viewport = engine.getViewport(viewportId) as StackViewport | undefined;
      const current = viewport?.getCurrentImageId();
      setImageId(current);
      for (const { imageId: drawnFor, plane, canvas } of drawn) {
        // Planes of the image before stay hidden until the new image's are drawn.
        canvas.hidden = drawnFor !== current;
        if (viewport !== undefined && drawnFor === current)
          canvas.style.transform = cssTransformOf(viewport, drawnFor, plane);
      }
    };
    const events = [Enums.Events.IMAGE_RENDERED, Enums.Events.CAMERA_MODIFIED, Enums.Events.STACK_NEW_IMAGE];
    for (const event of events) element.addEventListener(event, follow);
    follow();
    return () => {
      for (const event of events) element.removeEventListener(event, follow);
    };
  }, [engine, viewportId, viewportElement, shown, drawn]);

  useEffect(() => {
    const frame = frames?.find((f) => f.imageId === imageId);
    let current = true;
    const drawing =
      frame === undefined || !shown
        ? Promise.resolve([])
        : drawnPlanesOf(frame.imageId, frame.metadata, frame.frame);
    drawing.then(
      (made) => {
        if (current) setDrawn(made);
      },
      (error: unknown) => console.error('could not draw the overlay planes', error),
    );
    return () => {
      current = false;
    };
  }, [frames, imageId, shown]);

  // The canvases are made off the page and put in the layer as they are drawn.
  useEffect(() => {
    const div = layer.current;
    if (div === null) return;
    div.replaceChildren(...drawn.map((d) => d.canvas));
  }, [drawn]);

  return <div className="overlay-planes" ref={layer} hidden={!shown} aria-hidden="true" />;
}

import { Enums, type RenderingEngine, type StackViewport } from '@cornerstonejs/core';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { appFetch } from '../session/session-client';
import { DICOMWEB_ROOT } from '../dicomweb/archive-client';
import { imageToWorld } from './image-coordinates';
import {
  firstPartBody,
  overlayBits,
  overlayFrameFor,
  overlayPlanesOf,
  type OverlayPlane,
} from './overlay-planes';
import type { StackFrame } from './series-stack';

/** Packed overlay data by BulkDataURI: an overlay is fetched once, however many frames show it. */
const packedData = new Map<string, Promise<Uint8Array>>();

/** The packed bits of a plane, from the metadata or fetched from the archive as bulk data. */
function packedBitsOf(plane: OverlayPlane): Promise<Uint8Array> {
  if ('bytes' in plane.data) return Promise.resolve(plane.data.bytes);
  const uri = plane.data.bulkDataUri;
  let pending = packedData.get(uri);
  if (pending === undefined) {
    // The metadata names the archive by its public URL; the app reaches it on its own origin.
    const path = `${DICOMWEB_ROOT}/${uri.slice(uri.indexOf('studies/'))}`;
    pending = appFetch(path, {
      headers: { accept: 'multipart/related; type="application/octet-stream"' },
    }).then(async (response) => {
      if (!response.ok) throw new Error(`overlay data: ${response.status}`);
      const body = firstPartBody(
        new Uint8Array(await response.arrayBuffer()),
        response.headers.get('content-type') ?? '',
      );
      if (body === undefined) throw new Error('overlay data: not a multipart answer');
      return body;
    });
    pending.catch(() => packedData.delete(uri)); // tried again next time
    packedData.set(uri, pending);
  }
  return pending;
}

/** One plane drawn for one frame: its bitmap as a canvas, and where it lies on the image. */
interface DrawnPlane {
  imageId: string;
  plane: OverlayPlane;
  canvas: HTMLCanvasElement;
}

/** Paints the pixels that are on in the overlay's colour, the others transparent. */
function paint(plane: OverlayPlane, bits: Uint8Array): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = plane.columns;
  canvas.height = plane.rows;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(plane.columns, plane.rows);
  for (let i = 0; i < bits.length; i++) {
    if (bits[i] === 0) continue;
    image.data.set([255, 255, 255, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  canvas.className = 'overlay-plane';
  canvas.dataset.group = plane.group.toString(16);
  return canvas;
}

/**
 * The CSS transform that lays a plane's bitmap (x = column, y = row) on the viewport as the image is
 * drawn: through three of its corners, so zoom, pan, rotation and flips all follow.
 */
function placement(viewport: StackViewport, imageId: string, plane: OverlayPlane): string {
  const at = (column: number, row: number) => viewport.worldToCanvas(imageToWorld(imageId, [column, row]));
  const origin = at(plane.originColumn, plane.originRow);
  const right = at(plane.originColumn + plane.columns, plane.originRow);
  const down = at(plane.originColumn, plane.originRow + plane.rows);
  const a = (right[0] - origin[0]) / plane.columns;
  const b = (right[1] - origin[1]) / plane.columns;
  const c = (down[0] - origin[0]) / plane.rows;
  const d = (down[1] - origin[1]) / plane.rows;
  return `matrix(${a}, ${b}, ${c}, ${d}, ${origin[0]}, ${origin[1]})`;
}

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
          canvas.style.transform = placement(viewport, drawnFor, plane);
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
    const planes = frame === undefined || !shown ? [] : overlayPlanesOf(frame.metadata);
    let current = true;
    void Promise.all(
      planes.map(async (plane): Promise<DrawnPlane | undefined> => {
        const overlayFrame = overlayFrameFor(plane, frame!.frame);
        if (overlayFrame === undefined) return undefined;
        const bits = overlayBits(plane, await packedBitsOf(plane), overlayFrame);
        return { imageId: frame!.imageId, plane, canvas: paint(plane, bits) };
      }),
    ).then(
      (made) => {
        if (current) setDrawn(made.filter((d): d is DrawnPlane => d !== undefined));
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

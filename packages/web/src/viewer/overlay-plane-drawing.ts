import { wadors } from '@cornerstonejs/dicom-image-loader';
import type { StackViewport, Types } from '@cornerstonejs/core';
import { fetchBulkData } from '../dicomweb/archive-client';
import type { DicomJson } from '../dicomweb/dicom-json';
import { imageToWorld } from './image-coordinates';
import {
  holdsFrame,
  overlayBits,
  overlayFrameFor,
  overlayPlanesOf,
  type OverlayPlane,
} from './overlay-planes';

/**
 * Packed overlay data by BulkDataURI, the most recently used last: an overlay is fetched once however
 * many frames show it, and a long reading session keeps only the latest few.
 */
const packedData = new Map<string, Promise<Uint8Array>>();
const KEPT_OVERLAYS = 64;

/** The packed bits of a plane, from the metadata or fetched from the archive as bulk data. */
function packedBitsOf(plane: OverlayPlane): Promise<Uint8Array> {
  if ('bytes' in plane.data) return Promise.resolve(plane.data.bytes);
  const uri = plane.data.bulkDataUri;
  let pending = packedData.get(uri);
  if (pending !== undefined)
    packedData.delete(uri); // set again below, as the most recent
  else {
    pending = fetchBulkData(uri);
    pending.catch(() => packedData.delete(uri)); // tried again next time
  }
  packedData.set(uri, pending);
  for (const oldest of packedData.keys()) {
    if (packedData.size <= KEPT_OVERLAYS) break;
    packedData.delete(oldest);
  }
  return pending;
}

/** One plane drawn for one image (a frame): its bitmap as a canvas. */
export interface DrawnPlane {
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
 * The affine map (a, b, c, d, e, f, as CSS and canvas take it) that lays a plane's bitmap (x = column,
 * y = row) on the viewport's canvas (CSS pixels) as the image is drawn: through three of its corners, so
 * zoom, pan, rotation and flips all follow.
 */
function placement(viewport: StackViewport, imageId: string, plane: OverlayPlane): number[] {
  const at = (column: number, row: number) => viewport.worldToCanvas(imageToWorld(imageId, [column, row]));
  const origin = at(plane.originColumn, plane.originRow);
  const right = at(plane.originColumn + plane.columns, plane.originRow);
  const down = at(plane.originColumn, plane.originRow + plane.rows);
  return [
    (right[0] - origin[0]) / plane.columns,
    (right[1] - origin[1]) / plane.columns,
    (down[0] - origin[0]) / plane.rows,
    (down[1] - origin[1]) / plane.rows,
    origin[0],
    origin[1],
  ];
}

/** The CSS transform of a plane's canvas over the viewport ({@link placement}). */
export function cssTransformOf(viewport: StackViewport, imageId: string, plane: OverlayPlane): string {
  return `matrix(${placement(viewport, imageId, plane).join(', ')})`;
}

/** The planes over frame `frame` (1-based) of an image, painted; fetches what the metadata does not hold. */
export async function drawnPlanesOf(
  imageId: string,
  metadata: DicomJson,
  frame: number,
): Promise<DrawnPlane[]> {
  const drawn = await Promise.all(
    overlayPlanesOf(metadata).map(async (plane): Promise<DrawnPlane | undefined> => {
      const overlayFrame = overlayFrameFor(plane, frame);
      if (overlayFrame === undefined) return undefined;
      const packed = await packedBitsOf(plane);
      if (!holdsFrame(plane, packed, overlayFrame)) return undefined;
      const bits = overlayBits(plane, packed, overlayFrame);
      return { imageId, plane, canvas: paint(plane, bits) };
    }),
  );
  return drawn.filter((d): d is DrawnPlane => d !== undefined);
}

/**
 * Burns the overlay planes of the image a viewport shows into a copy of its canvas (`context`, `scale`
 * device pixels a CSS pixel), when the viewer shows them: an export or print shows what the user sees.
 */
export async function burnInOverlayPlanes(
  viewport: Types.IViewport,
  context: CanvasRenderingContext2D,
  scale: number,
): Promise<void> {
  const layer = viewport.element.parentElement?.querySelector<HTMLElement>('.overlay-planes');
  if (layer === null || layer === undefined || layer.hidden) return;
  const stack = viewport as StackViewport;
  const imageId = stack.getCurrentImageId?.();
  const metadata =
    imageId === undefined ? undefined : (wadors.metaDataManager.get(imageId) as DicomJson | undefined);
  if (imageId === undefined || metadata === undefined) return;
  const frame = Number(/\/frames\/(\d+)$/.exec(imageId)?.[1] ?? '1');
  for (const { plane, canvas } of await drawnPlanesOf(imageId, metadata, frame)) {
    const [a, b, c, d, e, f] = placement(stack, imageId, plane) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    context.save();
    context.imageSmoothingEnabled = false;
    context.setTransform(a * scale, b * scale, c * scale, d * scale, e * scale, f * scale);
    context.drawImage(canvas, 0, 0);
    context.restore();
  }
}

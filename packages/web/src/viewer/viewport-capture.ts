import type { Types } from '@cornerstonejs/core';
import { burnInOverlayPlanes } from './overlay-plane-drawing';

/**
 * Draws an SVG layer over a copy of the viewport's canvas (`context`, whose canvas lies at `canvasRect` on
 * the page): the layer is serialised to an image whose view box is the part of it over the canvas, in
 * CSS pixels, stretched to the copy's device pixels. Only what the layer's own attributes say is painted.
 */
async function burnInSvg(
  svg: SVGSVGElement,
  context: CanvasRenderingContext2D,
  canvasRect: DOMRect,
): Promise<void> {
  const { width, height } = context.canvas;
  const rect = svg.getBoundingClientRect();
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute(
    'viewBox',
    `${canvasRect.left - rect.left} ${canvasRect.top - rect.top} ${canvasRect.width} ${canvasRect.height}`,
  );
  copy.setAttribute('preserveAspectRatio', 'none');
  const url = URL.createObjectURL(
    new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }),
  );
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    context.drawImage(image, 0, 0, width, height);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The image of a viewport as the user sees it, on a canvas of the viewport's device pixels: the rendered
 * image with its overlay planes, Cornerstone's annotations (its SVG layer inside the viewport's element)
 * and the chosen presentation state's shutter and annotations (their SVG layer beside it, above the rest,
 * as on screen) burned in.
 */
export async function captureViewport(viewport: Types.IViewport): Promise<HTMLCanvasElement> {
  const source = viewport.canvas;
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = source.height;
  const context = out.getContext('2d')!;
  context.fillStyle = '#000';
  context.fillRect(0, 0, out.width, out.height);
  context.drawImage(source, 0, 0);
  const canvasRect = source.getBoundingClientRect();
  await burnInOverlayPlanes(viewport, context, out.width / (canvasRect.width || out.width));
  const layers = [
    viewport.element.querySelector<SVGSVGElement>('svg.svg-layer'),
    viewport.element.parentElement?.querySelector<SVGSVGElement>(':scope > svg.presentation-state-layer'),
  ];
  for (const svg of layers)
    if (svg !== null && svg !== undefined && svg.childElementCount > 0)
      await burnInSvg(svg, context, canvasRect);
  return out;
}

/** Saves a canvas as a PNG or JPEG file through the browser's download. */
export function downloadCanvas(
  canvas: HTMLCanvasElement,
  name: string,
  type: 'image/png' | 'image/jpeg',
): void {
  const link = document.createElement('a');
  link.download = name;
  link.href = canvas.toDataURL(type, 0.92);
  link.click();
}

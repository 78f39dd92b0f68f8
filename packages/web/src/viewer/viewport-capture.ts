import type { Types } from '@cornerstonejs/core';
import { burnInOverlayPlanes } from './overlay-plane-drawing';

/**
 * The image of a viewport as the user sees it: the rendered image with its overlay planes and its
 * annotations (Cornerstone draws them in an SVG layer above the canvas) burned in, on a canvas of the
 * viewport's device pixels.
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
  await burnInOverlayPlanes(
    viewport,
    context,
    out.width / (source.getBoundingClientRect().width || out.width),
  );
  const svg = viewport.element.querySelector<SVGSVGElement>('svg.svg-layer');
  if (svg !== null && svg.childElementCount > 0) {
    const copy = svg.cloneNode(true) as SVGSVGElement;
    copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    copy.setAttribute('width', String(out.width));
    copy.setAttribute('height', String(out.height));
    const rect = svg.getBoundingClientRect();
    copy.setAttribute('viewBox', `0 0 ${rect.width} ${rect.height}`);
    const url = URL.createObjectURL(
      new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }),
    );
    try {
      const image = new Image();
      image.src = url;
      await image.decode();
      context.drawImage(image, 0, 0, out.width, out.height);
    } finally {
      URL.revokeObjectURL(url);
    }
  }
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

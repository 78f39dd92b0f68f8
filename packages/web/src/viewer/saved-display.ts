import { Enums, type RenderingEngine, type StackViewport, type Types } from '@cornerstonejs/core';

/** How a stack viewport looked: shown again as it was when its rendering engine is replaced. */
export interface SavedDisplay {
  imageIndex: number;
  voiRange?: Types.VOIRange;
  invert?: boolean;
  /** Zoom, pan, rotation and flips. */
  presentation: Types.ViewPresentation;
}

/** The display of every stack viewport of an engine that shows images, by viewport ID. */
export function saveDisplays(engine: RenderingEngine): Map<string, SavedDisplay> {
  const saved = new Map<string, SavedDisplay>();
  for (const viewport of engine.getViewports()) {
    if (viewport.type !== Enums.ViewportType.STACK) continue;
    const stack = viewport as StackViewport;
    if (stack.getImageIds().length === 0) continue;
    const { voiRange, invert } = stack.getProperties();
    saved.set(viewport.id, {
      imageIndex: stack.getCurrentImageIdIndex(),
      ...(voiRange !== undefined ? { voiRange } : {}),
      ...(invert !== undefined ? { invert } : {}),
      presentation: stack.getViewPresentation(),
    });
  }
  return saved;
}

/** Puts a saved window, inversion, zoom and pan back on a viewport already showing the saved image. */
export function showSavedDisplay(viewport: StackViewport, saved: SavedDisplay): void {
  viewport.setProperties({
    ...(saved.voiRange !== undefined ? { voiRange: saved.voiRange } : {}),
    ...(saved.invert !== undefined ? { invert: saved.invert } : {}),
  });
  viewport.setViewPresentation(saved.presentation);
}

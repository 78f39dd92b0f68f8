import { Enums, utilities, type RenderingEngine, type StackViewport, type Types } from '@cornerstonejs/core';
import { useEffect, type RefObject } from 'react';
import { appliesToImage, windowFor, type PresentationState } from './presentation-state';
import type { StackFrame } from './series-stack';

/**
 * The rotation Cornerstone is given for a presentation state's. DICOM rotates the image clockwise, then
 * flips it (C.10.6.1); Cornerstone flips first, then rotates the flipped image on screen, and a flip
 * then a turn one way is the turn the other way then the flip.
 */
export function cornerstoneRotation(rotation: number, horizontalFlip: boolean): number {
  return horizontalFlip ? (360 - rotation) % 360 : rotation;
}

/**
 * Shows the images of a stack viewport as a presentation state says while it is chosen: its window on
 * each image it gives one (set again as the stack scrolls), its polarity, rotation and flip, on the
 * images it references only. What the viewport showed before comes back on any other image of the
 * stack, and when the presentation state is removed or replaced by another. A viewport whose series it
 * does not reference is left alone.
 */
export function usePresentationStateDisplay(
  engine: RenderingEngine,
  viewportId: string,
  viewportElement: RefObject<HTMLDivElement | null>,
  frames: StackFrame[] | undefined,
  state: PresentationState | undefined,
  /** The stack shows an image: until then there is no display to keep or change. */
  stackShown: boolean,
): void {
  useEffect(() => {
    const element = viewportElement.current;
    const viewport = engine.getViewport(viewportId) as StackViewport | undefined;
    if (
      !stackShown ||
      element === null ||
      viewport === undefined ||
      state === undefined ||
      frames === undefined
    )
      return;
    if (!frames.some((f) => appliesToImage(state, f.sopInstanceUid, f.frame))) return;
    if (viewport.getImageIds().length === 0) return;

    const { voiRange, invert, isComputedVOI } = viewport.getProperties();
    const before = {
      ...(voiRange !== undefined ? { voiRange: { ...voiRange } } : {}),
      ...(invert !== undefined ? { invert } : {}),
      // The images' own windows, not one the user set: each image gets its own back.
      ownWindows: isComputedVOI !== false,
      presentation: viewport.getViewPresentation(),
    };
    // Rotation and flips are set on a camera put back upright first: Cornerstone turns and flips from
    // where the camera is, and a flip on top of a turn comes out as another turn. Zoom and pan stay.
    const orient = (presentation: Types.ViewPresentation) => {
      viewport.resetCamera();
      viewport.setViewPresentation({ flipHorizontal: false, flipVertical: false, ...presentation });
    };
    const restore = () => {
      // A window set through setProperties sticks to every image after it (Cornerstone): images that had
      // their own windows get them back by a reset instead.
      if (before.ownWindows) viewport.resetProperties();
      viewport.setProperties({
        ...(before.voiRange !== undefined && !before.ownWindows ? { voiRange: before.voiRange } : {}),
        ...(before.invert !== undefined ? { invert: before.invert } : {}),
      });
      // The user's zoom and pan of now, on the orientation of before.
      const { zoom, pan } = viewport.getViewPresentation();
      orient({
        ...before.presentation,
        ...(zoom !== undefined ? { zoom } : {}),
        ...(pan !== undefined ? { pan } : {}),
      });
    };
    /** Whether the viewport shows the presentation state's display now (its image is referenced). */
    let applied = false;

    // Each image as it comes: one the state references is shown as it says, any other as before it.
    const showImage = () => {
      const frame = frames.find((f) => f.imageId === viewport.getCurrentImageId());
      const referenced = frame !== undefined && appliesToImage(state, frame.sopInstanceUid, frame.frame);
      if (!referenced) {
        if (applied) {
          restore();
          viewport.render();
        }
        applied = false;
        return;
      }
      if (!applied) {
        const { zoom, pan } = viewport.getViewPresentation();
        orient({
          ...(zoom !== undefined ? { zoom } : {}),
          ...(pan !== undefined ? { pan } : {}),
          flipHorizontal: state.horizontalFlip,
          rotation: cornerstoneRotation(state.rotation, state.horizontalFlip),
        });
        applied = true;
      }
      const window = windowFor(state, frame.sopInstanceUid, frame.frame);
      const properties: Types.ViewportProperties = {};
      if (window !== undefined)
        properties.voiRange = utilities.windowLevel.toLowHighRange(window.width, window.center);
      // INVERSE shows low values white, whatever the image's own photometric interpretation.
      if (state.presentationLutShape !== undefined)
        properties.invert = state.presentationLutShape === 'INVERSE';
      viewport.setProperties(properties);
      viewport.render();
    };
    showImage();
    element.addEventListener(Enums.Events.STACK_NEW_IMAGE, showImage);
    return () => {
      element.removeEventListener(Enums.Events.STACK_NEW_IMAGE, showImage);
      // The viewport may have gone with its cell, or show another series by now.
      if (!applied || engine.getViewport(viewportId) !== viewport || viewport.getImageIds().length === 0)
        return;
      restore();
      viewport.render();
    };
  }, [engine, viewportId, viewportElement, frames, state, stackShown]);
}

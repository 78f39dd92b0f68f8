import {
  Enums,
  getShouldUseCPURendering,
  utilities,
  type RenderingEngine,
  type StackViewport,
  type Types,
} from '@cornerstonejs/core';
import { useEffect, type RefObject } from 'react';
import { JsonTag, numberOf, numbersOf } from '../dicomweb/dicom-json';
import { imageToWorld } from './image-coordinates';
import {
  appliesToImage,
  displayedAreaFor,
  voiFor,
  type DisplayedArea,
  type PresentationState,
  type VoiLut,
} from './presentation-state';
import {
  areaView,
  voiLutColormapName,
  voiLutInputRange,
  voiLutRamp,
  type DrawnPixel,
} from './presentation-state-view';
import type { StackFrame } from './series-stack';

/**
 * The rotation Cornerstone is given for a presentation state's. DICOM rotates the image clockwise, then
 * flips it (C.10.6.1); Cornerstone flips first, then rotates the flipped image on screen, and a flip
 * then a turn one way is the turn the other way then the flip.
 */
export function cornerstoneRotation(rotation: number, horizontalFlip: boolean): number {
  return horizontalFlip ? (360 - rotation) % 360 : rotation;
}

const PIXEL_REPRESENTATION = '00280103';

/** Whether an image's modality values can be negative: a signed image, or a negative Rescale Intercept. */
function hasNegativeValues(frame: StackFrame): boolean {
  return (
    numberOf(frame.metadata, PIXEL_REPRESENTATION) === 1 ||
    (numberOf(frame.metadata, JsonTag.RescaleIntercept) ?? 0) < 0
  );
}

/**
 * VOI LUT tables are drawn as Cornerstone colormaps: a grey ramp through the table's entries over the
 * values it maps, shown with the viewport's window set to those values, so that the ramp lies where
 * the table does (the window scales a colormap to itself). Values beyond the table take its end
 * entries, as C.11.2.1.1 has them. Cornerstone's colormaps are global and kept for good: each is named
 * by what it draws (voiLutColormapName), so that a table read again replaces its colormap rather than
 * adding another. Registered once per table read and first value.
 */
const lutColormaps = new WeakMap<VoiLut, Set<string>>();

function lutColormap(name: string, lut: VoiLut, entries: readonly number[], lower: number): string {
  const registered = lutColormaps.get(lut) ?? new Set<string>();
  lutColormaps.set(lut, registered);
  if (!registered.has(name)) {
    utilities.colormap.registerColormap({
      ColorSpace: 'RGB',
      Name: name,
      RGBPoints: voiLutRamp(entries, lut.bits, lower),
    });
    registered.add(name);
  }
  return name;
}

/**
 * What a stack viewport's colormap is drawn through on the GPU: its image actor's colour transfer
 * function. Cornerstone applies the colormap it holds to it again on each image it shows, but not to
 * one it makes anew for a new stack (which it draws as a plain grey ramp while still naming the
 * colormap). Undefined where it cannot be told (drawing on the CPU, no image yet).
 */
function colourFunctionOf(viewport: StackViewport): object | undefined {
  if (getShouldUseCPURendering()) return undefined;
  const entry = viewport.getDefaultActor();
  if (entry === undefined || !utilities.actorIsA(entry, 'vtkImageSlice')) return undefined;
  return (entry.actor as Types.ImageActor).getProperty().getRGBTransferFunction(0) ?? undefined;
}

/** A plain grey ramp, black to white across the window: what a VOI LUT's colormap gives way to. */
const GREY_RAMP = 'presentation-state-grey';
let greyRampRegistered = false;

function greyRamp(): Types.ColormapPublic {
  if (!greyRampRegistered) {
    utilities.colormap.registerColormap({
      ColorSpace: 'RGB',
      Name: GREY_RAMP,
      RGBPoints: [0, 0, 0, 0, 1, 1, 1, 1],
    });
    greyRampRegistered = true;
  }
  return { name: GREY_RAMP };
}

/**
 * Sets a stack viewport's display. A colormap set anew comes uninverted while Cornerstone still holds the
 * polarity of the one before it, and would not invert it again: the polarity is made plain first.
 */
function setDisplay(viewport: StackViewport, properties: Types.ViewportProperties): void {
  if (properties.colormap === undefined) {
    viewport.setProperties(properties);
    return;
  }
  const invert = properties.invert ?? viewport.getProperties().invert ?? false;
  viewport.setProperties({ invert: false });
  viewport.setProperties({ ...properties, invert });
}

/** What a displayed area is shown by on an image besides the area itself: the image's size and spacing. */
interface AreaImage {
  drawn: DrawnPixel;
  /** Pixel Spacing, for TRUE SIZE. */
  spacing: readonly [number, number] | undefined;
  /** Rows, columns and the spacings: an image where they differ needs the camera set again. */
  key: string;
}

function areaImageOf(frame: StackFrame): AreaImage {
  const world = (point: readonly [number, number]) => imageToWorld(frame.imageId, point);
  const origin = world([0, 0]);
  const lengthTo = (point: Types.Point3) =>
    Math.hypot(point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]);
  const drawn = { columnSpacing: lengthTo(world([1, 0])), rowSpacing: lengthTo(world([0, 1])) };
  const pixelSpacing = numbersOf(frame.metadata, JsonTag.PixelSpacing);
  const spacing = pixelSpacing?.length === 2 ? ([pixelSpacing[0]!, pixelSpacing[1]!] as const) : undefined;
  const size = [numberOf(frame.metadata, JsonTag.Rows), numberOf(frame.metadata, JsonTag.Columns)];
  // Worked out from each slice's own position, the drawn spacing differs in its last bits from slice to
  // slice: to 9 digits, it is the same.
  const rounded = [drawn.columnSpacing, drawn.rowSpacing].map((v) => v.toPrecision(9));
  return { drawn, spacing, key: JSON.stringify([size, rounded, spacing]) };
}

/**
 * Sets the camera of a stack viewport, upright as the presentation state turns it, to show a displayed
 * area (presentation-state-view.ts says how large).
 */
function showArea(
  viewport: StackViewport,
  element: HTMLElement,
  frame: StackFrame,
  area: DisplayedArea,
  quarterTurn: boolean,
): void {
  if (element.clientWidth === 0 || element.clientHeight === 0) return;
  const { drawn, spacing } = areaImageOf(frame);
  const view = areaView(
    area,
    drawn,
    quarterTurn,
    {
      width: element.clientWidth,
      height: element.clientHeight,
      devicePixelRatio: window.devicePixelRatio || 1,
    },
    spacing,
  );
  const { focalPoint, position } = viewport.getCamera();
  if (focalPoint === undefined || position === undefined) return;
  const centre = imageToWorld(frame.imageId, view.centre);
  viewport.setCamera({
    focalPoint: centre,
    position: [0, 1, 2].map((k) => centre[k]! + position[k]! - focalPoint[k]!) as Types.Point3,
    parallelScale: view.parallelScale,
    aspectRatio: view.stretch,
  });
}

/**
 * Shows the images of a stack viewport as a presentation state says while it is chosen: its window or
 * VOI LUT on each image it gives one (set again as the stack scrolls), its polarity, rotation and flip,
 * and its displayed area, on the images it references only. What the viewport showed before comes back
 * on any other image of the stack, and when the presentation state is removed or replaced by another
 * (fitted again where a displayed area was shown). A viewport whose series it does not reference is left
 * alone.
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
    if (!stackShown || element === null || state === undefined || frames === undefined) return;
    return showPresentationState(engine, viewportId, element, frames, state);
  }, [engine, viewportId, viewportElement, frames, state, stackShown]);
}

/**
 * What {@link usePresentationStateDisplay} does once the stack shows an image: shows the presentation
 * state on the viewport from now on, and gives what puts back the display of before, or undefined where
 * it has nothing to show.
 */
export function showPresentationState(
  engine: RenderingEngine,
  viewportId: string,
  element: HTMLElement,
  frames: readonly StackFrame[],
  state: PresentationState,
): (() => void) | undefined {
  const viewport = engine.getViewport(viewportId) as StackViewport | undefined;
  if (viewport === undefined) return;
  if (!frames.some((f) => appliesToImage(state, f.sopInstanceUid, f.frame))) return;
  if (viewport.getImageIds().length === 0) return;

  const { voiRange, invert, isComputedVOI, colormap } = viewport.getProperties();
  const before = {
    ...(voiRange !== undefined ? { voiRange: { ...voiRange } } : {}),
    ...(invert !== undefined ? { invert } : {}),
    // The images' own windows, not one the user set: each image gets its own back.
    ownWindows: isComputedVOI !== false,
    colormap: colormap?.name !== undefined ? colormap : greyRamp(),
    presentation: viewport.getViewPresentation(),
  };
  // Rotation and flips are set on a camera put back upright first: Cornerstone turns and flips from
  // where the camera is, and a flip on top of a turn comes out as another turn.
  const orient = (presentation: Types.ViewPresentation) => {
    viewport.resetCamera();
    viewport.setViewPresentation({ flipHorizontal: false, flipVertical: false, ...presentation });
  };
  const orientAsState = (presentation: Types.ViewPresentation = {}) =>
    orient({
      ...presentation,
      flipHorizontal: state.horizontalFlip,
      rotation: cornerstoneRotation(state.rotation, state.horizontalFlip),
    });
  /** Whether the viewport shows the presentation state's display now (its image is referenced). */
  let applied = false;
  /** The displayed area the camera shows, if any. */
  let areaShown: DisplayedArea | undefined;
  /** What the camera was set for a displayed area on: the image's size and spacing (areaImageOf). */
  let areaImage: string | undefined;
  /** Whether a VOI LUT's colormap is on the viewport. */
  let lutShown = false;
  /**
   * The VOI LUT colormap last set, and the colour function it was set on: Cornerstone applies it again
   * to that function on each image by itself (vtk's applyColorMap taking milliseconds a time).
   */
  let lutSet: { name: string; on: object | undefined } | undefined;

  const restore = () => {
    // A window set through setProperties sticks to every image after it (Cornerstone): images that had
    // their own windows get them back by a reset instead.
    if (before.ownWindows) viewport.resetProperties();
    setDisplay(viewport, {
      ...(before.voiRange !== undefined && !before.ownWindows ? { voiRange: before.voiRange } : {}),
      ...(before.invert !== undefined ? { invert: before.invert } : {}),
      ...(lutShown ? { colormap: before.colormap } : {}),
    });
    const { rotation, flipHorizontal, flipVertical } = before.presentation;
    // The orientation of before; the user's zoom and pan of now, unless a displayed area set them:
    // then the image is fitted again.
    const { zoom, pan } = areaShown === undefined ? viewport.getViewPresentation() : {};
    orient({
      ...(rotation !== undefined ? { rotation } : {}),
      ...(flipHorizontal !== undefined ? { flipHorizontal } : {}),
      ...(flipVertical !== undefined ? { flipVertical } : {}),
      ...(zoom !== undefined ? { zoom } : {}),
      ...(pan !== undefined ? { pan } : {}),
    });
    applied = false;
    areaShown = undefined;
    areaImage = undefined;
    lutShown = false;
    lutSet = undefined;
  };

  // Each image as it comes: one the state references is shown as it says, any other as before it.
  const showImage = () => {
    const frame = frames.find((f) => f.imageId === viewport.getCurrentImageId());
    const referenced = frame !== undefined && appliesToImage(state, frame.sopInstanceUid, frame.frame);
    if (!referenced) {
      if (applied) {
        restore();
        viewport.render();
      }
      return;
    }
    const area = displayedAreaFor(state, frame.sopInstanceUid, frame.frame);
    // An image of another size or spacing in the stack shows the same area with another camera.
    const image = area !== undefined ? areaImageOf(frame).key : undefined;
    if (!applied || area !== areaShown || image !== areaImage) {
      // The user's zoom and pan stay while no displayed area says what is to be seen.
      const { zoom, pan } =
        area === undefined && areaShown === undefined ? viewport.getViewPresentation() : {};
      orientAsState({
        ...(zoom !== undefined ? { zoom } : {}),
        ...(pan !== undefined ? { pan } : {}),
      });
      if (area !== undefined) showArea(viewport, element, frame, area, state.rotation % 180 === 90);
      applied = true;
      areaShown = area;
      areaImage = image;
    }
    const voi = voiFor(state, frame.sopInstanceUid, frame.frame);
    const lut = voi?.lut;
    const properties: Types.ViewportProperties = {};
    let lutName: string | undefined;
    if (voi !== undefined && lut !== undefined && !('bulkDataUri' in lut.data)) {
      const range = voiLutInputRange(lut, hasNegativeValues(frame));
      properties.voiRange = range;
      const name = voiLutColormapName(state.sopInstanceUid, state.vois.indexOf(voi), lut, range.lower);
      const on = colourFunctionOf(viewport);
      // Set only where the viewport does not draw it already: its window and polarity still are.
      const drawn =
        on !== undefined &&
        lutSet?.name === name &&
        lutSet.on === on &&
        viewport.getProperties().colormap?.name === name;
      if (!drawn) {
        properties.colormap = { name: lutColormap(name, lut, lut.data, range.lower) };
        lutName = name;
      }
      lutShown = true;
    } else {
      if (voi?.window !== undefined)
        properties.voiRange = utilities.windowLevel.toLowHighRange(voi.window.width, voi.window.center);
      if (lutShown) properties.colormap = before.colormap;
      lutShown = false;
      lutSet = undefined;
    }
    // INVERSE shows low values white, whatever the image's own photometric interpretation.
    if (state.presentationLutShape !== undefined)
      properties.invert = state.presentationLutShape === 'INVERSE';
    setDisplay(viewport, properties);
    // The colour function as it is once the colormap is set (Cornerstone may have made one for it).
    if (lutName !== undefined) lutSet = { name: lutName, on: colourFunctionOf(viewport) };
    viewport.render();
  };
  showImage();
  element.addEventListener(Enums.Events.STACK_NEW_IMAGE, showImage);
  // A displayed area is sized to the viewport: when that changes size (the window, the layout), it is
  // shown again. Two frames on: a new layout fits every viewport again, camera upright, in an
  // animation frame of its own (stack-viewport-cell.tsx), which is to come first.
  let pending = 0;
  const showAreaAgain = () => {
    const frame = frames.find((f) => f.imageId === viewport.getCurrentImageId());
    if (areaShown === undefined || frame === undefined || engine.getViewport(viewportId) !== viewport) return;
    orientAsState();
    showArea(viewport, element, frame, areaShown, state.rotation % 180 === 90);
    viewport.render();
  };
  let size = [element.clientWidth, element.clientHeight].join('×');
  const resized = new ResizeObserver(() => {
    const now = [element.clientWidth, element.clientHeight].join('×');
    if (now === size) return; // the first call, as it starts observing
    size = now;
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      pending = requestAnimationFrame(showAreaAgain);
    });
  });
  resized.observe(element);
  return () => {
    resized.disconnect();
    cancelAnimationFrame(pending);
    element.removeEventListener(Enums.Events.STACK_NEW_IMAGE, showImage);
    // The viewport may have gone with its cell, or show another series by now.
    if (!applied || engine.getViewport(viewportId) !== viewport || viewport.getImageIds().length === 0)
      return;
    restore();
    viewport.render();
  };
}

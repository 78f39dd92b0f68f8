import {
  Enums,
  type RenderingEngine,
  type StackViewport,
  type Types,
  type VolumeViewport,
} from '@cornerstonejs/core';

/** How a stack viewport looked: shown again as it was when its rendering engine is replaced. */
export interface SavedDisplay {
  imageIndex: number;
  voiRange?: Types.VOIRange;
  invert?: boolean;
  /** Zoom, pan, rotation and flips. */
  presentation: Types.ViewPresentation;
}

/**
 * How a volume viewport (an MPR plane or the 3D rendering) looked. The camera is the plane: its focal point
 * the slice (and the crosshairs' centre, which the crosshairs find again from the three cameras), its normal
 * and view-up the orientation (an oblique plane after a rotation), its parallel scale the zoom. A plane also
 * keeps its window, projection and slab thickness; the 3D rendering only its camera (its preset is the
 * MPR toolbar's).
 */
export interface SavedVolumeDisplay {
  camera: Pick<
    Types.ICamera,
    | 'focalPoint'
    | 'position'
    | 'viewUp'
    | 'viewPlaneNormal'
    | 'parallelScale'
    | 'flipHorizontal'
    | 'flipVertical'
  >;
  plane?: {
    voiRange?: Types.VOIRange;
    blendMode: Enums.BlendModes;
    /** mm */
    slabThickness: number;
  };
}

/** What a replaced engine's viewports showed, by viewport ID. */
export interface SavedDisplays {
  stacks: Map<string, SavedDisplay>;
  volumes: Map<string, SavedVolumeDisplay>;
}

const copy = (point: Types.Point3 | undefined): Types.Point3 | undefined =>
  point === undefined ? undefined : ([...point] as Types.Point3);

/** The camera of a volume viewport, what of it is needed to show the same plane again (copied). */
export function savedCamera(camera: Types.ICamera): SavedVolumeDisplay['camera'] {
  const saved: SavedVolumeDisplay['camera'] = {};
  for (const key of ['focalPoint', 'position', 'viewUp', 'viewPlaneNormal'] as const) {
    const point = copy(camera[key]);
    if (point !== undefined) saved[key] = point;
  }
  if (camera.parallelScale !== undefined) saved.parallelScale = camera.parallelScale;
  if (camera.flipHorizontal !== undefined) saved.flipHorizontal = camera.flipHorizontal;
  if (camera.flipVertical !== undefined) saved.flipVertical = camera.flipVertical;
  return saved;
}

/** The display of every viewport of an engine that shows images (stacks) or a volume (MPR, 3D), by viewport ID. */
export function saveDisplays(engine: RenderingEngine): SavedDisplays {
  const saved: SavedDisplays = { stacks: new Map(), volumes: new Map() };
  for (const viewport of engine.getViewports()) {
    if (viewport.type === Enums.ViewportType.STACK) {
      const stack = viewport as StackViewport;
      if (stack.getImageIds().length === 0) continue;
      const { voiRange, invert } = stack.getProperties();
      saved.stacks.set(viewport.id, {
        imageIndex: stack.getCurrentImageIdIndex(),
        ...(voiRange !== undefined ? { voiRange } : {}),
        ...(invert !== undefined ? { invert } : {}),
        presentation: stack.getViewPresentation(),
      });
    } else if (
      viewport.type === Enums.ViewportType.ORTHOGRAPHIC ||
      viewport.type === Enums.ViewportType.VOLUME_3D
    ) {
      const volume = viewport as VolumeViewport;
      // A volume not yet set (still loading): nothing to show again but the start.
      if (volume.getDefaultActor?.() === undefined) continue;
      const camera = savedCamera(volume.getCamera());
      if (viewport.type === Enums.ViewportType.VOLUME_3D) {
        saved.volumes.set(viewport.id, { camera });
        continue;
      }
      const voiRange = volume.getProperties()?.voiRange;
      saved.volumes.set(viewport.id, {
        camera,
        plane: {
          ...(voiRange !== undefined ? { voiRange: { ...voiRange } } : {}),
          blendMode: volume.getBlendMode(),
          slabThickness: volume.getSlabThickness(),
        },
      });
    }
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

/** The part of a volume viewport that showing a saved display uses. */
export type RestorableVolumeViewport = Pick<
  VolumeViewport,
  'setBlendMode' | 'setSlabThickness' | 'setCamera' | 'setProperties'
>;

/**
 * Puts a saved plane back on a viewport already showing the saved volume: projection and slab first (the
 * slab's clipping follows the camera), then the camera (moving it tells the crosshairs where their centre
 * is), then the window.
 */
export function showSavedVolumeDisplay(viewport: RestorableVolumeViewport, saved: SavedVolumeDisplay): void {
  if (saved.plane !== undefined) {
    viewport.setBlendMode(saved.plane.blendMode);
    viewport.setSlabThickness(saved.plane.slabThickness);
  }
  viewport.setCamera(saved.camera);
  if (saved.plane?.voiRange !== undefined) viewport.setProperties({ voiRange: saved.plane.voiRange });
}

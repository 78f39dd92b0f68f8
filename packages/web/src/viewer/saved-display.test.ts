import { describe, expect, it } from 'vitest';
import { Enums, type RenderingEngine, type Types } from '@cornerstonejs/core';
import { saveDisplays, showSavedVolumeDisplay, type SavedVolumeDisplay } from './saved-display';

/** A volume viewport as saveDisplays reads it: its camera, window, projection and slab. */
function volumeViewport(id: string, type: Enums.ViewportType, camera: Types.ICamera, loaded = true) {
  return {
    id,
    type,
    getDefaultActor: () => (loaded ? { uid: 'volume' } : undefined),
    getCamera: () => camera,
    getProperties: () => ({ voiRange: { lower: -1350, upper: 150 } }),
    getBlendMode: () => Enums.BlendModes.MAXIMUM_INTENSITY_BLEND,
    getSlabThickness: () => 20,
  };
}

const axialCamera: Types.ICamera = {
  focalPoint: [0, 0, 14],
  position: [0, 0, 514],
  viewUp: [0, -1, 0],
  viewPlaneNormal: [0, 0, 1],
  parallelScale: 40,
  flipHorizontal: false,
  flipVertical: false,
  clippingRange: [1, 1000],
  rotation: 0,
};

describe('saved displays of a lost rendering engine', () => {
  it('keeps each MPR plane at its slice, orientation, zoom, window, projection and slab, the 3D at its camera', () => {
    const camera3d: Types.ICamera = { ...axialCamera, focalPoint: [1, 2, 3], viewPlaneNormal: [0, 1, 0] };
    const engine = {
      getViewports: () => [
        volumeViewport('mpr-axial', Enums.ViewportType.ORTHOGRAPHIC, axialCamera),
        volumeViewport('mpr-3d', Enums.ViewportType.VOLUME_3D, camera3d),
        // Still loading: it starts again as it would have.
        volumeViewport('mpr-coronal', Enums.ViewportType.ORTHOGRAPHIC, axialCamera, false),
      ],
    } as unknown as RenderingEngine;
    const saved = saveDisplays(engine);
    expect(saved.stacks.size).toBe(0);
    expect([...saved.volumes.keys()]).toEqual(['mpr-axial', 'mpr-3d']);
    expect(saved.volumes.get('mpr-axial')).toEqual({
      camera: {
        focalPoint: [0, 0, 14],
        position: [0, 0, 514],
        viewUp: [0, -1, 0],
        viewPlaneNormal: [0, 0, 1],
        parallelScale: 40,
        flipHorizontal: false,
        flipVertical: false,
      },
      plane: {
        voiRange: { lower: -1350, upper: 150 },
        blendMode: Enums.BlendModes.MAXIMUM_INTENSITY_BLEND,
        slabThickness: 20,
      },
    });
    expect(saved.volumes.get('mpr-3d')?.plane).toBeUndefined();
    // Copies: the old engine's camera arrays are not shared with the new engine's viewports.
    expect(saved.volumes.get('mpr-axial')?.camera.focalPoint).not.toBe(axialCamera.focalPoint);
  });

  it('shows a saved plane: projection and slab, then the camera, then the window', () => {
    const calls: [string, unknown][] = [];
    const viewport = {
      setBlendMode: (mode: Enums.BlendModes) => calls.push(['blend', mode]),
      setSlabThickness: (mm: number) => calls.push(['slab', mm]),
      setCamera: (camera: Partial<Types.ICamera>) => calls.push(['camera', camera.focalPoint]),
      setProperties: (properties: { voiRange?: Types.VOIRange }) =>
        calls.push(['window', properties.voiRange]),
    };
    const saved: SavedVolumeDisplay = {
      camera: { focalPoint: [0, 10, 0], viewPlaneNormal: [0, 1, 0] },
      plane: {
        voiRange: { lower: 0, upper: 100 },
        blendMode: Enums.BlendModes.COMPOSITE,
        slabThickness: 0.1,
      },
    };
    showSavedVolumeDisplay(viewport as never, saved);
    expect(calls).toEqual([
      ['blend', Enums.BlendModes.COMPOSITE],
      ['slab', 0.1],
      ['camera', [0, 10, 0]],
      ['window', { lower: 0, upper: 100 }],
    ]);
    calls.length = 0;
    showSavedVolumeDisplay(viewport as never, { camera: { focalPoint: [5, 5, 5] } });
    expect(calls).toEqual([['camera', [5, 5, 5]]]);
  });
});

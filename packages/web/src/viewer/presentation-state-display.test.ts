import { Enums, metaData, utilities, type RenderingEngine, type Types } from '@cornerstonejs/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import {
  GRAYSCALE_SOFTCOPY_PRESENTATION_STATE,
  parsePresentationState,
  type PresentationState,
} from './presentation-state';
import { showPresentationState } from './presentation-state-display';
import { voiLutRamp } from './presentation-state-view';
import type { StackFrame } from './series-stack';

/**
 * The presentation state's display on a stand-in for Cornerstone's stack viewport: what it is told to
 * set as the stack scrolls.
 */

const SERIES = '1.2.3.1';
/** Two images of 256 × 256 pixels of 0.5 mm, one of 512 × 512 of 0.25 mm (the same field), and another. */
const IMAGES = [
  { uid: '1.2.3.1.1', size: 256, spacing: 0.5, at: [-61.7, 23.1, -148.3] },
  // Where the spacing worked out from the plane differs from the first image's in its last bits.
  { uid: '1.2.3.1.2', size: 256, spacing: 0.5, at: [-56.52, 15.68, -158.1] },
  { uid: '1.2.3.1.3', size: 512, spacing: 0.25, at: [-48.38, 4.02, -173.5] },
  // One the presentation state does not reference.
  { uid: '1.2.3.1.4', size: 256, spacing: 0.5, at: [-48.01, 3.49, -174.2] },
];
const REFERENCED = IMAGES.slice(0, 3);
const imageIdOf = (uid: string) => `wadors:/studies/1/series/${SERIES}/instances/${uid}/frames/1`;

const FRAMES: StackFrame[] = IMAGES.map(({ uid, size, spacing }) => ({
  sopInstanceUid: uid,
  frame: 1,
  imageId: imageIdOf(uid),
  metadata: {
    [JsonTag.Rows]: { vr: 'US', Value: [size] },
    [JsonTag.Columns]: { vr: 'US', Value: [size] },
    [JsonTag.PixelSpacing]: { vr: 'DS', Value: [spacing, spacing] },
  },
}));

/** A 12-bit curved VOI LUT of 4,096 entries over 0–4095. */
const CURVE = Array.from({ length: 4096 }, (_, i) => Math.round(4095 / (1 + Math.exp(-(i - 2048) / 300))));

/** A presentation state on the first three images: the VOI LUT above and a displayed area. */
function stateJson(sopInstanceUid = '1.2.3.9.1'): DicomJson {
  return {
    '00080016': { vr: 'UI', Value: [GRAYSCALE_SOFTCOPY_PRESENTATION_STATE] },
    '00080018': { vr: 'UI', Value: [sopInstanceUid] },
    '00081115': {
      vr: 'SQ',
      Value: [
        {
          '0020000E': { vr: 'UI', Value: [SERIES] },
          '00081140': {
            vr: 'SQ',
            Value: REFERENCED.map(({ uid }) => ({ '00081155': { vr: 'UI', Value: [uid] } })),
          },
        },
      ],
    },
    '00283110': {
      vr: 'SQ',
      Value: [
        {
          '00283010': {
            vr: 'SQ',
            Value: [
              {
                '00283002': { vr: 'US', Value: [4096, 0, 12] },
                '00283006': { vr: 'OW', Value: CURVE },
              },
            ],
          },
        },
      ],
    },
    '0070005A': {
      vr: 'SQ',
      Value: [
        {
          // The whole of the first two images, in their pixels.
          '00700052': { vr: 'SL', Value: [1, 1] },
          '00700053': { vr: 'SL', Value: [256, 256] },
          '00700100': { vr: 'CS', Value: ['SCALE TO FIT'] },
        },
      ],
    },
  };
}

const parse = (json: DicomJson): PresentationState => parsePresentationState(json)!;

/** What the presentation state's display uses of Cornerstone's StackViewport, recording what it is told. */
class FakeStackViewport {
  current = 0;
  properties: Types.ViewportProperties = { invert: false };
  /** Every call of setProperties. */
  set: Types.ViewportProperties[] = [];
  cameras: Types.ICamera[] = [];
  /** The image actor's colour transfer function: Cornerstone makes another for a new stack. */
  colourFunction: object = {};

  constructor(private readonly imageIds: string[]) {}
  getImageIds(): string[] {
    return this.imageIds;
  }
  getCurrentImageId(): string {
    return this.imageIds[this.current]!;
  }
  getProperties(): Types.ViewportProperties & { isComputedVOI: boolean } {
    return { ...this.properties, isComputedVOI: true };
  }
  setProperties(properties: Types.ViewportProperties): void {
    this.set.push(properties);
    this.properties = { ...this.properties, ...properties };
  }
  resetProperties(): void {}
  getViewPresentation(): Types.ViewPresentation {
    return {};
  }
  setViewPresentation(): void {}
  resetCamera(): void {}
  getCamera(): Types.ICamera {
    return { focalPoint: [0, 0, 0], position: [0, 0, 100] };
  }
  setCamera(camera: Types.ICamera): void {
    this.cameras.push(camera);
  }
  render(): void {}
  getDefaultActor(): Types.ActorEntry {
    const actor = {
      isA: (type: string) => type === 'vtkImageSlice',
      getProperty: () => ({ getRGBTransferFunction: () => this.colourFunction }),
    };
    return { uid: 'stack', actor: actor as unknown as Types.ImageActor };
  }
  colormapsSet(): string[] {
    return this.set.flatMap((p) => (p.colormap?.name !== undefined ? [p.colormap.name] : []));
  }
}

/** Shows a presentation state on a fake viewport of the four images; `scroll` shows another image. */
function show(state: PresentationState) {
  const viewport = new FakeStackViewport(FRAMES.map((f) => f.imageId));
  const engine = { getViewport: () => viewport } as unknown as RenderingEngine;
  const element = Object.assign(new EventTarget(), { clientWidth: 400, clientHeight: 400 });
  const stop = showPresentationState(engine, 'viewport', element as unknown as HTMLElement, FRAMES, state);
  const scroll = (index: number) => {
    viewport.current = index;
    element.dispatchEvent(new Event(Enums.Events.STACK_NEW_IMAGE));
  };
  return { viewport, scroll, stop: stop! };
}

beforeAll(() => {
  vi.stubGlobal('window', { devicePixelRatio: 1 });
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe(): void {}
      disconnect(): void {}
    },
  );
  vi.stubGlobal('requestAnimationFrame', () => 0);
  vi.stubGlobal('cancelAnimationFrame', () => undefined);
  // Oblique parallel slices, as Cornerstone's metadata would give their planes.
  metaData.addProvider((type: string, imageId: string) => {
    const image = IMAGES.find(({ uid }) => imageIdOf(uid) === imageId);
    if (type !== 'imagePlaneModule' || image === undefined) return undefined;
    return {
      rowCosines: [0.8, 0.6, 0],
      columnCosines: [0, 0, -1],
      imagePositionPatient: image.at,
      rowPixelSpacing: image.spacing,
      columnPixelSpacing: image.spacing,
    };
  }, 10_000);
});

afterAll(() => {
  vi.unstubAllGlobals();
});

describe('a VOI LUT shown as a colormap', () => {
  it('is set once while the stack scrolls, its window and polarity on every image', () => {
    const { viewport, scroll, stop } = show(parse(stateJson()));
    scroll(1);
    scroll(2);
    scroll(0);
    expect(viewport.colormapsSet()).toHaveLength(1);
    // Each image still gets the table's window.
    const windows = viewport.set.filter((p) => p.voiRange !== undefined);
    expect(windows).toHaveLength(4);
    expect(windows.every((p) => p.voiRange?.lower === 0 && p.voiRange.upper === 4095)).toBe(true);
    stop();
  });

  it('is set again when Cornerstone draws the stack through a colour function of its own', () => {
    const { viewport, scroll, stop } = show(parse(stateJson()));
    // A new stack's actor: drawn as plain grey while the viewport still names the colormap.
    viewport.colourFunction = {};
    scroll(1);
    expect(viewport.colormapsSet()).toHaveLength(2);
    scroll(2);
    expect(viewport.colormapsSet()).toHaveLength(2);
    stop();
  });

  it('gives way to the colormap of before on an image it does not reference, and comes back', () => {
    const { viewport, scroll, stop } = show(parse(stateJson()));
    const [name] = viewport.colormapsSet();
    scroll(3);
    expect(viewport.colormapsSet()).toEqual([name, 'presentation-state-grey']);
    scroll(0);
    expect(viewport.colormapsSet()).toEqual([name, 'presentation-state-grey', name]);
    stop();
  });

  it('is named from what it draws: the same table read again replaces its colormap', () => {
    const before = utilities.colormap.getColormapNames().length;
    const first = show(parse(stateJson()));
    first.stop();
    // The same presentation state, its metadata read anew.
    const again = show(parse(stateJson()));
    again.stop();
    const [name] = first.viewport.colormapsSet();
    expect(again.viewport.colormapsSet()[0]).toBe(name);
    expect(utilities.colormap.getColormapNames().length - before).toBeLessThanOrEqual(1);
    expect(utilities.colormap.getColormap(name!)?.RGBPoints).toEqual(voiLutRamp(CURVE, 12, 0));
    // Another presentation state's table is another colormap.
    const other = show(parse(stateJson('1.2.3.9.2')));
    other.stop();
    expect(other.viewport.colormapsSet()[0]).not.toBe(name);
  });
});

describe('a displayed area on a stack of images of different sizes', () => {
  it('is shown again when the image differs in rows, columns or pixel spacing', () => {
    const { viewport, scroll, stop } = show(parse(stateJson()));
    expect(viewport.cameras).toHaveLength(1);
    // The same size: the camera stays.
    scroll(1);
    expect(viewport.cameras).toHaveLength(1);
    // Twice the pixels, half as far apart: the area is 64 mm now, not 128.
    scroll(2);
    expect(viewport.cameras).toHaveLength(2);
    expect(viewport.cameras[1]!.parallelScale).toBeCloseTo(viewport.cameras[0]!.parallelScale! / 2);
    scroll(0);
    expect(viewport.cameras).toHaveLength(3);
    expect(viewport.cameras[2]!.parallelScale).toBeCloseTo(viewport.cameras[0]!.parallelScale!);
    stop();
  });
});

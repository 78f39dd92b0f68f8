import {
  cache,
  Enums,
  eventTarget,
  getRenderingCapabilities,
  imageLoader,
  init as initCore,
  RenderingEngine,
  setUseCPURendering,
  utilities,
  type Types,
} from '@cornerstonejs/core';
import { getMinMax, init as initImageLoader, wadors } from '@cornerstonejs/dicom-image-loader';
import { eightBitColour, fromDecoder, wideColourOfImage, type WideColour } from './colour-samples';
import { frameRequestHeaders } from './frame-retrieval';
import { memoryBudgetBytes } from './memory-budget';
import { addTool, init as initTools } from '@cornerstonejs/tools';
import { provideImageCalibrations } from './image-calibration';
import { STACK_TOOL_CLASSES } from './viewer-tools';

/** The viewer page's rendering engine (Cornerstone renders every viewport through it); a new one gets `-n`. */
export const RENDERING_ENGINE_ID = 'lightbox';

let started: Promise<RenderingEngine> | undefined;
let generation = 0;
/** Engines whose WebGL context the browser took away (see graphics-recovery.ts). */
const lostEngines = new Set<string>();

/** What this browser can do, found when Cornerstone starts. */
export const viewerCapabilities = {
  /** WebGL 2 works; without it images are drawn on the CPU and MPR/3D are not offered. */
  webgl2: true,
  /** Bytes of decoded images and volumes the viewer keeps (see memory-budget.ts). */
  memoryBudget: memoryBudgetBytes(undefined),
  /** The GPU keeps 16-bit volumes as 16-bit textures; without it, as 32-bit floats (see memory-budget.ts). */
  norm16Textures: false,
};

/** What the viewer holds in memory now: read (never changed) by the bench and acceptance tests. */
export interface ViewerMemory {
  /** The budget this viewer applied to its cache and to the volumes it builds (see memory-budget.ts). */
  budgetBytes: number;
  /** Bytes of decoded images and volumes in Cornerstone's cache. */
  cacheBytes: number;
  /** The cache's limit as Cornerstone holds it. */
  cacheLimitBytes: number;
  /** Whether the GPU keeps 16-bit volumes as 16-bit textures (else 32-bit floats): what a volume costs. */
  norm16Textures: boolean;
  /** The volumes in the cache: slices each was built from, and the voxel type. */
  volumes: { volumeId: string; slices: number; dataType: string }[];
}

function viewerMemory(): ViewerMemory {
  return {
    budgetBytes: viewerCapabilities.memoryBudget,
    cacheBytes: cache.getCacheSize(),
    cacheLimitBytes: cache.getMaxCacheSize(),
    norm16Textures: viewerCapabilities.norm16Textures,
    volumes: cache.getVolumes().map((volume) => ({
      volumeId: volume.volumeId,
      slices: volume.dimensions[2],
      dataType: volume.dataType ?? '',
    })),
  };
}

/**
 * Whether a WebGL 2 context can be had now. The probe's context is given back at once: browsers keep
 * only a few (Chrome 16) and lose the oldest, which could be one of the viewer's.
 */
export function webgl2Works(): boolean {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl === null) return false;
  const works = !gl.isContextLost();
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return works;
}

/**
 * Loads a frame through the DICOM image loader's WADO-RS loader, colour of more than 8 bits a sample
 * brought to 8 bits as soon as it is decoded, before the cache, a viewport or a volume sees it.
 */
function loadFrame(imageId: string, options?: Record<string, unknown>): Types.IImageLoadObject {
  const loading = wadors.loadImage(imageId, options);
  const colour = wideColourOfImage(imageId);
  if (colour === undefined) return loading;
  return { ...loading, promise: loading.promise.then((image) => asEightBitColour(image, colour)) };
}

/**
 * A decoded image of colour of more than 8 bits a sample as 8-bit colour (see colour-samples.ts): its
 * samples (which the image's getPixelData reads from its frame), the voxel manager that hands them to
 * the viewports, and what they span and weigh. The window stays the 256/128 the loader gives colour.
 * The image loader names the syntax the frame arrived in (the server may have decoded it): whether its
 * samples are stored words or a decoder's values.
 */
function asEightBitColour(
  image: Types.IImage & { transferSyntaxUID?: string },
  colour: WideColour,
): Types.IImage {
  const frame = image.imageFrame;
  if (!image.color || frame === undefined) return image;
  const samples = eightBitColour(image.getPixelData(), colour, fromDecoder(image.transferSyntaxUID));
  const { min, max } = getMinMax(samples);
  frame.pixelData = samples;
  frame.pixelDataLength = samples.length;
  frame.smallestPixelValue = min;
  frame.largestPixelValue = max;
  image.voxelManager = utilities.VoxelManager.createImageVoxelManager({
    width: image.columns,
    height: image.rows,
    scalarData: samples,
    numberOfComponents: 3,
  });
  image.dataType = 'Uint8Array';
  image.minPixelValue = min;
  image.maxPixelValue = max;
  image.sizeInBytes = samples.byteLength;
  return image;
}

/**
 * Starts Cornerstone3D once: the core, the DICOM image loader (decoding in web workers, never on the
 * page's thread) and the tools the viewer offers. An engine that lost its graphics while no viewer showed
 * it is replaced before it is handed out.
 */
export function startCornerstone(): Promise<RenderingEngine> {
  started ??= (async () => {
    // Initialising takes a few hundred milliseconds of the main thread (WebGL probing, tool set-up): let
    // the page send its first requests (the study, its series) before it starts.
    await new Promise((resolve) => setTimeout(resolve, 0));
    viewerCapabilities.webgl2 = webgl2Works();
    viewerCapabilities.memoryBudget = memoryBudgetBytes(
      (navigator as { deviceMemory?: number }).deviceMemory,
    );
    // No WebGL 2 (an old tablet, a locked-down workstation): draw stacks on the CPU rather than fail.
    initCore({ debug: {}, ...(viewerCapabilities.webgl2 ? {} : { rendering: { useCPURendering: true } }) });
    cache.setMaxCacheSize(viewerCapabilities.memoryBudget);
    const textures = getRenderingCapabilities();
    viewerCapabilities.norm16Textures = textures.norm16 && textures.norm16Linear;
    // Automation surface, like `window.lightboxViewer`: the bench reports the tab's memory against this.
    (window as unknown as { lightboxMemory?: () => ViewerMemory }).lightboxMemory = viewerMemory;
    initImageLoader({
      maxWebWorkers: Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2))),
      // Frames the browser cannot decode as stored are asked for decoded by the server (frame-retrieval.ts).
      beforeSend: (_request, imageId) => frameRequestHeaders(imageId),
    });
    imageLoader.registerImageLoader('wadors', loadFrame);
    provideImageCalibrations();
    initTools();
    for (const tool of STACK_TOOL_CLASSES) {
      addTool(tool);
    }
    eventTarget.addEventListener(Enums.Events.WEBGL_CONTEXT_LOST, (event: Event) => {
      lostEngines.add((event as CustomEvent<{ renderingEngineId: string }>).detail.renderingEngineId);
    });
    return new RenderingEngine(RENDERING_ENGINE_ID);
  })();
  return started.then((engine) =>
    lostEngines.has(engine.id) ? replaceRenderingEngine(engine, !webgl2Works()) : engine,
  );
}

/**
 * Destroys an engine whose graphics were lost and starts another, on WebGL or, when `software`, on the
 * CPU from now on (no MPR or 3D then). Every viewport must have left the old engine first.
 */
export function replaceRenderingEngine(old: RenderingEngine, software: boolean): RenderingEngine {
  old.destroy();
  if (software) {
    setUseCPURendering(true, false);
    viewerCapabilities.webgl2 = false;
  }
  generation += 1;
  const engine = new RenderingEngine(`${RENDERING_ENGINE_ID}-${generation}`);
  started = Promise.resolve(engine);
  return engine;
}

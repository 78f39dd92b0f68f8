import { cache, init as initCore, RenderingEngine } from '@cornerstonejs/core';
import { init as initImageLoader } from '@cornerstonejs/dicom-image-loader';
import { memoryBudgetBytes } from './memory-budget';
import { addTool, init as initTools } from '@cornerstonejs/tools';
import { STACK_TOOL_CLASSES } from './viewer-tools';

/** The one rendering engine of the viewer page (Cornerstone renders every viewport through it). */
export const RENDERING_ENGINE_ID = 'lightbox';

let started: Promise<RenderingEngine> | undefined;

/** What this browser can do, found when Cornerstone starts. */
export const viewerCapabilities = {
  /** WebGL 2 works; without it images are drawn on the CPU and MPR/3D are not offered. */
  webgl2: true,
  /** Bytes of decoded images and volumes the viewer keeps (see memory-budget.ts). */
  memoryBudget: memoryBudgetBytes(undefined),
};

/**
 * Starts Cornerstone3D once: the core, the DICOM image loader (decoding in web workers, never on the
 * page's thread) and the tools the viewer offers.
 */
export function startCornerstone(): Promise<RenderingEngine> {
  started ??= (async () => {
    // Initialising takes a few hundred milliseconds of the main thread (WebGL probing, tool set-up): let
    // the page send its first requests (the study, its series) before it starts.
    await new Promise((resolve) => setTimeout(resolve, 0));
    viewerCapabilities.webgl2 = document.createElement('canvas').getContext('webgl2') !== null;
    viewerCapabilities.memoryBudget = memoryBudgetBytes(
      (navigator as { deviceMemory?: number }).deviceMemory,
    );
    // No WebGL 2 (an old tablet, a locked-down workstation): draw stacks on the CPU rather than fail.
    initCore({ debug: {}, ...(viewerCapabilities.webgl2 ? {} : { rendering: { useCPURendering: true } }) });
    cache.setMaxCacheSize(viewerCapabilities.memoryBudget);
    initImageLoader({
      maxWebWorkers: Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2))),
    });
    initTools();
    for (const tool of STACK_TOOL_CLASSES) {
      addTool(tool);
    }
    return new RenderingEngine(RENDERING_ENGINE_ID);
  })();
  return started;
}

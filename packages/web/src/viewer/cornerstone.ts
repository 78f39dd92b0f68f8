import { init as initCore, RenderingEngine } from '@cornerstonejs/core';
import { init as initImageLoader } from '@cornerstonejs/dicom-image-loader';
import {
  addTool,
  AngleTool,
  ArrowAnnotateTool,
  CobbAngleTool,
  EllipticalROITool,
  init as initTools,
  LengthTool,
  PanTool,
  PlanarFreehandROITool,
  PlanarRotateTool,
  ProbeTool,
  RectangleROITool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

/** The one rendering engine of the viewer page (Cornerstone renders every viewport through it). */
export const RENDERING_ENGINE_ID = 'lightbox';

let started: Promise<RenderingEngine> | undefined;

/**
 * Starts Cornerstone3D once: the core, the DICOM image loader (decoding in web workers, never on the
 * page's thread) and the tools the viewer offers.
 */
export function startCornerstone(): Promise<RenderingEngine> {
  started ??= (async () => {
    // Initialising takes a few hundred milliseconds of the main thread (WebGL probing, tool set-up): let
    // the page send its first requests (the study, its series) before it starts.
    await new Promise((resolve) => setTimeout(resolve, 0));
    initCore();
    initImageLoader({
      maxWebWorkers: Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2))),
    });
    initTools();
    for (const tool of [
      WindowLevelTool,
      PanTool,
      ZoomTool,
      StackScrollTool,
      PlanarRotateTool,
      LengthTool,
      AngleTool,
      CobbAngleTool,
      RectangleROITool,
      EllipticalROITool,
      PlanarFreehandROITool,
      ProbeTool,
      ArrowAnnotateTool,
    ]) {
      addTool(tool);
    }
    return new RenderingEngine(RENDERING_ENGINE_ID);
  })();
  return started;
}

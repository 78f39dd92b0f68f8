import { Enums, eventTarget, type RenderingEngine } from '@cornerstonejs/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { replaceRenderingEngine, startCornerstone, webgl2Works } from './cornerstone';
import {
  saveDisplays,
  type SavedDisplay,
  type SavedDisplays,
  type SavedVolumeDisplay,
} from './saved-display';

/** Where the viewer's drawing stands after the browser took its WebGL context away (GPU reset, too many contexts). */
export type GraphicsState = 'drawing' | 'restoring' | 'restored' | 'software';

/** What the viewer says, politely, in each state. */
export const GRAPHICS_MESSAGES: Record<GraphicsState, string> = {
  drawing: '',
  restoring: 'Graphics were reset; restoring the display…',
  restored: 'Graphics were reset; the display is restored.',
  software:
    'Graphics could not be restored; images are now drawn without the graphics card (slower; no MPR or 3D).',
};

/** How long to wait for the browser to give a lost context back before starting again without it. */
const WAIT_FOR_RESTORE_MS = 2000;
/** Lost again this soon after a recovery: the graphics card cannot be relied on, draw on the CPU. */
const UNSTABLE_WITHIN_MS = 60_000;
/** How long "restored" stays shown. */
const RESTORED_NOTICE_MS = 10_000;

function engineIdOf(event: Event): string | undefined {
  return (event as CustomEvent<{ renderingEngineId?: string }>).detail?.renderingEngineId;
}

/**
 * The viewer's rendering engine, replaced when its WebGL context is lost: the viewer says so, waits a
 * moment for the browser to restore the context, then draws everything again on a new engine — on WebGL,
 * or on the CPU when WebGL is gone or keeps failing — each stack at the image, window and zoom it showed,
 * an open MPR at the planes, windows and slabs it showed.
 */
export function useRenderingEngine(onError: (message: string) => void): {
  engine: RenderingEngine | null;
  graphicsState: GraphicsState;
  /** The display a viewport had on the replaced engine, given once (see StackViewportCell). */
  resumeDisplay: (viewportId: string) => SavedDisplay | undefined;
  /** The display a volume viewport (MPR plane, 3D) had on the replaced engine, given once (see MprView). */
  resumeVolumeDisplay: (viewportId: string) => SavedVolumeDisplay | undefined;
} {
  const [engine, setEngine] = useState<RenderingEngine | null>(null);
  const [graphicsState, setGraphicsState] = useState<GraphicsState>('drawing');
  const saved = useRef<SavedDisplays>({ stacks: new Map(), volumes: new Map() });
  const retiring = useRef<{ engine: RenderingEngine; software: boolean } | null>(null);
  const recoveredAt = useRef(Number.NEGATIVE_INFINITY);

  useEffect(() => {
    startCornerstone()
      .then(setEngine)
      .catch((e: unknown) =>
        onError(`The viewer could not start: ${e instanceof Error ? e.message : String(e)}`),
      );
  }, [onError]);

  useEffect(() => {
    if (engine === null) return;
    let waiting: number | undefined;
    const recover = () => {
      window.clearTimeout(waiting);
      const software = Date.now() - recoveredAt.current < UNSTABLE_WITHIN_MS || !webgl2Works();
      saved.current = saveDisplays(engine);
      retiring.current = { engine, software };
      // First the viewports leave the engine (they unmount without one), then it is replaced (below).
      setEngine(null);
    };
    const onLost = (event: Event) => {
      if (engineIdOf(event) !== engine.id || waiting !== undefined) return;
      setGraphicsState('restoring');
      waiting = window.setTimeout(
        recover,
        Date.now() - recoveredAt.current < UNSTABLE_WITHIN_MS ? 0 : WAIT_FOR_RESTORE_MS,
      );
    };
    const onRestored = (event: Event) => {
      if (engineIdOf(event) === engine.id && waiting !== undefined) recover();
    };
    eventTarget.addEventListener(Enums.Events.WEBGL_CONTEXT_LOST, onLost);
    eventTarget.addEventListener(Enums.Events.WEBGL_CONTEXT_RESTORED, onRestored);
    return () => {
      window.clearTimeout(waiting);
      eventTarget.removeEventListener(Enums.Events.WEBGL_CONTEXT_LOST, onLost);
      eventTarget.removeEventListener(Enums.Events.WEBGL_CONTEXT_RESTORED, onRestored);
    };
  }, [engine]);

  // Effects run after every viewport's clean-up: the old engine has no viewport left to destroy.
  useEffect(() => {
    const retired = retiring.current;
    if (engine !== null || retired === null) return;
    retiring.current = null;
    try {
      const next = replaceRenderingEngine(retired.engine, retired.software);
      recoveredAt.current = Date.now();
      setGraphicsState(retired.software ? 'software' : 'restored');
      setEngine(next);
    } catch (e) {
      onError(`The display could not be restored: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, [engine, onError]);

  useEffect(() => {
    if (graphicsState !== 'restored') return;
    const shown = window.setTimeout(() => setGraphicsState('drawing'), RESTORED_NOTICE_MS);
    return () => window.clearTimeout(shown);
  }, [graphicsState]);

  const resumeDisplay = useCallback((viewportId: string) => {
    const display = saved.current.stacks.get(viewportId);
    saved.current.stacks.delete(viewportId);
    return display;
  }, []);
  const resumeVolumeDisplay = useCallback((viewportId: string) => {
    const display = saved.current.volumes.get(viewportId);
    saved.current.volumes.delete(viewportId);
    return display;
  }, []);

  return { engine, graphicsState, resumeDisplay, resumeVolumeDisplay };
}

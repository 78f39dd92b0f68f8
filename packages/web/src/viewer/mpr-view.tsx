import {
  cache,
  Enums,
  eventTarget,
  setVolumesForViewports,
  volumeLoader,
  type RenderingEngine,
  type Types,
  type VolumeViewport,
  type VolumeViewport3D,
} from '@cornerstonejs/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { viewerCapabilities } from './cornerstone';
import { framesWithinBudget, ordinal } from './memory-budget';
import { volume3dToolGroup } from './volume-3d-tools';
import { MPR_PRIMARY_TOOLS, mprToolGroup, selectMprPrimaryTool } from './mpr-tools';
import { markOnce, ViewerMark } from './viewer-timing';
import { showSavedVolumeDisplay, type SavedVolumeDisplay } from './saved-display';
import type { StackFrame } from './series-stack';

/** The three orthogonal planes of the MPR layout. */
export const MPR_VIEWPORTS = [
  { id: 'mpr-axial', label: 'Axial', orientation: Enums.OrientationAxis.AXIAL },
  { id: 'mpr-sagittal', label: 'Sagittal', orientation: Enums.OrientationAxis.SAGITTAL },
  { id: 'mpr-coronal', label: 'Coronal', orientation: Enums.OrientationAxis.CORONAL },
] as const;

/** The 3D volume rendering viewport beside the planes. */
export const VOLUME_3D_VIEWPORT = 'mpr-3d';

/** Volume rendering presets offered (Cornerstone's, from VTK), by modality. */
export function renderingPresets(modality: string): string[] {
  return modality === 'MR'
    ? ['MR-Default', 'MR-Angio', 'MR-MIP']
    : ['CT-Bone', 'CT-Soft-Tissue', 'CT-Lung', 'CT-Chest-Vessels', 'CT-Cardiac', 'CT-MIP'];
}

/** Slab projections offered (PS3.3 C.7.6.16-like): thin plane, maximum, minimum, average. */
const PROJECTIONS = [
  { label: 'Thin', blend: Enums.BlendModes.COMPOSITE },
  { label: 'MIP', blend: Enums.BlendModes.MAXIMUM_INTENSITY_BLEND },
  { label: 'MinIP', blend: Enums.BlendModes.MINIMUM_INTENSITY_BLEND },
  { label: 'Average', blend: Enums.BlendModes.AVERAGE_INTENSITY_BLEND },
] as const;

/**
 * The MPR toolbar's choices, kept by the viewer page while MPR is open: they outlast the view itself when
 * it is drawn again on a new rendering engine (graphics-recovery.ts).
 */
export interface MprSettings {
  /** Index in the projections offered: thin, MIP, MinIP, average. */
  projection: number;
  /** Slab thickness chosen, mm. */
  slab: number;
  /** The 3D rendering preset; the modality's first when not chosen. */
  preset?: string;
}

/** How MPR opens. */
export const DEFAULT_MPR_SETTINGS: MprSettings = { projection: 0, slab: 10 };

/**
 * The rendering engine each cached volume was drawn by. A volume keeps its texture (in the graphics card)
 * for good once uploaded; after the WebGL context was lost that texture is gone, and a new engine would draw
 * the volume as nothing: such a volume is built again (from the images still cached) for the new engine.
 */
const drawnBy = new Map<string, string>();

/** Shows a projection on a plane: a thin plane is one voxel thick, a slab what the user chose, in mm. */
function showProjection(viewport: VolumeViewport, projection: number, slab: number): void {
  const blend = (PROJECTIONS[projection] ?? PROJECTIONS[0]).blend;
  viewport.setBlendMode(blend);
  viewport.setSlabThickness(blend === Enums.BlendModes.COMPOSITE ? 0.1 : slab);
}

/**
 * Multiplanar reformation of one series: the series is loaded once as a volume and shown as axial,
 * sagittal and coronal planes with crosshairs (drag to move, rotate the lines for oblique planes), and
 * slab projections (MIP, MinIP, average) of a chosen thickness. Drawn again after a lost WebGL context,
 * it shows the planes, windows and slabs it showed (`resumeVolumeDisplay`).
 */
export function MprView({
  engine,
  seriesUid,
  frames: allFrames,
  modality,
  settings = DEFAULT_MPR_SETTINGS,
  onSettingsChange,
  resumeVolumeDisplay,
  onLoaded,
}: {
  engine: RenderingEngine;
  seriesUid: string;
  frames: StackFrame[];
  modality: string;
  settings?: MprSettings;
  onSettingsChange?: (settings: MprSettings) => void;
  /** The display a viewport had on a replaced engine, given once (graphics-recovery.ts). */
  resumeVolumeDisplay?: (viewportId: string) => SavedVolumeDisplay | undefined;
  onLoaded?: () => void;
}) {
  // Within the memory budget: every slice, or every k-th (a coarser volume instead of a crashed tab).
  const { frames, step } = useMemo(
    () => framesWithinBudget(allFrames, viewerCapabilities.memoryBudget, viewerCapabilities.norm16Textures),
    [allFrames],
  );
  const presets = renderingPresets(modality);
  // Without a keeper of the settings (a page of its own), the view keeps them itself.
  const [ownSettings, setOwnSettings] = useState(settings);
  const current = onSettingsChange !== undefined ? settings : ownSettings;
  const change = (next: Partial<MprSettings>) =>
    (onSettingsChange ?? setOwnSettings)({ ...current, ...next });
  const { projection, slab } = current;
  const preset =
    current.preset !== undefined && presets.includes(current.preset) ? current.preset : presets[0]!;
  // What the volume is shown with once it is set (read then, not a reason to set it again).
  const shown = useRef({ projection, slab, preset });
  shown.current = { projection, slab, preset };
  const elements = useRef<(HTMLDivElement | null)[]>([]);
  const [progress, setProgress] = useState(0);
  // The tool group outlives the view (MPR closed and opened again, a new engine): its left-button tool too.
  const [tool, setTool] = useState<string>(
    () => mprToolGroup().getActivePrimaryMouseButtonTool() ?? MPR_PRIMARY_TOOLS[0].name,
  );
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let stopListening = () => undefined as void;
    const volumeId = `cornerstoneStreamingImageVolume:${seriesUid}:${step}`;
    const group = mprToolGroup();
    const group3d = volume3dToolGroup();
    // Taken now, once: what these viewports showed on the engine this one replaced (none when MPR opens).
    const resumed = new Map(
      [...MPR_VIEWPORTS.map((v) => v.id), VOLUME_3D_VIEWPORT].flatMap((id) => {
        const display = resumeVolumeDisplay?.(id);
        return display !== undefined ? [[id, display] as const] : [];
      }),
    );
    engine.setViewports([
      ...MPR_VIEWPORTS.map((v, index) => ({
        viewportId: v.id,
        type: Enums.ViewportType.ORTHOGRAPHIC,
        element: elements.current[index]!,
        defaultOptions: { orientation: v.orientation, background: [0, 0, 0] as Types.Point3 },
      })),
      {
        viewportId: VOLUME_3D_VIEWPORT,
        type: Enums.ViewportType.VOLUME_3D,
        element: elements.current[MPR_VIEWPORTS.length]!,
        defaultOptions: { background: [0, 0, 0] as Types.Point3 },
      },
    ]);
    for (const v of MPR_VIEWPORTS) group.addViewport(v.id, engine.id);
    group3d.addViewport(VOLUME_3D_VIEWPORT, engine.id);
    const resized = new ResizeObserver(() => engine.resize(true, true));
    for (const element of elements.current) if (element !== null) resized.observe(element);
    (async () => {
      markOnce(ViewerMark.VolumeStart);
      const drawer = drawnBy.get(volumeId);
      if (drawer !== undefined && drawer !== engine.id && cache.getVolume(volumeId) !== undefined)
        cache.removeVolumeLoadObject(volumeId);
      drawnBy.set(volumeId, engine.id);
      const volume = await volumeLoader.createAndCacheVolume(volumeId, {
        imageIds: frames.map((f) => f.imageId),
      });
      if (cancelled) return;
      const onModified = (event: Event) => {
        const detail = (
          event as CustomEvent<{ volumeId: string; framesProcessed: number; numberOfFrames: number }>
        ).detail;
        if (detail.volumeId === volumeId)
          setProgress(Math.min(0.99, detail.framesProcessed / detail.numberOfFrames));
      };
      eventTarget.addEventListener(Enums.Events.IMAGE_VOLUME_MODIFIED, onModified);
      stopListening = () => eventTarget.removeEventListener(Enums.Events.IMAGE_VOLUME_MODIFIED, onModified);
      // The 3D view gets the volume once it is whole: rendered while slices stream in, it is drawn again
      // for every slice that arrives, which on a software renderer made loading several times slower.
      const show3d = async () => {
        await setVolumesForViewports(engine, [{ volumeId }], [VOLUME_3D_VIEWPORT]);
        if (cancelled) return;
        const viewport3d = engine.getViewport(VOLUME_3D_VIEWPORT) as VolumeViewport3D;
        viewport3d.setProperties({ preset: shown.current.preset });
        const saved3d = resumed.get(VOLUME_3D_VIEWPORT);
        if (saved3d !== undefined) showSavedVolumeDisplay(viewport3d, saved3d);
        viewport3d.render();
      };
      // Called once every frame is in.
      volume.load?.(() => {
        stopListening();
        markOnce(ViewerMark.VolumeReady);
        setProgress(1);
        onLoaded?.();
        show3d().catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)));
      });
      await setVolumesForViewports(
        engine,
        [{ volumeId }],
        MPR_VIEWPORTS.map((v) => v.id),
      );
      if (cancelled) return;
      const { projection, slab } = shown.current;
      for (const v of MPR_VIEWPORTS) {
        const viewport = engine.getViewport(v.id) as VolumeViewport;
        const saved = resumed.get(v.id);
        if (saved !== undefined) showSavedVolumeDisplay(viewport, saved);
        else showProjection(viewport, projection, slab);
      }
      engine.renderViewports(MPR_VIEWPORTS.map((v) => v.id));
    })().catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      stopListening();
      resized.disconnect();
      group.removeViewports(engine.id);
      group3d.removeViewports(engine.id);
      for (const v of MPR_VIEWPORTS) engine.disableElement(v.id);
      engine.disableElement(VOLUME_3D_VIEWPORT);
    };
  }, [engine, seriesUid, frames, step, onLoaded, resumeVolumeDisplay]);

  useEffect(() => {
    const viewport = engine.getViewport(VOLUME_3D_VIEWPORT) as VolumeViewport3D | undefined;
    if (viewport === undefined || viewport.getDefaultActor?.() === undefined) return;
    viewport.setProperties({ preset });
    viewport.render();
  }, [engine, preset]);

  // A projection or slab chosen (not the first drawing: the volume is shown with them when it is set).
  const chosen = useRef({ engine, projection, slab });
  useEffect(() => {
    const before = chosen.current;
    chosen.current = { engine, projection, slab };
    if (before.engine !== engine || (before.projection === projection && before.slab === slab)) return;
    for (const v of MPR_VIEWPORTS) {
      const viewport = engine.getViewport(v.id) as VolumeViewport | undefined;
      if (viewport === undefined) continue;
      showProjection(viewport, projection, slab);
      viewport.render();
    }
  }, [engine, projection, slab]);

  return (
    <div className="mpr">
      <div className="toolbar" role="toolbar" aria-label="MPR tools">
        {MPR_PRIMARY_TOOLS.map((t) => (
          <button
            key={t.name}
            aria-pressed={tool === t.name}
            onClick={() => {
              selectMprPrimaryTool(mprToolGroup(), t.name);
              setTool(t.name);
            }}
          >
            {t.label}
          </button>
        ))}
        <span className="separator" />
        {PROJECTIONS.map((p, index) => (
          <button
            key={p.label}
            aria-pressed={projection === index}
            onClick={() => change({ projection: index })}
          >
            {p.label}
          </button>
        ))}
        <label>
          Slab{' '}
          <select
            aria-label="Slab thickness"
            value={slab}
            onChange={(e) => change({ slab: Number(e.target.value) })}
          >
            {[2, 5, 10, 20, 40].map((mm) => (
              <option key={mm} value={mm}>
                {mm} mm
              </option>
            ))}
          </select>
        </label>
        <label>
          3D{' '}
          <select
            aria-label="Rendering preset"
            value={preset}
            onChange={(e) => change({ preset: e.target.value })}
          >
            {presets.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        {progress < 1 && <span className="progress">Loading volume {Math.round(progress * 100)}%</span>}
        {step > 1 && (
          <span className="notice" role="note">
            Reduced resolution: every {ordinal(step)} slice, to stay within the viewer's memory budget of{' '}
            {Math.round(viewerCapabilities.memoryBudget / 1024 ** 2)} MB
          </span>
        )}
        {error !== null && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
      <div className="viewport-grid mpr-grid">
        {[...MPR_VIEWPORTS, { id: VOLUME_3D_VIEWPORT, label: '3D' }].map((v, index) => (
          <div
            key={v.id}
            className="viewport-cell"
            data-viewport-id={v.id}
            onContextMenu={(e) => e.preventDefault()}
          >
            <div className="viewport-element" ref={(el) => void (elements.current[index] = el)} />
            <div className="viewport-overlay" aria-hidden="true">
              <div className="top-left">{v.label}</div>
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}

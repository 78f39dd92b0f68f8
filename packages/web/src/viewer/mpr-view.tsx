import {
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
import { framesWithinBudget } from './memory-budget';
import { volume3dToolGroup } from './volume-3d-tools';
import { MPR_PRIMARY_TOOLS, mprToolGroup, selectMprPrimaryTool } from './mpr-tools';
import { markOnce, ViewerMark } from './viewer-timing';
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
 * Multiplanar reformation of one series: the series is loaded once as a volume and shown as axial,
 * sagittal and coronal planes with crosshairs (drag to move, rotate the lines for oblique planes), and
 * slab projections (MIP, MinIP, average) of a chosen thickness.
 */
export function MprView({
  engine,
  seriesUid,
  frames: allFrames,
  modality,
  onLoaded,
}: {
  engine: RenderingEngine;
  seriesUid: string;
  frames: StackFrame[];
  modality: string;
  onLoaded?: () => void;
}) {
  // Within the memory budget: every slice, or every k-th (a coarser volume instead of a crashed tab).
  const { frames, step } = useMemo(
    () => framesWithinBudget(allFrames, viewerCapabilities.memoryBudget),
    [allFrames],
  );
  const presets = renderingPresets(modality);
  const [preset, setPreset] = useState(presets[0]!);
  const elements = useRef<(HTMLDivElement | null)[]>([]);
  const [progress, setProgress] = useState(0);
  const [tool, setTool] = useState<string>(MPR_PRIMARY_TOOLS[0].name);
  const [projection, setProjection] = useState(0);
  const [slab, setSlab] = useState(10);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let stopListening = () => undefined as void;
    const volumeId = `cornerstoneStreamingImageVolume:${seriesUid}:${step}`;
    const group = mprToolGroup();
    const group3d = volume3dToolGroup();
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
      // Called once every frame is in.
      volume.load?.(() => {
        stopListening();
        markOnce(ViewerMark.VolumeReady);
        setProgress(1);
        onLoaded?.();
      });
      await setVolumesForViewports(
        engine,
        [{ volumeId }],
        [...MPR_VIEWPORTS.map((v) => v.id), VOLUME_3D_VIEWPORT],
      );
      (engine.getViewport(VOLUME_3D_VIEWPORT) as VolumeViewport3D).setProperties({ preset: presets[0] });
      engine.renderViewports([...MPR_VIEWPORTS.map((v) => v.id), VOLUME_3D_VIEWPORT]);
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
  }, [engine, seriesUid, frames, step, onLoaded]);

  useEffect(() => {
    const viewport = engine.getViewport(VOLUME_3D_VIEWPORT) as VolumeViewport3D | undefined;
    if (viewport === undefined || viewport.getDefaultActor?.() === undefined) return;
    viewport.setProperties({ preset });
    viewport.render();
  }, [engine, preset]);

  useEffect(() => {
    const blend = PROJECTIONS[projection]!.blend;
    for (const v of MPR_VIEWPORTS) {
      const viewport = engine.getViewport(v.id) as VolumeViewport | undefined;
      if (viewport === undefined) continue;
      viewport.setBlendMode(blend);
      // A thin plane is one voxel thick; a slab is what the user chose, in mm.
      viewport.setSlabThickness(blend === Enums.BlendModes.COMPOSITE ? 0.1 : slab);
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
          <button key={p.label} aria-pressed={projection === index} onClick={() => setProjection(index)}>
            {p.label}
          </button>
        ))}
        <label>
          Slab{' '}
          <select aria-label="Slab thickness" value={slab} onChange={(e) => setSlab(Number(e.target.value))}>
            {[2, 5, 10, 20, 40].map((mm) => (
              <option key={mm} value={mm}>
                {mm} mm
              </option>
            ))}
          </select>
        </label>
        <label>
          3D{' '}
          <select aria-label="Rendering preset" value={preset} onChange={(e) => setPreset(e.target.value)}>
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
            Reduced resolution: every {step}th slice, to stay within the viewer's memory budget of{' '}
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

import { Enums, utilities, type RenderingEngine, type StackViewport, type Types } from '@cornerstonejs/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { JsonTag, numbersOf, textOf, type DicomJson } from '../dicomweb/dicom-json';
import type { DateFormat } from '../settings/user-settings';
import { spacingKindOfImage } from './image-calibration';
import { useImageFailure } from './image-failure';
import { keyImageKey } from './key-images';
import { seriesWithoutImagesNotice } from './no-images';
import { imageAxesOf, imageEdgeLabels, type EdgeLabels } from './orientation-label';
import { OverlayPlaneLayer } from './overlay-plane-layer';
import { spacingNote } from './pixel-spacing';
import type { PresentationState } from './presentation-state';
import { usePresentationStateDisplay } from './presentation-state-display';
import { PresentationStateLayer } from './presentation-state-layer';
import { showSavedDisplay, type SavedDisplay } from './saved-display';
import { seriesVideosOf } from './series-loader';
import type { StackFrame } from './series-stack';
import { stackToolGroup } from './viewer-tools';
import { VideoViewport } from './video-viewport';
import { markOnce, ViewerMark } from './viewer-timing';
import { PatientOverlay } from './patient-overlay';

/** What the overlay shows about the image on screen. */
interface OverlayState {
  index: number;
  count: number;
  windowCenter?: number;
  windowWidth?: number;
  zoom: number;
  position?: string;
  /** The patient directions on the edges: none for an image that does not say how it lies. */
  edges?: EdgeLabels;
  /** How lengths are measured on this image, when it is not plain mm in the patient. */
  spacing?: string;
}

/** One viewport of the grid showing a series as a stack, with its overlay. */
export function StackViewportCell({
  engine,
  viewportId,
  frames,
  study,
  series,
  active,
  onActivate,
  onDropSeries,
  keyImages,
  layout,
  resumeDisplay,
  dateFormat,
  overlayPlanes,
  presentationState,
}: {
  engine: RenderingEngine;
  viewportId: string;
  frames: StackFrame[] | undefined;
  study: DicomJson | undefined;
  series: DicomJson | undefined;
  active: boolean;
  onActivate: () => void;
  onDropSeries: (series: { studyUid: string; seriesUid: string }) => void;
  /** Keys of the study's key images (see `keyImageKey`). */
  keyImages: ReadonlySet<string>;
  /** The grid layout (e.g. `1x2`): when it changes, images are fitted to their new viewports. */
  layout: string;
  /** The display this viewport had before its rendering engine was replaced (graphics-recovery.ts). */
  resumeDisplay: (viewportId: string) => SavedDisplay | undefined;
  /** How the user reads dates (Settings). */
  dateFormat: DateFormat;
  /** Whether the images' overlay planes are drawn. */
  overlayPlanes: boolean;
  /** The presentation state chosen in the series panel: applied where it references this series. */
  presentationState: PresentationState | undefined;
}) {
  const element = useRef<HTMLDivElement>(null);
  const [overlay, setOverlay] = useState<OverlayState | null>(null);

  useEffect(() => {
    const div = element.current!;
    engine.enableElement({
      viewportId,
      type: Enums.ViewportType.STACK,
      element: div,
      defaultOptions: { background: [0, 0, 0] as Types.Point3 },
    });
    stackToolGroup().addViewport(viewportId, engine.id);
    // A layout change or a window resize changes the canvas size; keep the image where it was.
    const resized = new ResizeObserver(() => engine.resize(true, true));
    resized.observe(div);
    return () => {
      resized.disconnect();
      stackToolGroup().removeViewports(engine.id, viewportId);
      engine.disableElement(viewportId);
    };
  }, [engine, viewportId]);

  // A new layout changes every viewport's size: fit the images again (a window resize keeps zoom and pan).
  useEffect(() => {
    const frame = requestAnimationFrame(() => engine.resize(true, false));
    return () => cancelAnimationFrame(frame);
  }, [engine, layout]);

  // Before the stack is set: the first image's events must find the listeners in place.
  const imageIds = useMemo(() => (frames ?? []).map((f) => f.imageId), [frames]);
  const failure = useImageFailure(engine, viewportId, imageIds);

  useEffect(() => {
    const div = element.current!;
    const viewport = engine.getViewport(viewportId) as StackViewport | undefined;
    if (viewport === undefined || frames === undefined || frames.length === 0) {
      setOverlay(null);
      return;
    }
    const update = (event?: Event) => {
      if (event?.type === Enums.Events.IMAGE_RENDERED) markOnce(ViewerMark.FirstImage);
      const imageIds = viewport.getImageIds();
      const index = viewport.getCurrentImageIdIndex();
      const frame = frames[index];
      const { voiRange } = viewport.getProperties();
      const camera = viewport.getCamera();
      const wl =
        voiRange != null ? utilities.windowLevel.toWindowLevel(voiRange.lower, voiRange.upper) : undefined;
      const position =
        frame !== undefined ? numbersOf(frame.metadata, JsonTag.ImagePositionPatient) : undefined;
      const spacingKind = frame !== undefined ? spacingKindOfImage(frame.imageId) : undefined;
      const spacing = spacingKind !== undefined ? spacingNote(spacingKind) : undefined;
      const edges =
        camera.viewUp !== undefined && camera.viewPlaneNormal !== undefined && frame !== undefined
          ? imageEdgeLabels(camera.viewUp, camera.viewPlaneNormal, imageAxesOf(frame.metadata))
          : undefined;
      setOverlay({
        index,
        count: imageIds.length,
        ...(wl !== undefined ? { windowCenter: wl.windowCenter, windowWidth: wl.windowWidth } : {}),
        zoom: viewport.getZoom(),
        ...(position !== undefined ? { position: position.map((v) => v.toFixed(1)).join(', ') } : {}),
        ...(edges !== undefined ? { edges } : {}),
        ...(spacing !== undefined ? { spacing } : {}),
      });
    };
    const events = [
      Enums.Events.IMAGE_RENDERED,
      Enums.Events.VOI_MODIFIED,
      Enums.Events.CAMERA_MODIFIED,
      Enums.Events.STACK_NEW_IMAGE,
    ];
    for (const event of events) div.addEventListener(event, update);
    const saved = resumeDisplay(viewportId);
    viewport
      .setStack(
        frames.map((f) => f.imageId),
        Math.min(saved?.imageIndex ?? 0, frames.length - 1),
      )
      .then(() => {
        if (saved !== undefined) showSavedDisplay(viewport, saved);
        viewport.render();
        update();
      })
      .catch((e: unknown) => console.error('could not show the series', e));
    return () => {
      for (const event of events) div.removeEventListener(event, update);
    };
  }, [engine, viewportId, frames, resumeDisplay]);

  // Applied once the stack shows an image: a state chosen while the series loads waits for it.
  usePresentationStateDisplay(engine, viewportId, element, frames, presentationState, overlay !== null);

  // A video series has no frames for the stack: its videos are played over it instead.
  const videos = useMemo(() => (frames !== undefined ? seriesVideosOf(frames) : undefined), [frames]);
  // A series hung by its modality may still hold no images (an RT plan or waveform under a new modality).
  const notice =
    videos !== undefined
      ? null
      : frames !== undefined && frames.length === 0
        ? seriesWithoutImagesNotice(series)
        : failure;

  return (
    <div
      className={`viewport-cell${active ? ' active' : ''}`}
      onPointerDownCapture={onActivate}
      onContextMenu={(e) => e.preventDefault()}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        const [studyUid = '', seriesUid = ''] = e.dataTransfer
          .getData('application/x-lightbox-series')
          .split('|');
        if (seriesUid !== '') onDropSeries({ studyUid, seriesUid });
      }}
      data-viewport-id={viewportId}
    >
      <div className="viewport-element" ref={element} />
      {notice !== null && (
        <p className="viewport-notice" role="status">
          {notice}
        </p>
      )}
      {videos !== undefined && (
        <VideoViewport videos={videos} study={study} series={series} dateFormat={dateFormat} />
      )}
      <OverlayPlaneLayer
        engine={engine}
        viewportId={viewportId}
        viewportElement={element}
        frames={frames}
        shown={overlayPlanes}
      />
      <PresentationStateLayer
        engine={engine}
        viewportId={viewportId}
        viewportElement={element}
        frames={frames}
        state={presentationState}
      />
      {overlay !== null && (
        <div className="viewport-overlay" aria-hidden="true">
          <PatientOverlay study={study} dateFormat={dateFormat} />
          <div className="top-right">
            <div>{textOf(series ?? {}, JsonTag.SeriesDescription)}</div>
            <div className="slice-index">
              Im {overlay.index + 1}/{overlay.count}
            </div>
            {overlay.position !== undefined && <div>Pos {overlay.position}</div>}
            {frames?.[overlay.index] !== undefined && keyImages.has(keyImageKey(frames[overlay.index]!)) && (
              <div className="key-image-mark">★ Key image</div>
            )}
          </div>
          <div className="bottom-left">
            {overlay.windowWidth !== undefined && (
              <div className="window-level">
                W {Math.round(overlay.windowWidth)} L {Math.round(overlay.windowCenter ?? 0)}
              </div>
            )}
            <div>Zoom {(overlay.zoom * 100).toFixed(0)}%</div>
            {overlay.spacing !== undefined && <div className="spacing-note">{overlay.spacing}</div>}
          </div>
          {overlay.edges !== undefined && (
            <>
              <div className="edge top">{overlay.edges.top}</div>
              <div className="edge bottom">{overlay.edges.bottom}</div>
              <div className="edge left">{overlay.edges.left}</div>
              <div className="edge right">{overlay.edges.right}</div>
            </>
          )}
        </div>
      )}
    </div>
  );
}

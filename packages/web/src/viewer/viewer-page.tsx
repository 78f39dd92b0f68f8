import {
  eventTarget,
  utilities,
  type StackViewport,
  type Types,
  type VolumeViewport,
} from '@cornerstonejs/core';
import {
  annotation,
  Enums as ToolEnums,
  LengthTool,
  StackScrollTool,
  synchronizers,
  utilities as toolUtilities,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import { mat4 } from 'gl-matrix';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { studySeries } from '../dicomweb/archive-client';
import {
  displayPersonName,
  JsonTag,
  numberOf,
  numbersOf,
  textOf,
  textsOf,
  type DicomJson,
} from '../dicomweb/dicom-json';
import { startCornerstone, viewerCapabilities } from './cornerstone';
import { CalibrationDialog } from './calibration-dialog';
import { CalibrationLineTool } from './calibration-line-tool';
import { GRAPHICS_MESSAGES, useRenderingEngine } from './graphics-recovery';
import { calibrateSeries, lineLengthText } from './image-calibration';
import { imageToWorld } from './image-coordinates';
import { measurementText, type MeasurementStats } from './measurement-text';
import { loadSeriesFrames } from './series-loader';
import { isVolume, type StackFrame } from './series-stack';
import { keyImageKey, keyImagesOf, loadKeyImages, saveKeyImages } from './key-images';
import { loadMeasurementReport, measurementCount, saveMeasurementReport } from './measurement-report';
import { isImageModality, protocolOfLayout, seriesFacts, type HungViewport } from './hanging-protocol';
import { studyWithoutImagesNotice } from './no-images';
import { DEFAULT_MPR_SETTINGS, MprView, type MprSettings } from './mpr-view';
import { markOnce, ViewerMark } from './viewer-timing';
import { PresentationStateList, usePresentationStates } from './presentation-state-list';
import { PrintDialog } from './print-dialog';
import { TagBrowser } from './tag-browser';
import { captureViewport, downloadCanvas } from './viewport-capture';
import { openStudy, type LoadedStudy } from './open-study';
import { SeriesThumbnail } from './series-thumbnail';
import { StackViewportCell } from './stack-viewport-cell';
import {
  ANNOTATION_TOOLS,
  PRIMARY_TOOLS,
  selectPrimaryTool,
  showReferenceLinesOf,
  stackToolGroup,
  touchScreen,
} from './viewer-tools';
import { windowPresets } from './window-presets';
import { formatDicomDate } from '../settings/date-format';
import { offerProtocolFromViewer } from '../settings/hanging-protocol-drafts';
import type { DateFormat, UserSettings } from '../settings/user-settings';

/** The app starts the engine ahead when a study is about to be opened (viewer-loader.ts). */
export { startCornerstone };

/** How many images a series holds, as the series panel says it. */
function imageCount(count: number | undefined): string {
  if (count === undefined) return '? images';
  return count === 1 ? '1 image' : `${count} images`;
}

/** Grid layouts offered, rows × columns. */
const LAYOUTS = [
  [1, 1],
  [1, 2],
  [2, 1],
  [1, 3],
  [3, 1],
  [2, 2],
  [2, 3],
  [3, 2],
  [3, 3],
] as const;

interface Measurement {
  uid: string;
  text: string;
}

/**
 * The frame rate a multi-frame or cine series was recorded at: Recommended Display Frame Rate, Cine Rate,
 * or Frame Time (PS3.3 C.7.6.5, C.8.5.6).
 */
function recordedFrameRate(metadata: DicomJson | undefined): number | undefined {
  if (metadata === undefined) return undefined;
  const rate = numberOf(metadata, '00082144') ?? numberOf(metadata, '00180040');
  if (rate !== undefined && rate > 0) return rate;
  const frameTime = numberOf(metadata, '00181063');
  return frameTime !== undefined && frameTime > 0 ? 1000 / frameTime : undefined;
}

function viewportIdOf(cell: number): string {
  return `viewport-${cell}`;
}

/** The measurements drawn in the viewer, as text in their units. */
function currentMeasurements(): Measurement[] {
  return annotation.state
    .getAllAnnotations()
    .filter((a) => ANNOTATION_TOOLS.includes(a.metadata?.toolName ?? ''))
    .map((a) => {
      const stats = Object.values(
        (a.data as { cachedStats?: Record<string, MeasurementStats> }).cachedStats ?? {},
      )[0];
      return {
        uid: a.annotationUID ?? '',
        text: measurementText(a.metadata?.toolName ?? '', stats, (a.data as { text?: string }).text),
      };
    });
}

/** A user without presets of their own: one object, so the presets are not worked out again on each render. */
const NO_OWN_PRESETS: UserSettings['viewer']['windowPresets'] = {};
/** Nor protocols: one list, so that the study is not opened again on each render. */
const NO_OWN_PROTOCOLS: UserSettings['viewer']['hangingProtocols'] = [];

/**
 * The diagnostic viewer: the studies of the deep link (`/viewer?StudyInstanceUIDs=…`), a series panel
 * with thumbnails, a grid of stack viewports, tools, window presets and the measurement list.
 */
export function ViewerPage({
  studyUids,
  navigate,
  userName,
  ownPresets = NO_OWN_PRESETS,
  ownProtocols = NO_OWN_PROTOCOLS,
  dateFormat = 'iso',
}: {
  studyUids: string[];
  navigate: (to: string) => void;
  /** Who is reading: printed on paper. */
  userName: string;
  /** The user's own window presets per modality (Settings), offered after the built-in ones. */
  ownPresets?: UserSettings['viewer']['windowPresets'];
  /** The user's own hanging protocols (Settings), tried before the built-in ones. */
  ownProtocols?: UserSettings['viewer']['hangingProtocols'];
  /** How the user reads dates (Settings): in the study header, the overlays and on paper. */
  dateFormat?: DateFormat;
}) {
  const studyUid = studyUids[0] ?? '';
  const [error, setError] = useState<string | null>(null);
  const { engine, graphicsState, resumeDisplay, resumeVolumeDisplay } = useRenderingEngine(setError);
  const [study, setStudy] = useState<DicomJson | undefined>();
  const [series, setSeries] = useState<DicomJson[]>([]);
  const [layout, setLayout] = useState<readonly [number, number]>([1, 1]);
  const [prior, setPrior] = useState<LoadedStudy | undefined>();
  const [protocolName, setProtocolName] = useState('');
  const [cells, setCells] = useState<(HungViewport | undefined)[]>([]);
  const [linked, setLinked] = useState(true);
  const [frames, setFrames] = useState<Record<string, StackFrame[]>>({});
  const [active, setActive] = useState(0);
  const [tool, setTool] = useState<string>(() =>
    touchScreen() ? StackScrollTool.toolName : PRIMARY_TOOLS[0].name,
  );
  const [measurements, setMeasurements] = useState<Measurement[]>([]);
  const [mpr, setMpr] = useState(false);
  /** The MPR toolbar's choices while MPR is open (kept here: MPR is drawn again after lost graphics). */
  const [mprSettings, setMprSettings] = useState<MprSettings>(DEFAULT_MPR_SETTINGS);
  /** Keys of the current study's key images (`keyImageKey`): resolved to instances only when saved. */
  const [keyImages, setKeyImages] = useState<ReadonlySet<string>>(new Set());
  const [keyImagesChanged, setKeyImagesChanged] = useState(false);
  const [saveState, setSaveState] = useState<string>('');
  const [printing, setPrinting] = useState(false);
  const [tags, setTags] = useState(false);
  const [cine, setCine] = useState(false);
  /** Whether overlay planes (PS3.3 C.9) are drawn over the images: on, as workstations show them. */
  const [overlayPlanes, setOverlayPlanes] = useState(true);
  const [cineRate, setCineRate] = useState<number | undefined>();
  const presentationStates = usePresentationStates(studyUid, series);
  /** The presentation state applied (its SOP Instance UID): none until the user chooses one. */
  const [presentationStateUid, setPresentationStateUid] = useState<string | undefined>();
  const presentationState = presentationStates.find((s) => s.sopInstanceUid === presentationStateUid);
  /** The calibration line just drawn, waiting for its true length. */
  const [calibrationLine, setCalibrationLine] = useState<ToolTypes.Annotation | null>(null);
  const reportsDrawn = useRef(new Set<string>());

  useEffect(() => {
    markOnce(ViewerMark.Open);
  }, []);

  useEffect(() => {
    let stale = false;
    openStudy(studyUid, ownProtocols)
      .then((opened) => {
        if (stale) return;
        if (opened === undefined) {
          setError('This study is not in the archive, or you may not see it.');
          return;
        }
        setStudy(opened.current.study);
        setSeries(opened.current.series);
        setPrior(opened.prior);
        // The user's own and the department's are told apart, as their window presets are: they may
        // wonder why a study hung so.
        const { name, own, department } = opened.protocol;
        setProtocolName(
          own === true ? `${name} (yours)` : department === true ? `${name} (department)` : name,
        );
        setLayout(opened.protocol.layout);
        setCells(opened.viewports);
        void loadKeyImages(studyUid, opened.current.series).then((keys) => {
          if (!stale) setKeyImages(keys);
        });
      })
      .catch((e: unknown) => !stale && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      stale = true;
    };
  }, [studyUid, ownProtocols]);

  const seriesOfStudy = useCallback(
    (uid: string) =>
      uid === studyUid
        ? series
        : prior !== undefined && textOf(prior.study, JsonTag.StudyInstanceUID) === uid
          ? prior.series
          : [],
    [studyUid, series, prior],
  );

  // Load the metadata of every series shown (one request each), once, and draw its saved measurements.
  useEffect(() => {
    for (const cell of cells) {
      if (cell === undefined || frames[cell.seriesUid] !== undefined) continue;
      const uid = cell.seriesUid;
      loadSeriesFrames(cell.studyUid, uid)
        .then(async (stack) => {
          if (!reportsDrawn.current.has(uid)) {
            reportsDrawn.current.add(uid);
            await loadMeasurementReport(cell.studyUid, seriesOfStudy(cell.studyUid), stack).catch(
              (e: unknown) => console.error('could not draw the saved measurements', e),
            );
          }
          setFrames((all) => ({ ...all, [uid]: stack }));
          setMeasurements(currentMeasurements());
        })
        .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    }
  }, [cells, frames, seriesOfStudy]);

  // Reference lines follow the active viewport.
  useEffect(() => {
    if (engine === null || mpr) return;
    showReferenceLinesOf(stackToolGroup(), viewportIdOf(active));
    engine.render();
  }, [engine, active, mpr, frames]);

  // Scrolling one stack scrolls the others to the same position in the patient (current and prior alike).
  useEffect(() => {
    if (engine === null || !linked || mpr) return;
    const synchronizer = synchronizers.createImageSliceSynchronizer(`lightbox-slice-sync-${Date.now()}`);
    const shown = cells.flatMap((cell, index) => {
      const first = cell !== undefined ? frames[cell.seriesUid]?.[0] : undefined;
      return first !== undefined ? [{ viewportId: viewportIdOf(index), first }] : [];
    });
    // Stacks in different frames of reference (a prior) are registered by a translation that puts the
    // images they open on together (Cornerstone's own registration of them does not find its images).
    for (const a of shown) {
      for (const b of shown) {
        if (a === b) continue;
        const sameFrame =
          textOf(a.first.metadata, JsonTag.FrameOfReferenceUID) ===
          textOf(b.first.metadata, JsonTag.FrameOfReferenceUID);
        const pa = numbersOf(a.first.metadata, JsonTag.ImagePositionPatient) ?? [0, 0, 0];
        const pb = numbersOf(b.first.metadata, JsonTag.ImagePositionPatient) ?? [0, 0, 0];
        const translation = sameFrame ? [0, 0, 0] : [0, 1, 2].map((k) => (pa[k] ?? 0) - (pb[k] ?? 0));
        utilities.spatialRegistrationMetadataProvider.add(
          [a.viewportId, b.viewportId],
          mat4.fromTranslation(mat4.create(), translation as [number, number, number]),
        );
      }
    }
    for (const { viewportId } of shown) synchronizer.add({ renderingEngineId: engine.id, viewportId });
    return () => synchronizer.destroy();
  }, [engine, cells, frames, linked, mpr]);

  useEffect(() => {
    const update = () => setMeasurements(currentMeasurements());
    const events = [
      ToolEnums.Events.ANNOTATION_COMPLETED,
      ToolEnums.Events.ANNOTATION_MODIFIED,
      ToolEnums.Events.ANNOTATION_REMOVED,
    ];
    for (const event of events) eventTarget.addEventListener(event, update);
    // A freehand region's statistics are computed when it is next drawn, with no event of their own:
    // follow the drawings too (on their viewport elements, caught on the way down), when the text changes.
    const drawn = () =>
      setMeasurements((shown) => {
        const now = currentMeasurements();
        const same =
          now.length === shown.length &&
          now.every((m, i) => m.text === shown[i]?.text && m.uid === shown[i]?.uid);
        return same ? shown : now;
      });
    document.addEventListener(ToolEnums.Events.ANNOTATION_RENDERED, drawn, true);
    return () => {
      for (const event of events) eventTarget.removeEventListener(event, update);
      document.removeEventListener(ToolEnums.Events.ANNOTATION_RENDERED, drawn, true);
    };
  }, []);

  // A calibration line asks for its true length as soon as it is drawn.
  useEffect(() => {
    const completed = (event: Event) => {
      const line = (event as CustomEvent<{ annotation?: ToolTypes.Annotation }>).detail.annotation;
      if (line?.metadata?.toolName === CalibrationLineTool.toolName) setCalibrationLine(line);
    };
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, completed);
    return () => eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, completed);
  }, []);

  const activeViewport = useCallback(
    () => engine?.getViewport(viewportIdOf(active)) as StackViewport | undefined,
    [engine, active],
  );
  const allSeries = useMemo(() => [...series, ...(prior?.series ?? [])], [series, prior]);
  const activeSeries = allSeries.find(
    (s) => textOf(s, JsonTag.SeriesInstanceUID) === cells[active]?.seriesUid,
  );
  const modality = textOf(activeSeries ?? {}, JsonTag.Modality);
  const presets = useMemo(() => windowPresets(modality, ownPresets[modality]), [modality, ownPresets]);

  const chooseTool = useCallback((name: string) => {
    selectPrimaryTool(stackToolGroup(), name);
    setTool(name);
  }, []);

  /** Drops the calibration line; with a true length, calibrates its series first and goes on measuring. */
  const finishCalibration = useCallback(
    (trueLengthMm?: number) => {
      const line = calibrationLine;
      if (line === null) return;
      setCalibrationLine(null);
      if (line.annotationUID !== undefined) annotation.state.removeAnnotation(line.annotationUID);
      const imageId = line.metadata?.referencedImageId;
      const series = Object.values(frames).find((stack) => stack.some((f) => f.imageId === imageId));
      if (engine === null) return;
      if (trueLengthMm !== undefined && series !== undefined) {
        calibrateSeries(engine, line, trueLengthMm, series);
        chooseTool(LengthTool.toolName);
      }
      engine.render();
    },
    [calibrationLine, frames, engine, chooseTool],
  );

  const applyPreset = useCallback(
    (center: number, width: number) => {
      const viewport = activeViewport();
      if (viewport === undefined) return;
      viewport.setProperties({ voiRange: utilities.windowLevel.toLowHighRange(width, center) });
      viewport.render();
    },
    [activeViewport],
  );

  const act = useCallback(
    (action: 'invert' | 'reset' | 'rotate' | 'flipH' | 'flipV' | 'next' | 'previous') => {
      const viewport = activeViewport();
      if (viewport === undefined) return;
      if (action === 'invert') viewport.setProperties({ invert: !viewport.getProperties().invert });
      else if (action === 'reset') {
        viewport.resetProperties();
        viewport.resetCamera();
      } else if (action === 'rotate')
        viewport.setViewPresentation({
          rotation: ((viewport.getViewPresentation().rotation ?? 0) + 90) % 360,
        });
      else if (action === 'flipH')
        viewport.setCamera({ flipHorizontal: !viewport.getCamera().flipHorizontal });
      else if (action === 'flipV') viewport.setCamera({ flipVertical: !viewport.getCamera().flipVertical });
      else utilities.scroll(viewport, { delta: action === 'next' ? 1 : -1 });
      viewport.render();
    },
    [activeViewport],
  );

  const toggleKeyImage = useCallback(() => {
    const viewport = activeViewport();
    // Key images are the current study's (a prior's key images belong to its own reading).
    const cell = cells[active];
    const uid = cell?.studyUid === studyUid ? cell.seriesUid : undefined;
    const stack = uid !== undefined ? frames[uid] : undefined;
    if (viewport === undefined || uid === undefined || stack === undefined) return;
    const frame = stack[viewport.getCurrentImageIdIndex()];
    if (frame === undefined) return;
    const key = keyImageKey(frame);
    setKeyImages((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
    setKeyImagesChanged(true);
  }, [activeViewport, active, cells, frames, studyUid]);

  const save = useCallback(async () => {
    if (study === undefined) return;
    setSaveState('Saving…');
    try {
      const saved: string[] = [];
      // Measurements go into the study of the images they are drawn on.
      let measured = 0;
      for (const loaded of [{ study, series }, ...(prior !== undefined ? [prior] : [])]) {
        const uid = textOf(loaded.study, JsonTag.StudyInstanceUID);
        if (measurementCount(uid) > 0) measured += await saveMeasurementReport(loaded.study, uid);
      }
      if (measured > 0) saved.push(`${measured} measurements`);
      if (keyImagesChanged) {
        const shown = Object.fromEntries(
          series.flatMap((s) => {
            const uid = textOf(s, JsonTag.SeriesInstanceUID);
            return frames[uid] !== undefined ? [[uid, frames[uid]]] : [];
          }),
        );
        const images = keyImagesOf(keyImages, shown);
        await saveKeyImages(study, images);
        setKeyImagesChanged(false);
        saved.push(`${images.length} key images`);
      }
      setSaveState(saved.length > 0 ? `Saved ${saved.join(' and ')}` : 'Nothing to save');
      setSeries(await studySeries(studyUid));
    } catch (e) {
      setSaveState(`Not saved: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, [study, series, prior, studyUid, keyImages, keyImagesChanged, frames]);

  // Cine: the active viewport plays its stack (or multi-frame) at the recorded rate unless the user chose one.
  useEffect(() => {
    const viewport = activeViewport();
    if (!cine || viewport === undefined) return;
    const stack = cells[active] !== undefined ? frames[cells[active]!.seriesUid] : undefined;
    const rate = cineRate ?? recordedFrameRate(stack?.[0]?.metadata) ?? 20;
    toolUtilities.cine.playClip(viewport.element, { framesPerSecond: rate, loop: true });
    return () => toolUtilities.cine.stopClip(viewport.element);
  }, [cine, cineRate, activeViewport, cells, active, frames]);

  const exportImage = useCallback(
    async (type: 'image/png' | 'image/jpeg') => {
      const viewport = activeViewport();
      if (viewport === undefined || study === undefined) return;
      const name = `${textOf(study, JsonTag.PatientID) || 'image'}-${viewport.getCurrentImageIdIndex() + 1}.${type === 'image/png' ? 'png' : 'jpg'}`;
      downloadCanvas(await captureViewport(viewport), name, type);
    },
    [activeViewport, study],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.ctrlKey || event.metaKey || event.altKey) return;
      const keys: Record<string, () => void> = {
        ArrowDown: () => act('next'),
        ArrowRight: () => act('next'),
        PageDown: () => act('next'),
        ArrowUp: () => act('previous'),
        ArrowLeft: () => act('previous'),
        PageUp: () => act('previous'),
        i: () => act('invert'),
        Escape: () => act('reset'),
        h: () => act('flipH'),
        v: () => act('flipV'),
        k: () => toggleKeyImage(),
        ' ': () => setCine((playing) => !playing),
        o: () => setOverlayPlanes((shown) => !shown),
      };
      for (const t of PRIMARY_TOOLS) if (t.key !== '') keys[t.key] = () => chooseTool(t.name);
      for (const p of presets) if (p.key !== '') keys[p.key] = () => applyPreset(p.center, p.width);
      const handler = keys[event.key];
      if (handler !== undefined) {
        event.preventDefault();
        handler();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [act, chooseTool, presets, applyPreset, toggleKeyImage]);

  // Without WebGL (lost for good) there is no MPR: back to the stacks.
  useEffect(() => {
    if (graphicsState === 'software') setMpr(false);
  }, [graphicsState]);

  // Automation surface for acceptance tests and integrations: where an image pixel is on the page.
  useEffect(() => {
    if (engine === null) return;
    (window as unknown as { lightboxViewer?: unknown }).lightboxViewer = {
      worldToClient(viewportId: string, world: Types.Point3): [number, number] {
        const viewport = engine.getViewport(viewportId)!;
        const canvas = viewport.worldToCanvas(world);
        const rect = viewport.element.getBoundingClientRect();
        return [rect.left + canvas[0], rect.top + canvas[1]];
      },
      imageToWorld(cell: number, column: number, row: number): Types.Point3 {
        const viewport = engine.getViewport(viewportIdOf(cell)) as StackViewport;
        return imageToWorld(viewport.getCurrentImageId(), [column, row]);
      },
      imageToClient(cell: number, column: number, row: number): [number, number] {
        const viewport = engine.getViewport(viewportIdOf(cell)) as StackViewport;
        const world = imageToWorld(viewport.getCurrentImageId(), [column, row]);
        const canvas = viewport.worldToCanvas(world);
        const rect = viewport.element.getBoundingClientRect();
        return [rect.left + canvas[0], rect.top + canvas[1]];
      },
      currentImageIndex: (cell: number) =>
        (engine.getViewport(viewportIdOf(cell)) as StackViewport).getCurrentImageIdIndex(),
      // The plane an MPR viewport shows (its camera's focal point and normal), its window and slab.
      volumeView(viewportId: string) {
        const viewport = engine.getViewport(viewportId) as VolumeViewport | undefined;
        if (viewport?.getDefaultActor?.() === undefined) return null;
        const { focalPoint, viewPlaneNormal } = viewport.getCamera();
        return {
          focalPoint,
          viewPlaneNormal,
          voiRange: viewport.getProperties()?.voiRange,
          slabThickness: viewport.getSlabThickness(),
        };
      },
      // The off-screen canvas WebGL draws a viewport (a cell, or a viewport by ID: `mpr-axial`) on before it
      // is copied to the page (null when drawing on the CPU): tests take its context away to check the
      // viewer recovers.
      renderingCanvas(cell: number | string): HTMLCanvasElement | null {
        if (!viewerCapabilities.webgl2) return null;
        const viewportId = typeof cell === 'number' ? viewportIdOf(cell) : cell;
        return engine.getOffscreenMultiRenderWindow(viewportId).getOpenGLRenderWindow().getCanvas();
      },
    };
  }, [engine]);

  const cellCount = layout[0] * layout[1];
  const activeFrames = cells[active] !== undefined ? frames[cells[active]!.seriesUid] : undefined;
  /** The active viewport shows no image to save (a video's player, a document series): nothing to export. */
  const noImageShown = activeFrames === undefined || activeFrames.length === 0;
  const volumeReady = activeFrames !== undefined && isVolume(activeFrames);
  /** Takes the layout shown, series by series, to Settings as the start of a protocol of the user's own. */
  const newProtocolFromLayout = () => {
    if (study === undefined) return;
    const shown = Array.from({ length: cellCount }, (_, cell) => {
      const hung = cells[cell];
      const json = allSeries.find((s) => textOf(s, JsonTag.SeriesInstanceUID) === hung?.seriesUid);
      if (hung === undefined || json === undefined) return undefined;
      const instance = frames[hung.seriesUid]?.[0]?.metadata;
      return { series: seriesFacts(hung.studyUid, json, instance), prior: hung.studyUid !== studyUid };
    });
    const modalities = textsOf(study, JsonTag.ModalitiesInStudy);
    const name = textOf(study, JsonTag.StudyDescription).trim() || `${modalities.join(' ')} layout`;
    offerProtocolFromViewer(protocolOfLayout(name, layout, modalities, shown));
    navigate('/settings');
  };
  const showSeries = (cell: number, uid: HungViewport) =>
    setCells((current) => {
      const next = [...current];
      next[cell] = uid;
      return next;
    });

  return (
    <main className="viewer">
      <aside className="series-panel" aria-label="Series">
        <button className="back" onClick={() => navigate('/')}>
          ← Studies
        </button>
        {study !== undefined && (
          <div className="study-header">
            <strong>{displayPersonName(textOf(study, JsonTag.PatientName))}</strong>
            <div>{textOf(study, JsonTag.PatientID)}</div>
            <div>
              {formatDicomDate(textOf(study, JsonTag.StudyDate), dateFormat)} ·{' '}
              {textOf(study, JsonTag.StudyDescription)}
            </div>
          </div>
        )}
        <SeriesList
          studyUid={studyUid}
          series={series}
          shown={cells[active]}
          onShow={(v) => showSeries(active, v)}
        />
        <PresentationStateList
          states={presentationStates}
          chosen={presentationStateUid}
          onChoose={setPresentationStateUid}
          dateFormat={dateFormat}
        />
        {prior !== undefined && (
          <>
            <div className="study-header prior-header">
              <strong>Prior</strong> {formatDicomDate(textOf(prior.study, JsonTag.StudyDate), dateFormat)} ·{' '}
              {textOf(prior.study, JsonTag.StudyDescription)}
            </div>
            <SeriesList
              studyUid={textOf(prior.study, JsonTag.StudyInstanceUID)}
              series={prior.series}
              shown={cells[active]}
              onShow={(v) => showSeries(active, v)}
            />
          </>
        )}
      </aside>
      <section className="viewer-main">
        <div className="toolbar" role="toolbar" aria-label="Tools">
          {!mpr &&
            PRIMARY_TOOLS.map((t) => (
              <button
                key={t.name}
                aria-pressed={tool === t.name}
                title={t.key !== '' ? `${t.label} (${t.key})` : t.label}
                onClick={() => chooseTool(t.name)}
              >
                {t.label}
              </button>
            ))}
          <span className="separator" />
          {!mpr &&
            presets.map((p) => (
              <button
                // A user's preset may share a built-in one's name.
                key={`${p.own === true ? 'own' : 'built-in'}:${p.name}`}
                className={p.own === true ? 'own-preset' : undefined}
                title={`${p.name}${p.own === true ? ' (yours)' : ''}: W ${p.width} L ${p.center}${p.key !== '' ? ` (${p.key})` : ''}`}
                onClick={() => applyPreset(p.center, p.width)}
              >
                {p.name}
              </button>
            ))}
          <span className="separator" />
          <button onClick={() => act('invert')} title="Invert (i)">
            Invert
          </button>
          <button
            onClick={() => setOverlayPlanes((shown) => !shown)}
            aria-pressed={overlayPlanes}
            title="Show the overlay planes the images carry (o)"
          >
            Overlays
          </button>
          <button onClick={() => act('rotate')}>Rotate 90°</button>
          <button onClick={() => act('flipH')} title="Flip horizontally (h)">
            Flip H
          </button>
          <button onClick={() => act('flipV')} title="Flip vertically (v)">
            Flip V
          </button>
          <button onClick={() => act('reset')} title="Reset (Esc)">
            Reset
          </button>
          <span className="separator" />
          <label>
            Layout{' '}
            <select
              aria-label="Layout"
              value={`${layout[0]}x${layout[1]}`}
              onChange={(e) => {
                const chosen = LAYOUTS.find(([r, c]) => `${r}x${c}` === e.target.value);
                if (chosen !== undefined) setLayout(chosen);
              }}
            >
              {LAYOUTS.map(([r, c]) => (
                <option key={`${r}x${c}`} value={`${r}x${c}`}>
                  {r}×{c}
                </option>
              ))}
            </select>
          </label>
          <button
            aria-pressed={mpr}
            disabled={!mpr && (!volumeReady || !viewerCapabilities.webgl2)}
            title={
              volumeReady
                ? 'Axial, sagittal and coronal planes of this series'
                : 'Needs a series of parallel slices'
            }
            onClick={() => {
              // MPR opens as it always does, whatever it showed when last closed.
              if (!mpr) setMprSettings(DEFAULT_MPR_SETTINGS);
              setMpr(!mpr);
            }}
          >
            MPR
          </button>
          <button
            aria-pressed={linked}
            onClick={() => setLinked(!linked)}
            title="Scroll every stack to the same position"
          >
            Link
          </button>
          {protocolName !== '' && (
            <span className="protocol-name" title="Hanging protocol">
              {protocolName}
            </span>
          )}
          <button
            onClick={newProtocolFromLayout}
            disabled={mpr || study === undefined}
            title="Start a hanging protocol of your own from this layout and its series, in Settings"
          >
            New protocol…
          </button>
          <span className="separator" />
          <button
            onClick={toggleKeyImage}
            disabled={mpr}
            title="Mark or unmark the image shown as a key image (k)"
          >
            Key image
          </button>
          <button
            onClick={() => void save()}
            title="Save measurements (DICOM SR) and key images (DICOM KOS) to the archive"
          >
            Save
          </button>
          <button
            aria-pressed={cine}
            onClick={() => setCine(!cine)}
            disabled={mpr}
            title="Play the stack (space)"
          >
            Cine
          </button>
          <select
            aria-label="Frame rate"
            value={cineRate ?? ''}
            onChange={(e) => setCineRate(e.target.value === '' ? undefined : Number(e.target.value))}
          >
            <option value="">recorded fps</option>
            {[5, 10, 15, 20, 25, 30, 60].map((rate) => (
              <option key={rate} value={rate}>
                {rate} fps
              </option>
            ))}
          </select>
          <button
            onClick={() => setTags(true)}
            disabled={mpr || activeFrames === undefined}
            title="DICOM tags of the image shown"
          >
            Tags
          </button>
          <button
            onClick={() => setPrinting(true)}
            disabled={mpr}
            title="Lightbox's print layout as a PDF file"
          >
            Print…
          </button>
          <button
            onClick={() => void exportImage('image/png')}
            disabled={mpr || noImageShown}
            title="Save the active viewport as PNG"
          >
            PNG
          </button>
          <button
            onClick={() => void exportImage('image/jpeg')}
            disabled={mpr || noImageShown}
            title="Save the active viewport as JPEG"
          >
            JPEG
          </button>
          {saveState !== '' && (
            <span className="save-state" role="status">
              {saveState}
            </span>
          )}
        </div>
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {protocolName !== '' && cells.every((cell) => cell === undefined) && (
          <p className="no-images" role="status">
            {studyWithoutImagesNotice(series)}
          </p>
        )}
        {/* Always in the page, so that screen readers announce what appears in it. */}
        <p className={`graphics-status ${graphicsState}`} aria-live="polite" aria-atomic="true">
          {GRAPHICS_MESSAGES[graphicsState]}
        </p>
        {mpr &&
        engine !== null &&
        viewerCapabilities.webgl2 &&
        activeFrames !== undefined &&
        cells[active] !== undefined ? (
          <MprView
            engine={engine}
            seriesUid={cells[active]!.seriesUid}
            frames={activeFrames}
            modality={modality}
            settings={mprSettings}
            onSettingsChange={setMprSettings}
            resumeVolumeDisplay={resumeVolumeDisplay}
          />
        ) : (
          <div
            className="viewport-grid"
            style={{ gridTemplate: `repeat(${layout[0]}, 1fr) / repeat(${layout[1]}, 1fr)` }}
          >
            {engine !== null &&
              protocolName !== '' &&
              Array.from({ length: cellCount }, (_, cell) => {
                const hung = cells[cell];
                const uid = hung?.seriesUid;
                return (
                  <StackViewportCell
                    key={viewportIdOf(cell)}
                    engine={engine}
                    viewportId={viewportIdOf(cell)}
                    frames={uid !== undefined ? frames[uid] : undefined}
                    study={hung?.studyUid === studyUid ? study : prior?.study}
                    series={allSeries.find((s) => textOf(s, JsonTag.SeriesInstanceUID) === uid)}
                    active={cell === active}
                    onActivate={() => setActive(cell)}
                    onDropSeries={(dropped) => showSeries(cell, dropped)}
                    keyImages={keyImages}
                    layout={`${layout[0]}x${layout[1]}`}
                    resumeDisplay={resumeDisplay}
                    dateFormat={dateFormat}
                    overlayPlanes={overlayPlanes}
                    presentationState={presentationState}
                  />
                );
              })}
          </div>
        )}
      </section>
      {tags && activeFrames !== undefined && (
        <TagBrowser
          metadata={activeFrames[activeViewport()?.getCurrentImageIdIndex() ?? 0]?.metadata ?? {}}
          title={`${textOf(activeSeries ?? {}, JsonTag.SeriesDescription)} image ${(activeViewport()?.getCurrentImageIdIndex() ?? 0) + 1}`}
          onClose={() => setTags(false)}
        />
      )}
      {calibrationLine !== null && (
        <CalibrationDialog
          measured={lineLengthText(calibrationLine)}
          onCalibrate={(mm) => finishCalibration(mm)}
          onCancel={() => finishCalibration()}
        />
      )}
      {printing && study !== undefined && engine !== null && (
        <PrintDialog
          study={study}
          viewports={() =>
            cells.flatMap((cell, index) => {
              const viewport = engine.getViewport(viewportIdOf(index)) as StackViewport | undefined;
              const stack = cell !== undefined ? frames[cell.seriesUid] : undefined;
              return viewport !== undefined && stack !== undefined
                ? [
                    {
                      viewport,
                      frames: stack,
                      series: allSeries.find((s) => textOf(s, JsonTag.SeriesInstanceUID) === cell?.seriesUid),
                    },
                  ]
                : [];
            })
          }
          keyImages={keyImages}
          printedBy={userName}
          dateFormat={dateFormat}
          onClose={() => setPrinting(false)}
        />
      )}
      <aside className="measurements" aria-label="Measurements">
        <h2>Measurements</h2>
        <ol>
          {measurements.map((m) => (
            <li key={m.uid}>{m.text}</li>
          ))}
        </ol>
      </aside>
    </main>
  );
}

/** The series of one study in the series panel; image series open on click or drag into a viewport. */
function SeriesList({
  studyUid,
  series,
  shown,
  onShow,
}: {
  studyUid: string;
  series: DicomJson[];
  shown: HungViewport | undefined;
  onShow: (viewport: HungViewport) => void;
}) {
  return (
    <ul>
      {series.map((s) => {
        const uid = textOf(s, JsonTag.SeriesInstanceUID);
        const image = isImageModality(textOf(s, JsonTag.Modality));
        return (
          <li
            key={uid}
            draggable={image}
            data-series-uid={uid}
            className={`${shown?.seriesUid === uid ? 'shown' : ''}${image ? '' : ' document'}`}
            onDragStart={(e) => e.dataTransfer.setData('application/x-lightbox-series', `${studyUid}|${uid}`)}
            onClick={() => image && onShow({ studyUid, seriesUid: uid })}
          >
            {image ? (
              <SeriesThumbnail studyUid={studyUid} seriesUid={uid} modality={textOf(s, JsonTag.Modality)} />
            ) : (
              <span className="document-icon">{textOf(s, JsonTag.Modality)}</span>
            )}
            <span>
              {textOf(s, JsonTag.Modality)} {numberOf(s, JsonTag.SeriesNumber) ?? ''}{' '}
              {textOf(s, JsonTag.SeriesDescription)}
              <small> {imageCount(numberOf(s, JsonTag.NumberOfSeriesRelatedInstances))}</small>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

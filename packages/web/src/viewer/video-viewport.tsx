import { useCallback, useEffect, useRef, useState } from 'react';
import { JsonTag, textOf, type DicomJson } from '../dicomweb/dicom-json';
import type { DateFormat } from '../settings/user-settings';
import { storedSyntaxOf } from './series-stack';
import { retrieveVideo, saveFile, videoFileName, type RetrievedVideo } from './video-retrieval';
import {
  formatBytes,
  MAX_VIDEO_BYTES,
  unplayableCodec,
  unplayableContainer,
  videoCodecOf,
  videoFileExtension,
  VideoTooLarge,
  type VideoCodec,
} from './video-stream';
import { PatientOverlay } from './patient-overlay';

/** The most a download (not played here) may hold: one fragment, so one stream, is under 4 GiB. */
const MAX_DOWNLOAD_BYTES = 4 * 1024 ** 3;

/** Progress is shown in steps of this many bytes, not re-rendered for every chunk. */
const PROGRESS_STEP = 1024 * 1024;

type VideoState =
  | { kind: 'loading'; received: number }
  | { kind: 'playing'; video: RetrievedVideo; url: string }
  | { kind: 'unplayable'; message: string; video?: RetrievedVideo }
  | { kind: 'failed'; message: string };

/** Calls `report` with a byte count only when it has grown by a step since the last call. */
function steppedProgress(report: (received: number) => void): (received: number) => void {
  let shown = -PROGRESS_STEP;
  return (received) => {
    if (received - shown < PROGRESS_STEP) return;
    shown = received;
    report(received);
  };
}

const canPlayType = (type: string) => document.createElement('video').canPlayType(type);

/**
 * A viewport showing a series of videos (endoscopy, microscopy, ultrasound clips) in the browser's
 * player, one instance at a time: the stream is downloaded whole, then played from memory.
 */
export function VideoViewport({
  videos,
  study,
  series,
  dateFormat,
}: {
  /** The series' video instances (metadata), in the order they are played. */
  videos: readonly DicomJson[];
  study: DicomJson | undefined;
  series: DicomJson | undefined;
  dateFormat: DateFormat;
}) {
  const [index, setIndex] = useState(0);
  const [state, setState] = useState<VideoState>({ kind: 'loading', received: 0 });
  const [saving, setSaving] = useState<number | null>(null);
  /** A download made only to be saved: stopped when the viewport moves on or goes. */
  const saveDownload = useRef<AbortController | null>(null);
  const shown = Math.min(index, videos.length - 1);
  const instance = videos[shown];
  const codec: VideoCodec | undefined =
    instance !== undefined ? videoCodecOf(storedSyntaxOf(instance)) : undefined;

  useEffect(() => setIndex(0), [videos]);
  useEffect(() => () => saveDownload.current?.abort(), [instance]);

  useEffect(() => {
    if (instance === undefined || codec === undefined) {
      setState({ kind: 'failed', message: 'This series holds no video the viewer knows.' });
      return;
    }
    const before = unplayableCodec(codec, canPlayType);
    if (before !== undefined) {
      setState({ kind: 'unplayable', message: before });
      return;
    }
    const abort = new AbortController();
    let url: string | undefined;
    setState({ kind: 'loading', received: 0 });
    retrieveVideo(
      instance,
      codec,
      MAX_VIDEO_BYTES,
      steppedProgress((received) => setState({ kind: 'loading', received })),
      abort.signal,
    )
      .then((video) => {
        // The viewport moved on while the last bytes were read: this video is not shown, nor kept.
        if (abort.signal.aborted) return;
        const why = unplayableContainer(video.container);
        if (why !== undefined) {
          setState({ kind: 'unplayable', message: why, video });
          return;
        }
        url = URL.createObjectURL(video.blob);
        setState({ kind: 'playing', video, url });
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        setState(
          error instanceof VideoTooLarge ? { kind: 'unplayable', message } : { kind: 'failed', message },
        );
      });
    // Another video, or none: stop its download and let its bytes go.
    return () => {
      abort.abort();
      if (url !== undefined) URL.revokeObjectURL(url);
    };
  }, [instance, codec]);

  const retrieved = state.kind === 'playing' || state.kind === 'unplayable' ? state.video : undefined;
  const download = useCallback(async () => {
    if (instance === undefined || codec === undefined) return;
    if (retrieved !== undefined) {
      saveFile(retrieved.blob, videoFileName(instance, videoFileExtension(codec, retrieved.container)));
      return;
    }
    // Not retrieved to play (MPEG-2, too large, …): retrieved now, only to be saved.
    setSaving(0);
    const abort = new AbortController();
    saveDownload.current = abort;
    try {
      const video = await retrieveVideo(
        instance,
        codec,
        MAX_DOWNLOAD_BYTES,
        steppedProgress(setSaving),
        abort.signal,
      );
      if (abort.signal.aborted) return;
      saveFile(video.blob, videoFileName(instance, videoFileExtension(codec, video.container)));
    } catch (error) {
      if (abort.signal.aborted) return;
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    } finally {
      setSaving(null);
    }
  }, [instance, codec, retrieved]);

  const downloadButton = (
    <button
      type="button"
      className="video-download"
      disabled={saving !== null}
      onClick={() => void download()}
    >
      {saving !== null ? `Downloading… ${formatBytes(saving)}` : 'Download'}
    </button>
  );

  return (
    <div className="video-viewport">
      <div className="video-stage">
        {state.kind === 'playing' && (
          <video
            controls
            src={state.url}
            aria-label="Video"
            data-stream-bytes={state.video.blob.size}
            onError={() =>
              setState({
                kind: 'unplayable',
                message: 'The browser could not decode this video; download it.',
                video: state.video,
              })
            }
          />
        )}
        {state.kind === 'loading' && (
          <p className="viewport-notice video-progress" role="status">
            Loading video… {formatBytes(state.received)}
          </p>
        )}
        {(state.kind === 'unplayable' || state.kind === 'failed') && (
          <div className="viewport-notice video-notice" role="status">
            <p>{state.message}</p>
            {state.kind === 'unplayable' && downloadButton}
          </div>
        )}
        <div className="viewport-overlay" aria-hidden="true">
          <PatientOverlay study={study} dateFormat={dateFormat} />
          <div className="top-right">
            <div>{textOf(series ?? {}, JsonTag.SeriesDescription)}</div>
            <div className="video-index">
              Video {shown + 1}/{videos.length}
            </div>
          </div>
        </div>
      </div>
      <div className="video-bar">
        {videos.length > 1 && (
          <button type="button" disabled={shown === 0} onClick={() => setIndex(shown - 1)}>
            Previous video
          </button>
        )}
        {videos.length > 1 && (
          <button type="button" disabled={shown === videos.length - 1} onClick={() => setIndex(shown + 1)}>
            Next video
          </button>
        )}
        {state.kind !== 'unplayable' && downloadButton}
      </div>
    </div>
  );
}

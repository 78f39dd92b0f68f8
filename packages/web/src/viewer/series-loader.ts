import { wadors } from '@cornerstonejs/dicom-image-loader';
import { DICOMWEB_ROOT, seriesMetadata } from '../dicomweb/archive-client';
import type { DicomJson } from '../dicomweb/dicom-json';
import { registerWideColour } from './colour-samples';
import { loaderMetadata, registerFrameRetrieval } from './frame-retrieval';
import { registerImageSpacing } from './image-calibration';
import { isImageSeries, seriesFrames, seriesVideos, type StackFrame } from './series-stack';

const loaded = new Map<string, Promise<StackFrame[]>>();
/** The videos of a loaded series that holds them, by the (empty) frames it was given. */
const videos = new WeakMap<StackFrame[], DicomJson[]>();

/**
 * The frames of a series, from its metadata fetched once (one WADO-RS request for the whole series) and
 * handed to the image loader, which then fetches only pixel data, frame by frame.
 */
export function loadSeriesFrames(studyUid: string, seriesUid: string): Promise<StackFrame[]> {
  const key = `${studyUid}/${seriesUid}`;
  let frames = loaded.get(key);
  if (frames === undefined) {
    frames = seriesMetadata(studyUid, seriesUid).then((instances) => {
      if (!isImageSeries(instances)) {
        const none: StackFrame[] = [];
        const found = seriesVideos(instances);
        if (found.length > 0) videos.set(none, found);
        return none;
      }
      const stack = seriesFrames(DICOMWEB_ROOT, studyUid, seriesUid, instances);
      // The loader's metadata is the DICOM JSON of the instance (it reads frame counts and geometry from it).
      for (const frame of stack)
        wadors.metaDataManager.add(frame.imageId, loaderMetadata(frame.metadata) as never);
      registerFrameRetrieval(stack);
      registerWideColour(stack);
      registerImageSpacing(stack);
      return stack;
    });
    frames.catch(() => loaded.delete(key));
    loaded.set(key, frames);
  }
  return frames;
}

/**
 * The videos of a series, given the frames {@link loadSeriesFrames} gave for it (none), in the order they
 * are played; undefined for a series of images or documents. Keyed by those frames so that a viewport
 * needs nothing more than it is given.
 */
export function seriesVideosOf(frames: StackFrame[]): DicomJson[] | undefined {
  return videos.get(frames);
}

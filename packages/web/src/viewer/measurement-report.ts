import { annotation, type Types as ToolTypes } from '@cornerstonejs/tools';
import type { DicomJson } from '../dicomweb/dicom-json';
import { newestDocument } from './newest-document';
import type { StackFrame } from './series-stack';
import { ANNOTATION_TOOLS } from './viewer-tools';

/** Series description of the reports Lightbox saves (how they are found again). */
export const MEASUREMENT_SERIES_DESCRIPTION = 'Lightbox measurements';

/** What reads and writes the reports (the SR adapters and dcmjs, large): loaded when first needed. */
const measurementSr = () => import('./measurement-sr');

/**
 * Measurements drawn on the images of a study (not on volumes): the ones a TID 1500 report in that study
 * can reference by image. Image IDs are WADO-RS URLs, which name their study.
 */
function imageMeasurements(studyUid: string): ToolTypes.Annotation[] {
  return annotation.state
    .getAllAnnotations()
    .filter(
      (a) =>
        ANNOTATION_TOOLS.includes(a.metadata?.toolName ?? '') &&
        a.metadata?.referencedImageId?.includes(`/studies/${studyUid}/`) === true,
    );
}

/** The number of measurements a report of a study would hold now. */
export function measurementCount(studyUid: string): number {
  return imageMeasurements(studyUid).length;
}

/**
 * Saves every measurement on a study's images as one DICOM SR measurement report (TID 1500) in that study,
 * with STOW-RS. Each save is a complete report of what is drawn now; the newest one is what opens next time.
 */
export async function saveMeasurementReport(study: DicomJson, studyUid: string): Promise<number> {
  const measurements = imageMeasurements(studyUid);
  if (measurements.length === 0) return 0;
  const { storeMeasurementReport } = await measurementSr();
  await storeMeasurementReport(study, measurements, MEASUREMENT_SERIES_DESCRIPTION);
  return measurements.length;
}

/**
 * Draws again the measurements of the newest Lightbox measurement report of a study on the frames shown.
 * Returns how many were drawn.
 */
export async function loadMeasurementReport(
  studyUid: string,
  series: DicomJson[],
  frames: StackFrame[],
): Promise<number> {
  const newest = await newestDocument(studyUid, series, 'SR', MEASUREMENT_SERIES_DESCRIPTION);
  if (newest === undefined) return 0;
  const { drawMeasurementReport } = await measurementSr();
  return drawMeasurementReport(newest, frames);
}

import { adaptersSR } from '@cornerstonejs/adapters';
import { metaData } from '@cornerstonejs/core';
import { annotation, type Types as ToolTypes } from '@cornerstonejs/tools';
import dcmjs, { type NaturalizedDataset } from 'dcmjs';
import type { DicomJson } from '../dicomweb/dicom-json';
import { storeInstances } from '../dicomweb/store-instances';
import { newestDocument } from './newest-document';
import type { StackFrame } from './series-stack';
import { patientStudyAttributes } from './study-attributes';
import { ANNOTATION_TOOLS } from './viewer-tools';

const { MeasurementReport } = adaptersSR.Cornerstone3D;

/** Comprehensive SR, the SOP class of TID 1500 measurement reports (PS3.4 A.35.3). */
const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
/** Series description of the reports Lightbox saves (how they are found again). */
export const MEASUREMENT_SERIES_DESCRIPTION = 'Lightbox measurements';

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
  // The adapter wants tool state per image: { imageId: { toolName: { data: [annotation, …] } } }.
  const toolState: Record<string, Record<string, { data: ToolTypes.Annotation[] }>> = {};
  for (const m of measurements) {
    const imageId = m.metadata!.referencedImageId!;
    const tools = (toolState[imageId] ??= {});
    (tools[m.metadata!.toolName] ??= { data: [] }).data.push(m);
  }
  const now = new Date();
  const report = MeasurementReport.generateReport(toolState, metaData, {
    SeriesDescription: MEASUREMENT_SERIES_DESCRIPTION,
    SeriesNumber: 9001,
    SeriesInstanceUID: dcmjs.data.DicomMetaDictionary.uid(),
    SOPInstanceUID: dcmjs.data.DicomMetaDictionary.uid(),
    Manufacturer: 'Lightbox',
    ContentDate: dcmjs.data.DicomMetaDictionary.date(),
    ContentTime: dcmjs.data.DicomMetaDictionary.time(),
    SeriesDate: now.toISOString().slice(0, 10).replaceAll('-', ''),
  }) as { dataset: NaturalizedDataset };
  report.dataset.SOPClassUID ??= COMPREHENSIVE_SR;
  Object.assign(report.dataset, patientStudyAttributes(study), {
    // What a radiologist measured is clinical content, not the adapter's research default.
    ContentQualification: 'PRODUCT',
  });
  delete report.dataset.ImageComments;
  await storeInstances([dcmjs.data.datasetToDict(report.dataset).write()]);
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
  const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(newest);
  // The adapter looks images up as `SOPInstanceUID:frame`.
  const imageIds: Record<string, string> = {};
  for (const frame of frames) imageIds[`${frame.sopInstanceUid}:${frame.frame}`] = frame.imageId;
  const toolState = MeasurementReport.generateToolState(dataset, imageIds, metaData, undefined) as Record<
    string,
    { annotation: ToolTypes.Annotation }[]
  >;
  const existing = new Set(annotation.state.getAllAnnotations().map((a) => a.annotationUID));
  let drawn = 0;
  for (const measurements of Object.values(toolState)) {
    for (const { annotation: a } of measurements) {
      if (a.metadata?.referencedImageId === undefined || existing.has(a.annotationUID)) continue;
      annotation.state.addAnnotation(a, a.metadata.FrameOfReferenceUID ?? '');
      drawn += 1;
    }
  }
  return drawn;
}

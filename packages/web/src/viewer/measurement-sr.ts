// The DICOM SR side of measurement reports, with the Cornerstone adapters and dcmjs: loaded only when a
// report is saved, or when a study has one to draw (measurement-report.ts).
import { adaptersSR } from '@cornerstonejs/adapters';
import { metaData } from '@cornerstonejs/core';
import { annotation, type Types as ToolTypes } from '@cornerstonejs/tools';
import dcmjs, { type NaturalizedDataset } from 'dcmjs';
import type { DicomJson } from '../dicomweb/dicom-json';
import { storeInstances } from '../dicomweb/store-instances';
import {
  toAdapterImageCoordinates,
  TRUE_COORDINATES_VERSION,
  withTrueImageCoordinates,
} from './measurement-report-coordinates';
import { addMissingStatistics, REGION_TOOLS, savedRegionStatistics } from './measurement-report-statistics';
import { recordMeasurementUnits, restoreViewerUnits } from './measurement-report-units';
import type { MeasurementStats } from './measurement-text';
import type { StackFrame } from './series-stack';
import { patientStudyAttributes } from './study-attributes';

const { MeasurementReport } = adaptersSR.Cornerstone3D;

/** Comprehensive SR, the SOP class of TID 1500 measurement reports (PS3.4 A.35.3). */
const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';

/** The statistics Cornerstone holds for a measurement on the image it is drawn on. */
function statsOf(measurement: ToolTypes.Annotation): MeasurementStats | undefined {
  const cached = (measurement.data as { cachedStats?: Record<string, MeasurementStats> }).cachedStats;
  return cached?.[`imageId:${measurement.metadata?.referencedImageId ?? ''}`];
}

/**
 * Stores measurements as one DICOM SR measurement report (TID 1500) in a study, with STOW-RS, each number
 * in the unit it was measured in (measurement-report-units.ts).
 */
export async function storeMeasurementReport(
  study: DicomJson,
  measurements: ToolTypes.Annotation[],
  seriesDescription: string,
): Promise<void> {
  // The adapter wants tool state per image: { imageId: { toolName: { data: [annotation, …] } } }.
  const toolState: Record<string, Record<string, { data: ToolTypes.Annotation[] }>> = {};
  for (const m of measurements) {
    const imageId = m.metadata!.referencedImageId!;
    const tools = (toolState[imageId] ??= {});
    (tools[m.metadata!.toolName] ??= { data: [] }).data.push(m);
  }
  // The adapter writes one measurement group per measurement, in the order of the tool state.
  const inReportOrder = Object.values(toolState).flatMap((tools) =>
    Object.values(tools).flatMap((tool) => tool.data),
  );
  const now = new Date();
  // True image coordinates (measurement-report-coordinates.ts), said so by the Software Versions.
  const report = withTrueImageCoordinates(() =>
    MeasurementReport.generateReport(toolState, metaData, {
      SeriesDescription: seriesDescription,
      SeriesNumber: 9001,
      SeriesInstanceUID: dcmjs.data.DicomMetaDictionary.uid(),
      SOPInstanceUID: dcmjs.data.DicomMetaDictionary.uid(),
      Manufacturer: 'Lightbox',
      SoftwareVersions: TRUE_COORDINATES_VERSION,
      ContentDate: dcmjs.data.DicomMetaDictionary.date(),
      ContentTime: dcmjs.data.DicomMetaDictionary.time(),
      SeriesDate: now.toISOString().slice(0, 10).replaceAll('-', ''),
    }),
  ) as { dataset: NaturalizedDataset };
  const stats = inReportOrder.map(statsOf);
  addMissingStatistics(report.dataset, stats);
  recordMeasurementUnits(report.dataset, stats);
  report.dataset.SOPClassUID ??= COMPREHENSIVE_SR;
  Object.assign(report.dataset, patientStudyAttributes(study), {
    // What a radiologist measured is clinical content, not the adapter's research default.
    ContentQualification: 'PRODUCT',
  });
  delete report.dataset.ImageComments;
  await storeInstances([dcmjs.data.datasetToDict(report.dataset).write()]);
}

/** Draws the measurements of a measurement report (DICOM JSON) on the frames shown; returns how many. */
export function drawMeasurementReport(document: DicomJson, frames: StackFrame[]): number {
  const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(document);
  const regions = savedRegionStatistics(dataset);
  restoreViewerUnits(dataset);
  // The adapter looks images up as `SOPInstanceUID:frame`.
  const imageIds: Record<string, string> = {};
  for (const frame of frames) imageIds[`${frame.sopInstanceUid}:${frame.frame}`] = frame.imageId;
  toAdapterImageCoordinates(dataset, imageIds);
  const toolState = MeasurementReport.generateToolState(dataset, imageIds, metaData, undefined) as Record<
    string,
    { annotation: ToolTypes.Annotation; TrackingUniqueIdentifier?: string }[]
  >;
  const existing = new Set(annotation.state.getAllAnnotations().map((a) => a.annotationUID));
  let drawn = 0;
  for (const measurements of Object.values(toolState)) {
    for (const { annotation: a, TrackingUniqueIdentifier: uid } of measurements) {
      if (a.metadata?.referencedImageId === undefined || existing.has(a.annotationUID)) continue;
      const saved = uid !== undefined ? regions.get(uid) : undefined;
      if (saved !== undefined && REGION_TOOLS.includes(a.metadata.toolName)) {
        // The region's statistics as saved, units included (measurement-report-statistics.ts says why).
        const data = a.data as { cachedStats?: Record<string, MeasurementStats> };
        const target = `imageId:${a.metadata.referencedImageId}`;
        data.cachedStats = { ...data.cachedStats, [target]: { ...data.cachedStats?.[target], ...saved } };
      }
      annotation.state.addAnnotation(a, a.metadata.FrameOfReferenceUID ?? '');
      drawn += 1;
    }
  }
  return drawn;
}

import { adaptersSR } from '@cornerstonejs/adapters';
import { metaData } from '@cornerstonejs/core';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import dcmjs, { type NaturalizedDataset } from 'dcmjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeOf, measuredValueOf, measurementGroups, numbersOf } from './measurement-report-content';
import { addMissingStatistics, savedRegionStatistics } from './measurement-report-statistics';
import { recordMeasurementUnits, restoreViewerUnits } from './measurement-report-units';
import type { MeasurementStats } from './measurement-text';

const { MeasurementReport } = adaptersSR.Cornerstone3D;

/** One CT image of 0.5 mm pixels at the origin, axial, as Cornerstone's metadata gives it to the adapters. */
const IMAGE_ID = 'wadors:https://pacs/dicomweb/studies/1.2/series/1.2.3/instances/1.2.3.4/frames/1';
const PLANE = {
  frameOfReferenceUID: '1.2.9',
  rows: 256,
  columns: 256,
  rowCosines: [1, 0, 0],
  columnCosines: [0, 1, 0],
  imageOrientationPatient: [1, 0, 0, 0, 1, 0],
  imagePositionPatient: [0, 0, 0],
  rowPixelSpacing: 0.5,
  columnPixelSpacing: 0.5,
  pixelSpacing: [0.5, 0.5],
};

beforeAll(() => {
  metaData.addProvider((type: string, imageId: string) => {
    if (imageId !== IMAGE_ID) return undefined;
    if (type === 'imagePlaneModule') return PLANE;
    if (type === 'sopCommonModule')
      return { sopInstanceUID: '1.2.3.4', sopClassUID: '1.2.840.10008.5.1.4.1.1.2' };
    if (type === 'instance')
      return {
        SeriesInstanceUID: '1.2.3',
        StudyInstanceUID: '1.2',
        SOPInstanceUID: '1.2.3.4',
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
        Modality: 'CT',
        PatientID: 'PH001',
      };
    if (type === 'frameNumber') return 1;
    return undefined;
  }, 10_000);
});

/** A region drawn on the image, with the statistics Cornerstone computed for it. */
function region(toolName: string, points: number[][], stats: MeasurementStats, extra: object = {}) {
  return {
    annotationUID: `${toolName}-1`,
    metadata: { toolName, referencedImageId: IMAGE_ID, FrameOfReferenceUID: PLANE.frameOfReferenceUID },
    data: {
      handles: { points, textBox: {} },
      cachedStats: { [`imageId:${IMAGE_ID}`]: stats },
      ...extra,
    },
  } as unknown as ToolTypes.Annotation;
}

const CT: MeasurementStats = {
  mean: 100.25,
  stdDev: 3.5,
  min: 91,
  max: 108,
  area: 201.06,
  areaUnit: 'mm²',
  modalityUnit: 'HU',
};
const rectangle = region(
  'RectangleROI',
  [
    [10, 10, 0],
    [30, 10, 0],
    [10, 20, 0],
    [30, 20, 0],
  ],
  { ...CT, area: 200 },
);
const ellipse = region(
  'EllipticalROI',
  [
    [20, 0, 0],
    [20, 16, 0],
    [12, 8, 0],
    [28, 8, 0],
  ],
  CT,
);
const outline = [
  [40, 40, 0],
  [60, 40, 0],
  [60, 60, 0],
  [40, 60, 0],
];
const freehand = region(
  'PlanarFreehandROI',
  outline,
  { ...CT, area: 400, perimeter: 80, unit: 'mm' },
  { contour: { polyline: outline, closed: true } },
);

/** The same region with other statistics. */
function withStats(measurement: ToolTypes.Annotation, stats: MeasurementStats): ToolTypes.Annotation {
  return {
    ...measurement,
    data: { ...measurement.data, cachedStats: { [`imageId:${IMAGE_ID}`]: stats } },
  } as unknown as ToolTypes.Annotation;
}

function statsOf(measurement: ToolTypes.Annotation): MeasurementStats {
  return (measurement.data.cachedStats as Record<string, MeasurementStats>)[`imageId:${IMAGE_ID}`]!;
}

/** The adapters' report of measurements (one tool each). */
function adapterReport(measurements: ToolTypes.Annotation[]): NaturalizedDataset {
  const tools: Record<string, { data: ToolTypes.Annotation[] }> = {};
  for (const m of measurements) (tools[m.metadata!.toolName] ??= { data: [] }).data.push(m);
  return (
    MeasurementReport.generateReport({ [IMAGE_ID]: tools }, metaData, {}) as { dataset: NaturalizedDataset }
  ).dataset;
}

/** A report of regions as the viewer saves one: the adapters' report, then what Lightbox adds. */
function savedReport(measurements: ToolTypes.Annotation[]): NaturalizedDataset {
  const dataset = adapterReport(measurements);
  const stats = measurements.map(statsOf);
  addMissingStatistics(dataset, stats);
  recordMeasurementUnits(dataset, stats);
  // As the archive gives it back: written, then read again.
  const { naturalizeDataset, denaturalizeDataset } = dcmjs.data.DicomMetaDictionary;
  return naturalizeDataset(denaturalizeDataset(dataset));
}

/** Each group's numbers: concept meaning → value, and concept meaning → unit code value. */
function savedNumbers(report: NaturalizedDataset, what: 'value' | 'unit' = 'value') {
  return measurementGroups(report).map((group) =>
    Object.fromEntries(
      numbersOf(group).map((number) => {
        const measured = measuredValueOf(number)!;
        return [
          codeOf(number, 'ConceptNameCodeSequence')!.CodeMeaning,
          what === 'value' ? measured.value : measured.unit!.CodeValue,
        ];
      }),
    ),
  );
}

describe('addMissingStatistics', () => {
  it('saves the minimum the rectangle and freehand adapters leave out, with every other statistic', () => {
    // The adapters alone: no Minimum for a rectangle or a freehand region (an ellipse has one).
    for (const [m, hasMinimum] of [
      [rectangle, false],
      [ellipse, true],
      [freehand, false],
    ] as const) {
      expect('Minimum' in savedNumbers(adapterReport([m]))[0]!, m.metadata!.toolName).toBe(hasMinimum);
    }

    const report = savedReport([rectangle, ellipse, freehand]);
    const statistics = { Mean: 100.25, 'Standard Deviation': 3.5, Minimum: 91, Maximum: 108 };
    expect(savedNumbers(report)).toEqual([
      { Area: 200, ...statistics },
      { Area: 201.06, ...statistics },
      { Area: 400, Perimeter: 80, ...statistics },
    ]);
  });

  it('gives an added minimum the unit of the grey values: HU, or "no units"', () => {
    const film = withStats(rectangle, { ...CT, modalityUnit: '', areaUnit: 'px²', area: 800 });
    const units = savedNumbers(savedReport([film]), 'unit')[0];
    expect(units).toEqual({
      Area: '{pixels2}',
      Mean: '1',
      'Standard Deviation': '1',
      Minimum: '1',
      Maximum: '1',
    });
    const ct = savedReport([rectangle]);
    expect(savedRegionStatistics(ct).values().next().value).toMatchObject({ min: 91, modalityUnit: 'HU' });
  });
});

describe('savedRegionStatistics', () => {
  it('reads every statistic of a region back with its unit, where the adapters lose the units', () => {
    const report = savedReport([rectangle, ellipse, freehand]);
    const saved = [...savedRegionStatistics(report).values()];
    expect(saved).toEqual([
      { ...CT, area: 200, unit: 'mm' },
      { ...CT, unit: 'mm' },
      { ...CT, area: 400, perimeter: 80, unit: 'mm' },
    ]);

    // What the adapters read by themselves: no units (so Cornerstone computes ellipses and freehand
    // regions again from the image, and the grey values lose their HU).
    restoreViewerUnits(report);
    const read = MeasurementReport.generateToolState(
      report,
      { '1.2.3.4:1': IMAGE_ID },
      metaData,
      undefined,
    ) as Record<string, { annotation: { data: { cachedStats: Record<string, MeasurementStats> } } }[]>;
    const adapterStats = (tool: string) =>
      read[tool]![0]!.annotation.data.cachedStats[`imageId:${IMAGE_ID}`]!;
    expect(adapterStats('EllipticalROI').areaUnit).toBeUndefined();
    expect(adapterStats('PlanarFreehandROI').unit).toBeUndefined();
    expect(adapterStats('RectangleROI').modalityUnit).toBe('');
  });

  it('reads a region measured on a calibration of the user as it read: mm² (calibrated by user)', () => {
    const calibrated = { ...CT, area: 312.5, areaUnit: 'mm² User', modalityUnit: '' };
    const report = savedReport([
      withStats(ellipse, calibrated),
      withStats(freehand, { ...calibrated, perimeter: 70, unit: 'mm User' }),
    ]);
    expect([...savedRegionStatistics(report).values()]).toEqual([
      { ...calibrated, unit: 'mm User' },
      { ...calibrated, perimeter: 70, unit: 'mm User' },
    ]);
  });

  it('leaves out groups that are no regions', () => {
    const length = region(
      'Length',
      [
        [0, 0, 0],
        [10, 0, 0],
      ],
      { length: 10, unit: 'mm' },
    );
    expect(savedRegionStatistics(savedReport([length])).size).toBe(0);
  });
});

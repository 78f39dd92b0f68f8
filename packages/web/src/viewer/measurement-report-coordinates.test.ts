import { adaptersSR } from '@cornerstonejs/adapters';
import { metaData, type Types } from '@cornerstonejs/core';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import dcmjs, { type NaturalizedDataset } from 'dcmjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageToWorld } from './image-coordinates';
import {
  itemsOf,
  measuredValueOf,
  measurementGroups,
  numbersOf,
  type ContentItem,
} from './measurement-report-content';
import {
  hasTrueImageCoordinates,
  toAdapterImageCoordinates,
  TRUE_COORDINATES_VERSION,
  withTrueImageCoordinates,
} from './measurement-report-coordinates';

const { MeasurementReport } = adaptersSR.Cornerstone3D;

/**
 * Two DX images of 100 rows × 200 columns in one plane: pixels 0.2 mm apart down a column and 0.1 mm along
 * a row (Pixel Spacing 0.2\0.1), and square pixels of 0.5 mm.
 */
const IMAGES = {
  tall: { sop: '1.2.3.1', rowPixelSpacing: 0.2, columnPixelSpacing: 0.1 },
  square: { sop: '1.2.3.2', rowPixelSpacing: 0.5, columnPixelSpacing: 0.5 },
} as const;
type Image = keyof typeof IMAGES;
const imageIdOf = (image: Image) => `wadors:https://pacs/dicomweb/studies/1.2/series/1.2.3/${image}`;
const FRAME_OF_REFERENCE = '1.2.9';

function metadataOf(type: string, image: Image): unknown {
  const { sop, rowPixelSpacing, columnPixelSpacing } = IMAGES[image];
  switch (type) {
    case 'imagePlaneModule':
      return {
        frameOfReferenceUID: FRAME_OF_REFERENCE,
        rows: 100,
        columns: 200,
        rowCosines: [1, 0, 0],
        columnCosines: [0, 1, 0],
        imagePositionPatient: [-10, 5, 30],
        rowPixelSpacing,
        columnPixelSpacing,
        pixelSpacing: [rowPixelSpacing, columnPixelSpacing],
      };
    case 'sopCommonModule':
      return { sopInstanceUID: sop, sopClassUID: '1.2.840.10008.5.1.4.1.1.1.1' };
    case 'instance':
      return {
        StudyInstanceUID: '1.2',
        SeriesInstanceUID: '1.2.3',
        SOPInstanceUID: sop,
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
        Modality: 'DX',
        PatientID: 'PH001',
      };
    case 'frameNumber':
      return 1;
    default:
      return undefined;
  }
}

beforeAll(() => {
  metaData.addProvider((type: string, imageId: string) => {
    const image = (Object.keys(IMAGES) as Image[]).find((name) => imageIdOf(name) === imageId);
    return image !== undefined ? metadataOf(type, image) : undefined;
  }, 10_000);
});

/** The images shown, as the viewer gives them to the adapters: `SOPInstanceUID:frame`. */
const SHOWN = Object.fromEntries(
  (Object.keys(IMAGES) as Image[]).map((image) => [`${IMAGES[image].sop}:1`, imageIdOf(image)]),
);

/** A measurement drawn through pixel positions (column, row) of an image, as Cornerstone holds it. */
interface Drawn {
  annotation: ToolTypes.Annotation;
  /** Every image point the report may write for it. */
  imagePoints: [number, number][];
}

function drawn(
  image: Image,
  toolName: string,
  points: [number, number][],
  stats: object,
  extra: (world: (point: [number, number]) => Types.Point3) => object = () => ({}),
): Drawn {
  const imageId = imageIdOf(image);
  const world = (point: [number, number]) => imageToWorld(imageId, point);
  const { handles: extraHandles, ...extraData } = extra(world) as { handles?: object };
  return {
    annotation: {
      annotationUID: `${toolName}-${image}`,
      metadata: { toolName, referencedImageId: imageId, FrameOfReferenceUID: FRAME_OF_REFERENCE },
      data: {
        handles: { points: points.map(world), textBox: {}, ...extraHandles },
        cachedStats: { [`imageId:${imageId}`]: stats },
        ...extraData,
      },
    } as unknown as ToolTypes.Annotation,
    imagePoints: points,
  };
}

const REGION = { mean: 100, stdDev: 3, min: 91, max: 108, areaUnit: 'mm²', modalityUnit: '' };
const OUTLINE: [number, number][] = [
  [150.5, 10.5],
  [190.5, 12.5],
  [185.5, 40.5],
  [155.5, 35.5],
];
const TEXT_BOX: [number, number] = [70.5, 10.5];

/** One measurement of every tool the viewer saves, on an image; the length's text box moved by the user. */
function everyTool(image: Image): Drawn[] {
  const freehand = drawn(image, 'PlanarFreehandROI', [], { ...REGION, area: 9, perimeter: 12 }, (world) => ({
    contour: { polyline: OUTLINE.map(world), closed: true },
  }));
  const length = drawn(
    image,
    'Length',
    [
      [10.5, 20.5],
      [50.5, 20.5],
    ],
    { length: 4, unit: 'mm' },
    (world) => ({ handles: { textBox: { hasMoved: true, worldPosition: world(TEXT_BOX) } } }),
  );
  return [
    { ...length, imagePoints: [...length.imagePoints, TEXT_BOX] },
    drawn(
      image,
      'Angle',
      [
        [12.5, 60.5],
        [30.5, 70.5],
        [25.5, 95.5],
      ],
      { angle: 40 },
    ),
    drawn(
      image,
      'CobbAngle',
      [
        [5.5, 5.5],
        [25.5, 9.5],
        [7.5, 30.5],
        [28.5, 24.5],
      ],
      { angle: 12 },
    ),
    drawn(
      image,
      'RectangleROI',
      [
        [60.5, 30.5],
        [140.5, 30.5],
        [60.5, 70.5],
        [140.5, 70.5],
      ],
      {
        ...REGION,
        area: 32,
      },
    ),
    drawn(
      image,
      'EllipticalROI',
      [
        [100.5, 75.5],
        [100.5, 95.5],
        [70.5, 85.5],
        [130.5, 85.5],
      ],
      {
        ...REGION,
        area: 9.4,
      },
    ),
    { ...freehand, imagePoints: OUTLINE },
    drawn(image, 'Probe', [[33.5, 44.5]], { value: 120 }),
    drawn(
      image,
      'ArrowAnnotate',
      [
        [20.5, 80.5],
        [40.5, 60.5],
      ],
      {},
      () => ({
        label: 'here',
        handles: { arrowFirst: true },
      }),
    ),
  ];
}

/** The adapters' report of measurements, one tool state per image, as the viewer builds it. */
function adapterReport(measurements: Drawn[]): NaturalizedDataset {
  const toolState: Record<string, Record<string, { data: ToolTypes.Annotation[] }>> = {};
  for (const { annotation } of measurements) {
    const tools = (toolState[annotation.metadata!.referencedImageId!] ??= {});
    (tools[annotation.metadata!.toolName] ??= { data: [] }).data.push(annotation);
  }
  const options = { Manufacturer: 'Lightbox' };
  return (MeasurementReport.generateReport(toolState, metaData, options) as { dataset: NaturalizedDataset })
    .dataset;
}

/** A report as the viewer saves it (true coordinates), as the archive gives it back. */
function savedReport(measurements: Drawn[]): NaturalizedDataset {
  const dataset = withTrueImageCoordinates(() => adapterReport(measurements));
  dataset.SoftwareVersions = TRUE_COORDINATES_VERSION;
  return archived(dataset);
}

/** Written, then read again: numbers in SCOORDs become 32-bit floats. */
function archived(dataset: NaturalizedDataset): NaturalizedDataset {
  const { naturalizeDataset, denaturalizeDataset } = dcmjs.data.DicomMetaDictionary;
  return naturalizeDataset(denaturalizeDataset(dataset));
}

/** The Graphic Data of every SCOORD of a content tree, in its order. */
function graphicData(sequence: unknown): number[][] {
  return itemsOf(sequence).flatMap((item: ContentItem) => [
    ...(item.ValueType === 'SCOORD' ? [(item.GraphicData as unknown[]).map(Number)] : []),
    ...graphicData(item.ContentSequence),
  ]);
}

/** The points of Graphic Data. */
function pairs(data: number[]): [number, number][] {
  return data.flatMap((x, i) => (i % 2 === 0 ? [[x, data[i + 1]!] as [number, number]] : []));
}

/** Equal to 32-bit precision, as SCOORD Graphic Data (FL) is stored. */
const closeTo = (value: number) => expect.closeTo(value, 4);
const near = (a: readonly number[], b: readonly number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-4);

/** The measurements the adapters read back from a report, tool by tool, after Lightbox's rewriting. */
function readBack(report: NaturalizedDataset): Record<string, ToolTypes.Annotation> {
  toAdapterImageCoordinates(report, SHOWN);
  const state = MeasurementReport.generateToolState(report, SHOWN, metaData, undefined) as Record<
    string,
    { annotation: ToolTypes.Annotation }[]
  >;
  return Object.fromEntries(Object.entries(state).map(([tool, [read]]) => [tool, read!.annotation]));
}

/** Every world point a measurement is drawn through: handles, outline, moved text box. */
function worldPoints(annotation: ToolTypes.Annotation): number[][] {
  const data = annotation.data as {
    handles?: { points?: number[][]; textBox?: { hasMoved?: boolean; worldPosition?: number[] } };
    contour?: { polyline?: number[][] };
  };
  const textBox = data.handles?.textBox;
  return [
    ...(data.handles?.points ?? []),
    ...(data.contour?.polyline ?? []),
    ...(textBox?.hasMoved === true && textBox.worldPosition !== undefined ? [textBox.worldPosition] : []),
  ];
}

/** Whether two lists hold the same points, in any order. */
function samePoints(read: number[][], drawnPoints: number[][]): boolean {
  return (
    read.length === drawnPoints.length &&
    read.every((point) => drawnPoints.some((other) => near(point, other))) &&
    drawnPoints.every((point) => read.some((other) => near(point, other)))
  );
}

describe('image coordinates of measurement reports', () => {
  it('writes a length on 0.1 × 0.2 mm pixels at its true image coordinates, and reads it back where it was drawn', () => {
    const [length] = everyTool('tall');
    const report = savedReport([length!]);
    const [group] = measurementGroups(report);
    const [number] = numbersOf(group!);
    // From the centre of pixel (10, 20) to that of pixel (50, 20): 40 columns of 0.1 mm.
    expect(graphicData(number!.ContentSequence)).toEqual([[10.5, 20.5, 50.5, 20.5].map(closeTo)]);
    expect(measuredValueOf(number!)?.value).toBe(4);

    const read = readBack(report).Length!;
    expect(samePoints(worldPoints(read), worldPoints(length!.annotation))).toBe(true);
  });

  for (const image of ['tall', 'square'] as const) {
    it(`writes every tool's points at their true image coordinates and reads them back (${image} pixels)`, () => {
      const measurements = everyTool(image);
      const report = savedReport(measurements);
      const groups = measurementGroups(report);
      expect(groups).toHaveLength(measurements.length);
      groups.forEach((group, index) => {
        const { annotation, imagePoints } = measurements[index]!;
        const written = graphicData(group.ContentSequence).flatMap(pairs);
        expect(written.length, annotation.metadata!.toolName).toBeGreaterThan(0);
        for (const point of written) {
          expect(
            imagePoints.some((drawnPoint) => near(point, drawnPoint)),
            `${annotation.metadata!.toolName} wrote ${point.join('\\')}`,
          ).toBe(true);
        }
      });

      const read = readBack(report);
      for (const { annotation } of measurements) {
        const tool = annotation.metadata!.toolName;
        expect(samePoints(worldPoints(read[tool]!), worldPoints(annotation)), tool).toBe(true);
      }
    });
  }

  it('writes square pixels as the adapters alone do', () => {
    const measurements = everyTool('square');
    const alone = graphicData(archived(adapterReport(measurements)).ContentSequence);
    const written = graphicData(savedReport(measurements).ContentSequence);
    expect(written.length).toBe(alone.length);
    written.forEach((data, index) => expect(near(data, alone[index]!)).toBe(true));
  });
});

describe('reports of earlier Lightbox builds', () => {
  it('are told by their Software Versions, and read in the swapped coordinates they were written in', () => {
    const [length] = everyTool('tall');
    // As earlier builds wrote it: the adapters alone, dcmjs's default Software Versions.
    const earlier = archived(adapterReport([length!]));
    expect(earlier.SoftwareVersions).toBe('0');
    expect(hasTrueImageCoordinates(earlier)).toBe(false);
    // 0.2 mm columns and 0.1 mm rows: the length half as long across and twice as far down.
    expect(graphicData(measurementGroups(earlier)[0]!.ContentSequence)[0]).toEqual(
      [5.5, 40.5, 25.5, 40.5].map(closeTo),
    );

    const read = readBack(earlier).Length!;
    expect(samePoints(worldPoints(read), worldPoints(length!.annotation))).toBe(true);
  });

  it("takes any other writer's coordinates as true ones", () => {
    expect(hasTrueImageCoordinates({ Manufacturer: 'Other PACS', SoftwareVersions: '0' })).toBe(true);
    expect(
      hasTrueImageCoordinates({ Manufacturer: 'Lightbox', SoftwareVersions: TRUE_COORDINATES_VERSION }),
    ).toBe(true);
    expect(
      hasTrueImageCoordinates({
        Manufacturer: 'Lightbox',
        SoftwareVersions: ['1', TRUE_COORDINATES_VERSION],
      }),
    ).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateUid, Tag, TransferSyntaxUid, type DataElement } from '@lightbox/dicom';
import {
  concatBytes,
  encodeTestDataSet,
  encodeTestFileMeta,
  EXPLICIT_LITTLE,
  numberElement,
  part10Preamble,
  sequenceElement,
  syntheticImage,
  SyntheticSopClass,
  textElement,
} from '@lightbox/dicom/test-support';
import path from 'node:path';
import { screenshot } from './test-browser.js';
import {
  clientPoint,
  coloursAtClient,
  coloursInBox,
  displayedGrey,
  exportedViewport,
  shownColours,
  viewportBox,
} from './viewer-automation.js';
import { openStudy, startViewerSession, stopViewerSession, type ViewerSession } from './viewer-session.js';

const GSPS = '1.2.840.10008.5.1.4.1.1.11.1';
const SIZE = 128;
const PATIENT = { id: 'GSPS1', name: 'Presentation^State' };

/**
 * A CT slice of grey 76 HU (stored 1100, intercept −1024) under its own window W 400 L 100, or of the
 * stored values `pixelValue` gives (row, column), with other elements in `extra` (Pixel Spacing).
 */
function ctImage(
  studyInstanceUid: string,
  seriesInstanceUid: string,
  sopInstanceUid: string,
  window = { center: '100', width: '400' },
  pixels: { pixelValue?: (row: number, column: number) => number; extra?: DataElement[] } = {},
): Uint8Array {
  const stored = pixels.pixelValue ?? (() => 1100);
  return syntheticImage({
    rows: SIZE,
    columns: SIZE,
    bitsAllocated: 16,
    bitsStored: 12,
    patientId: PATIENT.id,
    patientName: PATIENT.name,
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    seriesDescription: 'Chest',
    pixelValue: (_frame, row, column) => stored(row, column),
    extra: [
      textElement(Tag.WindowCenter, 'DS', [window.center]),
      textElement(Tag.WindowWidth, 'DS', [window.width]),
      ...(pixels.extra ?? []),
    ],
  });
}

/** The box the presentation state draws (PIXEL units: 0\0 the top left corner of the top left pixel). */
const BOX = { left: 40, top: 30, right: 90, bottom: 70 };
const TEXT = { value: 'Nodule 12 mm', topLeft: [40, 80], bottomRight: [100, 95] } as const;
/**
 * A rectangular display shutter: columns 21–110 and rows 11–100 are seen (1-based pixel numbers), the
 * rest covered in the grey of P-value 0x2000 (32 of 255).
 */
const SHUTTER = { left: 21, right: 110, upper: 11, lower: 100, value: 0x2000, grey: 32 };

/**
 * A grayscale softcopy presentation state on the image: window W 300 L 50, rotated 90° clockwise then
 * flipped, a POLYLINE box and a text object in PIXEL units, and a rectangular shutter.
 */
function presentationState(
  studyInstanceUid: string,
  image: { seriesInstanceUid: string; sopInstanceUid: string },
): Uint8Array {
  const sop = generateUid();
  const text = (tag: number, vr: Parameters<typeof textElement>[1], value: string | string[]) =>
    textElement(tag, vr, value);
  const referencedImage: DataElement[] = [
    text(Tag.ReferencedSOPClassUID, 'UI', SyntheticSopClass.CTImage),
    text(Tag.ReferencedSOPInstanceUID, 'UI', image.sopInstanceUid),
  ];
  const elements: DataElement[] = [
    text(Tag.SOPClassUID, 'UI', GSPS),
    text(Tag.SOPInstanceUID, 'UI', sop),
    text(Tag.StudyDate, 'DA', '20240301'),
    text(Tag.Modality, 'CS', 'PR'),
    text(Tag.PatientName, 'PN', PATIENT.name),
    text(Tag.PatientID, 'LO', PATIENT.id),
    text(Tag.StudyInstanceUID, 'UI', studyInstanceUid),
    text(Tag.SeriesInstanceUID, 'UI', generateUid()),
    text(Tag.SeriesNumber, 'IS', '99'),
    text(Tag.InstanceNumber, 'IS', '1'),
    text(Tag.ContentLabel, 'CS', 'LESION'),
    text(Tag.ContentDescription, 'LO', 'Nodule follow-up'),
    text(Tag.PresentationCreationDate, 'DA', '20240301'),
    text(Tag.PresentationCreationTime, 'TM', '101500'),
    text(Tag.ContentCreatorName, 'PN', 'Reader^Ann'),
    sequenceElement(Tag.ReferencedSeriesSequence, [
      [
        text(Tag.SeriesInstanceUID, 'UI', image.seriesInstanceUid),
        sequenceElement(Tag.ReferencedImageSequence, [referencedImage]),
      ],
    ]),
    sequenceElement(Tag.SoftcopyVOILUTSequence, [
      [text(Tag.WindowCenter, 'DS', '50'), text(Tag.WindowWidth, 'DS', '300')],
    ]),
    text(Tag.PresentationLUTShape, 'CS', 'IDENTITY'),
    numberElement(Tag.ImageRotation, 'US', [90]),
    text(Tag.ImageHorizontalFlip, 'CS', 'Y'),
    text(Tag.ShutterShape, 'CS', 'RECTANGULAR'),
    text(Tag.ShutterLeftVerticalEdge, 'IS', String(SHUTTER.left)),
    text(Tag.ShutterRightVerticalEdge, 'IS', String(SHUTTER.right)),
    text(Tag.ShutterUpperHorizontalEdge, 'IS', String(SHUTTER.upper)),
    text(Tag.ShutterLowerHorizontalEdge, 'IS', String(SHUTTER.lower)),
    numberElement(Tag.ShutterPresentationValue, 'US', [SHUTTER.value]),
    sequenceElement(Tag.GraphicLayerSequence, [
      [text(Tag.GraphicLayer, 'CS', 'FINDINGS'), text(Tag.GraphicLayerOrder, 'IS', '1')],
    ]),
    sequenceElement(Tag.GraphicAnnotationSequence, [
      [
        sequenceElement(Tag.ReferencedImageSequence, [referencedImage]),
        text(Tag.GraphicLayer, 'CS', 'FINDINGS'),
        sequenceElement(Tag.TextObjectSequence, [
          [
            text(Tag.BoundingBoxAnnotationUnits, 'CS', 'PIXEL'),
            text(Tag.UnformattedTextValue, 'ST', TEXT.value),
            numberElement(Tag.BoundingBoxTopLeftHandCorner, 'FL', TEXT.topLeft),
            numberElement(Tag.BoundingBoxBottomRightHandCorner, 'FL', TEXT.bottomRight),
            text(Tag.BoundingBoxTextHorizontalJustification, 'CS', 'LEFT'),
          ],
        ]),
        sequenceElement(Tag.GraphicObjectSequence, [
          [
            text(Tag.GraphicAnnotationUnits, 'CS', 'PIXEL'),
            numberElement(Tag.GraphicDimensions, 'US', [2]),
            numberElement(Tag.NumberOfGraphicPoints, 'US', [5]),
            numberElement(Tag.GraphicData, 'FL', [
              BOX.left,
              BOX.top,
              BOX.right,
              BOX.top,
              BOX.right,
              BOX.bottom,
              BOX.left,
              BOX.bottom,
              BOX.left,
              BOX.top,
            ]),
            text(Tag.GraphicType, 'CS', 'POLYLINE'),
            text(Tag.GraphicFilled, 'CS', 'N'),
          ],
        ]),
      ],
    ]),
  ];
  return concatBytes([
    part10Preamble(),
    encodeTestFileMeta(GSPS, sop, TransferSyntaxUid.ExplicitVRLittleEndian),
    encodeTestDataSet(elements, EXPLICIT_LITTLE),
  ]);
}

/** An image a presentation state references, with the frames it names (none: all). */
interface Referenced {
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  frames?: number[];
}

/** A Referenced Image Sequence item. */
const imageReference = (image: Referenced): DataElement[] => [
  textElement(Tag.ReferencedSOPClassUID, 'UI', image.sopClassUid),
  textElement(Tag.ReferencedSOPInstanceUID, 'UI', image.sopInstanceUid),
  ...(image.frames !== undefined
    ? [textElement(Tag.ReferencedFrameNumber, 'IS', image.frames.map(String))]
    : []),
];

/** A grayscale softcopy presentation state labelled `label` on an image, of the modules in `modules`. */
function presentationStateOf(
  studyInstanceUid: string,
  label: string,
  image: Referenced,
  modules: DataElement[],
): Uint8Array {
  const sop = generateUid();
  const elements: DataElement[] = [
    textElement(Tag.SOPClassUID, 'UI', GSPS),
    textElement(Tag.SOPInstanceUID, 'UI', sop),
    textElement(Tag.StudyDate, 'DA', '20240301'),
    textElement(Tag.Modality, 'CS', 'PR'),
    textElement(Tag.PatientName, 'PN', PATIENT.name),
    textElement(Tag.PatientID, 'LO', PATIENT.id),
    textElement(Tag.StudyInstanceUID, 'UI', studyInstanceUid),
    textElement(Tag.SeriesInstanceUID, 'UI', generateUid()),
    textElement(Tag.SeriesNumber, 'IS', '99'),
    textElement(Tag.InstanceNumber, 'IS', '1'),
    textElement(Tag.ContentLabel, 'CS', label),
    textElement(Tag.ContentDescription, 'LO', ''),
    textElement(Tag.PresentationCreationDate, 'DA', '20240301'),
    textElement(Tag.PresentationCreationTime, 'TM', '101500'),
    sequenceElement(Tag.ReferencedSeriesSequence, [
      [
        textElement(Tag.SeriesInstanceUID, 'UI', image.seriesInstanceUid),
        sequenceElement(Tag.ReferencedImageSequence, [imageReference({ ...image, frames: undefined })]),
      ],
    ]),
    ...modules,
  ];
  return concatBytes([
    part10Preamble(),
    encodeTestFileMeta(GSPS, sop, TransferSyntaxUid.ExplicitVRLittleEndian),
    encodeTestDataSet(elements, EXPLICIT_LITTLE),
  ]);
}

/** CIELab (L* 0–100, a* and b* −128–127) as DICOM encodes it (PS3.3 C.10.7.1.1). */
const cieLab = (l: number, a: number, b: number): number[] => [
  Math.round((l * 0xffff) / 100),
  Math.round(((a + 128) * 0xffff) / 255),
  Math.round(((b + 128) * 0xffff) / 255),
];
/** sRGB red, blue and green in CIELab relative to D50, as DICOM's CIELab is. */
const RED = cieLab(54.29, 80.8, 69.89);
const BLUE = cieLab(29.57, 68.3, -112.03);
const GREEN = cieLab(87.82, -79.29, 80.99);

type Rgb = [number, number, number];
const near =
  (expected: Rgb, tolerance = 40) =>
  (rgb: Rgb) =>
    rgb.every((v, i) => Math.abs(v - expected[i]!) <= tolerance);

/**
 * A multi-frame image (8-bit secondary capture) of four frames, each black but for a white square,
 * columns 33–64 and rows 17–48 (1-based): what its displayed areas select.
 */
const SQUARE = { left: 33, top: 17, right: 64, bottom: 48 };
function squareFrames(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string) {
  return syntheticImage({
    rows: SIZE,
    columns: SIZE,
    bitsAllocated: 8,
    frames: 4,
    patientId: PATIENT.id,
    patientName: PATIENT.name,
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    seriesDescription: 'Frames',
    pixelValue: (_frame, row, column) =>
      column >= SQUARE.left - 1 && column < SQUARE.right && row >= SQUARE.top - 1 && row < SQUARE.bottom
        ? 255
        : 0,
    extra: [textElement(Tag.WindowCenter, 'DS', ['128']), textElement(Tag.WindowWidth, 'DS', ['256'])],
  });
}

/** A Displayed Area Selection item on some frames of an image. */
function displayedArea(
  image: Referenced,
  frames: number[],
  mode: string,
  extra: DataElement[] = [],
): DataElement[] {
  return [
    sequenceElement(Tag.ReferencedImageSequence, [imageReference({ ...image, frames })]),
    numberElement(Tag.DisplayedAreaTopLeftHandCorner, 'SL', [SQUARE.left, SQUARE.top]),
    numberElement(Tag.DisplayedAreaBottomRightHandCorner, 'SL', [SQUARE.right, SQUARE.bottom]),
    textElement(Tag.PresentationSizeMode, 'CS', mode),
    ...extra,
  ];
}

/** Layers as they are to be drawn: in their Graphic Layer Order, not the order they are listed in. */
const LAYERS = { under: 'UNDER', over: 'OVER', grey: 'GREY' } as const;
/** The grey of the GREY layer's P-value 0xC000. */
const LAYER_GREY = 191;
/**
 * The circular shutter round pixel (row 64, column 64), its radius 48 pixels along a row: on pixels twice
 * as tall as wide (Pixel Spacing 0.5\0.25) it reaches 48 columns across but only 24 rows down.
 */
const CIRCLE = { centre: 63.5, radius: 48 };

/**
 * Graphic layers UNDER (blue, order 1), OVER (red, order 2) and GREY (its P-value, order 3), listed out
 * of order, with an annotation on each: UNDER a line across row 56, OVER one down column 64 that
 * crosses it and the GREY lines, and a text in its Text Style's green; GREY a line across row 72 in its
 * Line Style's green and one across row 80 in its own grey. A circular shutter over it all.
 */
function layeredState(studyInstanceUid: string, image: Referenced): Uint8Array {
  const line = (from: [number, number], to: [number, number], style: DataElement[] = []) => [
    textElement(Tag.GraphicAnnotationUnits, 'CS', 'PIXEL'),
    numberElement(Tag.GraphicDimensions, 'US', [2]),
    numberElement(Tag.NumberOfGraphicPoints, 'US', [2]),
    numberElement(Tag.GraphicData, 'FL', [...from, ...to]),
    textElement(Tag.GraphicType, 'CS', 'POLYLINE'),
    ...style,
  ];
  const annotation = (layer: string, graphics: DataElement[][], texts: DataElement[][] = []) => [
    sequenceElement(Tag.ReferencedImageSequence, [imageReference(image)]),
    textElement(Tag.GraphicLayer, 'CS', layer),
    sequenceElement(Tag.GraphicObjectSequence, graphics),
    ...(texts.length > 0 ? [sequenceElement(Tag.TextObjectSequence, texts)] : []),
  ];
  return presentationStateOf(studyInstanceUid, 'LAYERS', image, [
    textElement(Tag.ShutterShape, 'CS', 'CIRCULAR'),
    textElement(Tag.CenterOfCircularShutter, 'IS', ['64', '64']),
    textElement(Tag.RadiusOfCircularShutter, 'IS', String(CIRCLE.radius)),
    numberElement(Tag.ShutterPresentationValue, 'US', [SHUTTER.value]),
    sequenceElement(Tag.GraphicLayerSequence, [
      [
        textElement(Tag.GraphicLayer, 'CS', LAYERS.over),
        textElement(Tag.GraphicLayerOrder, 'IS', '2'),
        numberElement(Tag.GraphicLayerRecommendedDisplayCIELabValue, 'US', RED),
      ],
      [
        textElement(Tag.GraphicLayer, 'CS', LAYERS.grey),
        textElement(Tag.GraphicLayerOrder, 'IS', '3'),
        numberElement(Tag.GraphicLayerRecommendedDisplayGrayscaleValue, 'US', [0xc000]),
      ],
      [
        textElement(Tag.GraphicLayer, 'CS', LAYERS.under),
        textElement(Tag.GraphicLayerOrder, 'IS', '1'),
        numberElement(Tag.GraphicLayerRecommendedDisplayCIELabValue, 'US', BLUE),
      ],
    ]),
    sequenceElement(Tag.GraphicAnnotationSequence, [
      annotation(LAYERS.grey, [
        line(
          [40, 72],
          [88, 72],
          [
            sequenceElement(Tag.LineStyleSequence, [
              [numberElement(Tag.PatternOnColorCIELabValue, 'US', GREEN)],
            ]),
          ],
        ),
        line([40, 80], [88, 80]),
      ]),
      annotation(
        LAYERS.over,
        [line([64, 44], [64, 84])],
        [
          [
            textElement(Tag.UnformattedTextValue, 'ST', 'Green text'),
            textElement(Tag.AnchorPointAnnotationUnits, 'CS', 'PIXEL'),
            numberElement(Tag.AnchorPoint, 'FL', [36, 62]),
            textElement(Tag.AnchorPointVisibility, 'CS', 'N'),
            sequenceElement(Tag.TextStyleSequence, [[numberElement(Tag.TextColorCIELabValue, 'US', GREEN)]]),
          ],
        ],
      ),
      annotation(LAYERS.under, [line([30, 56], [98, 56])]),
    ]),
  ]);
}

/**
 * Stored values 1024 + 8 × column (0 HU on the left, intercept −1024, 8 HU a column), and a VOI LUT of
 * steps over them: black below 256 HU, white to 512 HU, the grey 100 beyond (no window draws that).
 */
const GRADIENT = {
  stored: (column: number) => 1024 + 8 * column,
  lutGrey: (hu: number) => (hu < 256 ? 0 : hu < 512 ? 255 : 100),
  /** Under the image's own window, W 400 L 100. */
  windowGrey: (hu: number) => Math.min(255, Math.max(0, ((hu + 100) / 400) * 255)),
  /** Columns, at their pixels' centres, and the value each holds. */
  columns: [10, 20, 40, 50, 80, 110].map((column) => ({ column, hu: 8 * column })),
};

/**
 * A presentation state whose Softcopy VOI LUT is a table: 2048 entries of 8 bits from −1024 HU, its first
 * value written unsigned (0xFC00), as a US LUT Descriptor holds it.
 */
function lutState(studyInstanceUid: string, image: Referenced): Uint8Array {
  const entries = Array.from({ length: 2048 }, (_, i) => GRADIENT.lutGrey(i - 1024));
  return presentationStateOf(studyInstanceUid, 'STEPS', image, [
    sequenceElement(Tag.SoftcopyVOILUTSequence, [
      [
        sequenceElement(Tag.VOILUTSequence, [
          [
            numberElement(Tag.LUTDescriptor, 'US', [2048, 0xfc00, 8]),
            textElement(Tag.LUTExplanation, 'LO', 'STEPS'),
            numberElement(Tag.LUTData, 'US', entries),
          ],
        ]),
      ],
    ]),
  ]);
}

/** Image points (column, row) on the box's edges, and off them inside and outside it. */
const ON_BOX: [number, number][] = [
  [65, BOX.top],
  [BOX.right, 50],
  [65, BOX.bottom],
  [BOX.left, 50],
];
const OFF_BOX: [number, number][] = [
  [65, 50],
  [65, 20],
  [100, 50],
  [30, 50],
];

/** Image points (column, row) just outside the shutter on each side: image coordinates, pixel centres. */
const SHUTTERED: [number, number][] = [
  [SHUTTER.left - 1.5, 50],
  [SHUTTER.right + 0.5, 50],
  [65, SHUTTER.upper - 1.5],
  [65, SHUTTER.lower + 0.5],
];

/** The colour the page shows at each image point of viewport 0. */
const colours = (page: Page, points: readonly [number, number][]) => shownColours(page, points);

/** The annotation colour (#ffd400) rather than a grey. */
const annotated = ([r, g, b]: [number, number, number]) => r > 200 && g > 150 && b < 80;
const grey = ([r, g, b]: [number, number, number]) => Math.abs(r - b) < 12 && Math.abs(r - g) < 12;
/** The shutter's grey. */
const shuttered = (rgb: [number, number, number]) => rgb.every((v) => Math.abs(v - SHUTTER.grey) <= 3);
/** A grey of the image, which is lighter than the shutter's. */
const imageGrey = (rgb: [number, number, number]) => grey(rgb) && rgb[0] > SHUTTER.grey + 40;

describe('grayscale softcopy presentation states in the viewer (PS3.3 A.33.1)', () => {
  let session: Partial<ViewerSession> = {};
  const study = generateUid();
  const image = { seriesInstanceUid: generateUid(), sopInstanceUid: generateUid() };
  /** A study of two slices whose presentation state references only one of them. */
  const twoSlices = generateUid();
  const referenced = { seriesInstanceUid: generateUid(), sopInstanceUid: generateUid() };
  const unreferenced = generateUid();
  /** A multi-frame image whose frames the presentation state gives displayed areas of their own. */
  const areaStudy = generateUid();
  const frames: Referenced = {
    seriesInstanceUid: generateUid(),
    sopInstanceUid: generateUid(),
    sopClassUid: SyntheticSopClass.MultiFrameGrayscaleByteSC,
  };
  /** A CT slice of pixels twice as tall as wide, under graphic layers and a circular shutter. */
  const layerStudy = generateUid();
  const tallPixels: Referenced = {
    seriesInstanceUid: generateUid(),
    sopInstanceUid: generateUid(),
    sopClassUid: SyntheticSopClass.CTImage,
  };
  /** A CT slice of values rising along its rows, under a VOI LUT table. */
  const lutStudy = generateUid();
  const gradient: Referenced = {
    seriesInstanceUid: generateUid(),
    sopInstanceUid: generateUid(),
    sopClassUid: SyntheticSopClass.CTImage,
  };

  beforeAll(async () => {
    session = await startViewerSession([
      ctImage(study, image.seriesInstanceUid, image.sopInstanceUid),
      presentationState(study, image),
      ctImage(twoSlices, referenced.seriesInstanceUid, referenced.sopInstanceUid),
      // Its own window, which it keeps while the other slice shows the presentation state's.
      ctImage(twoSlices, referenced.seriesInstanceUid, unreferenced, { center: '200', width: '600' }),
      presentationState(twoSlices, referenced),
      squareFrames(areaStudy, frames.seriesInstanceUid, frames.sopInstanceUid),
      presentationStateOf(areaStudy, 'AREAS', frames, [
        numberElement(Tag.ImageRotation, 'US', [90]),
        sequenceElement(Tag.DisplayedAreaSelectionSequence, [
          displayedArea(frames, [1], 'SCALE TO FIT', [
            textElement(Tag.PresentationPixelAspectRatio, 'IS', ['1', '1']),
          ]),
          // Frame 2 has none: it is fitted whole.
          displayedArea(frames, [3], 'MAGNIFY', [
            textElement(Tag.PresentationPixelAspectRatio, 'IS', ['2', '1']),
            numberElement(Tag.PresentationPixelMagnificationRatio, 'FL', [2]),
          ]),
          displayedArea(frames, [4], 'TRUE SIZE', [
            textElement(Tag.PresentationPixelSpacing, 'DS', ['0.5', '0.5']),
          ]),
        ]),
      ]),
      ctImage(layerStudy, tallPixels.seriesInstanceUid, tallPixels.sopInstanceUid, undefined, {
        extra: [textElement(Tag.PixelSpacing, 'DS', ['0.5', '0.25'])],
      }),
      layeredState(layerStudy, tallPixels),
      ctImage(lutStudy, gradient.seriesInstanceUid, gradient.sopInstanceUid, undefined, {
        pixelValue: (_row, column) => GRADIENT.stored(column),
      }),
      lutState(lutStudy, gradient),
    ]);
  }, 60_000);
  afterAll(async () => {
    await stopViewerSession(session);
  });

  it('lists the presentation state, applies its window, rotation, flip and annotations, and removes them', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, study, 1);
    const windowLevel = page.locator('[data-viewport-id="viewport-0"] .window-level');
    await expect.poll(() => windowLevel.textContent()).toBe('W 400 L 100');
    // Not applied until chosen.
    expect(await page.locator('.presentation-state-layer').count()).toBe(0);
    const corner = (column: number, row: number) => clientPoint(page, column, row);
    const [topLeft, topRight] = [await corner(0, 0), await corner(SIZE, 0)];
    expect(topRight[0]).toBeGreaterThan(topLeft[0] + 50);

    const choice = page.getByRole('button', { name: /LESION — Nodule follow-up/ });
    await expect.poll(() => choice.textContent()).toContain('Ann');
    await choice.click();
    await expect.poll(() => windowLevel.textContent()).toBe('W 300 L 50');

    // Rotated 90° clockwise, then flipped: the image's top right corner is at the bottom left, its top
    // left corner stays top left.
    await expect
      .poll(async () => {
        const [tl, tr] = [await corner(0, 0), await corner(SIZE, 0)];
        return Math.abs(tr[0] - tl[0]) < 2 && tr[1] > tl[1] + 50;
      })
      .toBe(true);

    // The box's edges are drawn on the image pixels it names; inside and outside it the image shows.
    await expect.poll(async () => (await colours(page, ON_BOX)).every(annotated)).toBe(true);
    expect((await colours(page, OFF_BOX)).every(imageGrey)).toBe(true);
    // Beyond the shutter's edges (turned and flipped with the image) its grey covers the image.
    expect((await colours(page, SHUTTERED)).every(shuttered)).toBe(true);
    const text = page.locator('.presentation-state-layer text', { hasText: TEXT.value });
    await expect.poll(() => text.isVisible()).toBe(true);
    // The text starts at its bounding box's top left on screen (the box turned with the image).
    const box = await text.boundingBox();
    const corners = [
      await corner(TEXT.topLeft[0], TEXT.topLeft[1]),
      await corner(TEXT.bottomRight[0], TEXT.bottomRight[1]),
    ];
    expect(box!.x).toBeGreaterThanOrEqual(Math.min(corners[0]![0], corners[1]![0]) - 3);
    expect(box!.x).toBeLessThan(Math.min(corners[0]![0], corners[1]![0]) + 6);
    expect(Math.abs(box!.y - Math.min(corners[0]![1], corners[1]![1]))).toBeLessThan(6);
    await screenshot(page, 'viewer-presentation-state');

    // An exported image shows the annotations and the shutter as the viewport does.
    const exportedAt = await exportedViewport(
      page,
      path.join(lightbox.dataDir, 'presentation-state-export.png'),
    );
    const exportedColours = async (points: readonly [number, number][]) =>
      Promise.all(points.map(async ([column, row]) => exportedAt(await corner(column, row))));
    expect((await exportedColours(ON_BOX)).every(annotated)).toBe(true);
    expect((await exportedColours(OFF_BOX)).every(imageGrey)).toBe(true);
    expect((await exportedColours(SHUTTERED)).every(shuttered)).toBe(true);
    // The text is written in the annotation colour where the page shows it.
    const written: [number, number, number][] = [];
    for (let x = box!.x; x < box!.x + box!.width; x++)
      for (let y = box!.y; y < box!.y + box!.height; y++) written.push(exportedAt([x, y]));
    expect(written.filter(annotated).length).toBeGreaterThan(20);

    // Choosing it again removes it: the image's window, orientation and no annotations.
    await choice.click();
    await expect.poll(() => windowLevel.textContent()).toBe('W 400 L 100');
    expect(await page.locator('.presentation-state-layer').count()).toBe(0);
    const [tl, tr] = [await corner(0, 0), await corner(SIZE, 0)];
    expect(tr[0]).toBeGreaterThan(tl[0] + 50);
    expect(Math.abs(tr[1] - tl[1])).toBeLessThan(2);
    expect((await colours(page, ON_BOX)).every(grey)).toBe(true);
    expect((await colours(page, SHUTTERED)).every(imageGrey)).toBe(true);
  });

  it('shows only the images it references as it says, the other slices of the stack as they are', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, twoSlices, 2);
    const windowLevel = page.locator('[data-viewport-id="viewport-0"] .window-level');
    // Either slice may come first (they lie at the same place): each shows its own window.
    await expect.poll(() => windowLevel.textContent()).toMatch(/^W (400 L 100|600 L 200)$/);
    await page.getByRole('button', { name: /LESION — Nodule follow-up/ }).click();
    /** The window and whether the image lies upright, once they stay the same over two reads. */
    const shown = async () => {
      const read = async () => {
        const [tl, tr] = [await clientPoint(page, 0, 0), await clientPoint(page, SIZE, 0)];
        return { window: await windowLevel.textContent(), upright: tr[0] > tl[0] + 50 };
      };
      let before = JSON.stringify(await read());
      await expect
        .poll(
          async () => {
            const now = JSON.stringify(await read());
            const settled = now === before;
            before = now;
            return settled;
          },
          { interval: 200 },
        )
        .toBe(true);
      return read();
    };
    const slices: Array<{ window: string | null; upright: boolean }> = [await shown()];
    for (const [key, label] of [
      ['ArrowDown', 'Im 2/2'],
      ['ArrowUp', 'Im 1/2'],
    ] as const) {
      await page.locator('[data-viewport-id="viewport-0"]').click();
      await page.keyboard.press(key);
      await page.locator('[data-viewport-id="viewport-0"] .slice-index').filter({ hasText: label }).waitFor();
      slices.push(await shown());
    }
    // Back on the first slice, it is shown as it was the first time.
    expect(slices[2]).toEqual(slices[0]);
    // One slice is the referenced one, shown as the state says; the other as it was, upright.
    expect(slices.slice(0, 2)).toEqual(
      expect.arrayContaining([
        { window: 'W 300 L 50', upright: false },
        { window: 'W 600 L 200', upright: true },
      ]),
    );
  });
  it('shows each frame its displayed area in its size mode, only the frames it names, and fits again when removed', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, areaStudy, 4);
    const vp = await viewportBox(page);
    const [cx, cy] = [vp.x + vp.width / 2, vp.y + vp.height / 2];
    /** The square's size on screen, across and down, from where its corners are drawn. */
    const squareOnScreen = async () => {
      const [a, b] = [
        await clientPoint(page, SQUARE.left - 1, SQUARE.top - 1),
        await clientPoint(page, SQUARE.right, SQUARE.bottom),
      ];
      return { across: Math.abs(b[0] - a[0]), down: Math.abs(b[1] - a[1]), a, b };
    };
    const white = near([255, 255, 255], 12);
    const black = near([0, 0, 0], 12);
    /** Whether the page shows white at `inside` and black at `outside` (offsets from the centre). */
    const shows = async (inside: [number, number][], outside: [number, number][]) => {
      const at = (offsets: [number, number][]) =>
        coloursAtClient(
          page,
          offsets.map(([dx, dy]) => [cx + dx, cy + dy]),
        );
      return (await at(inside)).every(white) && (await at(outside)).every(black);
    };
    const goTo = async (key: 'ArrowDown' | 'ArrowUp', label: string) => {
      await page.locator('[data-viewport-id="viewport-0"]').click();
      await page.keyboard.press(key);
      await page.locator('[data-viewport-id="viewport-0"] .slice-index').filter({ hasText: label }).waitFor();
    };
    // The whole image fitted: the square a quarter of it.
    const [origin, end] = [await clientPoint(page, 0, 0), await clientPoint(page, SIZE, SIZE)];
    const fitted = Math.abs(end[1] - origin[1]);
    expect(Math.abs((await squareOnScreen()).down - fitted / 4)).toBeLessThan(1);

    await page.getByRole('button', { name: /AREAS/ }).click();
    // Frame 1, SCALE TO FIT: the square fills the viewport's height (it is wider than tall), centred,
    // the black around it beyond its edges; turned a quarter, as the presentation state turns it.
    expect(vp.width).toBeGreaterThan(vp.height + 40);
    const half = vp.height / 2;
    // An image pixel on screen: its edges are blurred over it (linear interpolation), so the points are
    // as far within and beyond the square's edges.
    const pixel = vp.height / (SQUARE.bottom - SQUARE.top + 1);
    await expect
      .poll(async () => {
        const { across, down } = await squareOnScreen();
        return Math.abs(across - vp.height) < 2 && Math.abs(down - vp.height) < 2;
      })
      .toBe(true);
    const { a, b } = await squareOnScreen();
    // Turned 90° clockwise: the square's top left corner is at its top right on screen.
    expect(a[0]).toBeGreaterThan(b[0]);
    expect(a[1]).toBeLessThan(b[1]);
    expect(
      await shows(
        [
          [0, 0],
          [half - pixel, 0],
          [-(half - pixel), 0],
          [0, half - pixel],
          [0, -(half - pixel)],
        ],
        [
          [half + pixel, 0],
          [-(half + pixel), 0],
        ],
      ),
    ).toBe(true);
    await screenshot(page, 'viewer-presentation-state-displayed-area');

    // Another layout: the area is fitted to the viewport's new size (now narrower than tall).
    const layout = page.getByLabel('Layout');
    await layout.selectOption('1x2');
    await expect
      .poll(async () => {
        const narrow = await viewportBox(page);
        const { across, down } = await squareOnScreen();
        const side = Math.min(narrow.width, narrow.height);
        return narrow.width < vp.width - 100 && Math.abs(across - side) < 2 && Math.abs(down - side) < 2;
      })
      .toBe(true);
    await layout.selectOption('1x1');
    await expect.poll(async () => Math.abs((await squareOnScreen()).down - vp.height) < 2).toBe(true);

    // Frame 2, for which it gives no area: the whole image fitted (still turned).
    await goTo('ArrowDown', 'Im 2/4');
    await expect.poll(async () => Math.abs((await squareOnScreen()).down - fitted / 4) < 2).toBe(true);

    // Frame 3, MAGNIFY 2 with pixels shown twice as tall as wide (Presentation Pixel Aspect Ratio 2\1):
    // a pixel 2 screen pixels wide and 4 tall, turned: 4 across, 2 down, so the square is 128 × 64, the
    // points 1.5 pixels or more from its edges.
    await goTo('ArrowDown', 'Im 3/4');
    await expect
      .poll(async () => {
        const { across, down } = await squareOnScreen();
        return Math.abs(across - 128) < 2 && Math.abs(down - 64) < 2;
      })
      .toBe(true);
    expect(
      await shows(
        [
          [0, 0],
          [58, 0],
          [-58, 0],
          [0, 26],
          [0, -26],
        ],
        [
          [72, 0],
          [-72, 0],
          [0, 40],
          [0, -40],
        ],
      ),
    ).toBe(true);

    // Frame 4, TRUE SIZE: the browser does not say how large its pixels are, so fitted as frame 1.
    await goTo('ArrowDown', 'Im 4/4');
    await expect.poll(async () => Math.abs((await squareOnScreen()).down - vp.height) < 2).toBe(true);
    expect(await shows([[half - pixel, 0]], [[half + pixel, 0]])).toBe(true);

    // None: the image fitted whole again, upright.
    await page.getByRole('button', { name: 'None' }).click();
    await expect
      .poll(async () => {
        const { down, a: topLeft, b: bottomRight } = await squareOnScreen();
        return Math.abs(down - fitted / 4) < 2 && topLeft[0] < bottomRight[0];
      })
      .toBe(true);
  });

  it('draws graphic layers in their colours and order, and a circular shutter round on pixels that are not square', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, layerStudy, 1);
    await page.getByRole('button', { name: /LAYERS/ }).click();
    const red = near([255, 0, 0]);
    const blue = near([0, 0, 255]);
    const green = near([0, 255, 0]);
    const layerGrey = near([LAYER_GREY, LAYER_GREY, LAYER_GREY], 12);
    const expected: [[number, number], (rgb: Rgb) => boolean][] = [
      [[40, 56], blue],
      [[64, 50], red],
      // OVER (order 2) crosses UNDER (order 1) above it, though listed first.
      [[64, 56], red],
      // Its Line Style's green, not its layer's grey.
      [[50, 72], green],
      [[50, 80], layerGrey],
      // GREY (order 3) is above OVER where they cross.
      [[64, 72], green],
      [[64, 80], layerGrey],
    ];
    await expect
      .poll(async () => {
        const shown = await colours(
          page,
          expected.map(([point]) => point),
        );
        return shown.every((rgb, i) => expected[i]![1](rgb));
      })
      .toBe(true);
    const text = page.locator('.presentation-state-layer text', { hasText: 'Green text' });
    const textBox = (await text.boundingBox())!;
    expect((await coloursInBox(page, textBox)).filter(green).length).toBeGreaterThan(20);

    // The shutter: 48 columns across (12 mm), and as far down, 24 rows (not 48).
    const { centre, radius } = CIRCLE;
    const seen: [number, number][] = [
      [centre + radius - 4, centre],
      [centre - radius + 4, centre],
      [centre, centre + radius / 2 - 2],
      [centre, centre - radius / 2 + 2],
    ];
    const covered: [number, number][] = [
      [centre + radius + 4, centre],
      [centre - radius - 4, centre],
      [centre, centre + radius / 2 + 2],
      [centre, centre - radius / 2 - 2],
      // Where a circle of 48 rows would still show the image.
      [centre, centre + 40],
    ];
    expect((await colours(page, seen)).every(imageGrey)).toBe(true);
    expect((await colours(page, covered)).every(shuttered)).toBe(true);
    // Round on screen: as far across as down from its centre.
    const [c, across, down] = [
      await clientPoint(page, centre, centre),
      await clientPoint(page, centre + radius, centre),
      await clientPoint(page, centre, centre + radius / 2),
    ];
    expect(Math.abs(across[0] - c[0] - (down[1] - c[1]))).toBeLessThan(1);
    await screenshot(page, 'viewer-presentation-state-layers');
  });

  it('applies a VOI LUT table, and the image its own window again when removed', async () => {
    const { lightbox, browser } = session as ViewerSession;
    const page = await browser.newPage();
    await openStudy(page, lightbox.baseUrl, lutStudy, 1);
    /** The greys the canvas shows at the middle row, column by column of GRADIENT.columns. */
    const greys = async () =>
      Promise.all(GRADIENT.columns.map(({ column }) => displayedGrey(page, column + 0.5, 64.5)));
    const within = (expected: number[], tolerance: number) => (shown: number[]) =>
      shown.every((grey, i) => Math.abs(grey - expected[i]!) <= tolerance);
    const ownWindow = GRADIENT.columns.map(({ hu }) => GRADIENT.windowGrey(hu));
    await expect.poll(greys).toSatisfy(within(ownWindow, 6));

    const choice = page.getByRole('button', { name: /STEPS/ });
    await choice.click();
    // Black, white, then the grey 100: the table's steps, read from −1024 HU (0xFC00).
    const stepped = GRADIENT.columns.map(({ hu }) => GRADIENT.lutGrey(hu));
    await expect.poll(greys).toSatisfy(within(stepped, 6));
    await screenshot(page, 'viewer-presentation-state-voi-lut');

    await choice.click();
    await expect.poll(greys).toSatisfy(within(ownWindow, 6));
  });
});

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
import { clientPoint, exportedViewport, shownColours } from './viewer-automation.js';
import { openStudy, startViewerSession, stopViewerSession, type ViewerSession } from './viewer-session.js';

const GSPS = '1.2.840.10008.5.1.4.1.1.11.1';
const SIZE = 128;
const PATIENT = { id: 'GSPS1', name: 'Presentation^State' };

/** A CT slice of grey 76 HU (stored 1100, intercept −1024) under its own window W 400 L 100. */
function ctImage(
  studyInstanceUid: string,
  seriesInstanceUid: string,
  sopInstanceUid: string,
  window = { center: '100', width: '400' },
): Uint8Array {
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
    pixelValue: () => 1100,
    extra: [
      textElement(Tag.WindowCenter, 'DS', [window.center]),
      textElement(Tag.WindowWidth, 'DS', [window.width]),
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

  beforeAll(async () => {
    session = await startViewerSession([
      ctImage(study, image.seriesInstanceUid, image.sopInstanceUid),
      presentationState(study, image),
      ctImage(twoSlices, referenced.seriesInstanceUid, referenced.sopInstanceUid),
      // Its own window, which it keeps while the other slice shows the presentation state's.
      ctImage(twoSlices, referenced.seriesInstanceUid, unreferenced, { center: '200', width: '600' }),
      presentationState(twoSlices, referenced),
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
});

import { describe, expect, it } from 'vitest';
import type { DicomJson } from '../dicomweb/dicom-json';
import {
  annotationsFor,
  appliesToImage,
  appliesToSeries,
  displayedAreaFor,
  GRAYSCALE_SOFTCOPY_PRESENTATION_STATE,
  parsePresentationState,
  presentationStateTitle,
  shutterFor,
  windowFor,
} from './presentation-state';

const SERIES = '1.2.3.1';
const IMAGE_A = '1.2.3.1.1';
const IMAGE_B = '1.2.3.1.2';
const MULTI_FRAME = '1.2.3.1.3';

const text = (vr: string, ...values: string[]) => ({ vr, Value: values });
const numbers = (vr: string, ...values: number[]) => ({ vr, Value: values });
const sequence = (...items: DicomJson[]) => ({ vr: 'SQ', Value: items });
const image = (uid: string, frames?: number[]): DicomJson => ({
  '00081150': text('UI', '1.2.840.10008.5.1.4.1.1.2'),
  '00081155': text('UI', uid),
  ...(frames !== undefined ? { '00081160': numbers('IS', ...frames) } : {}),
});

/** A presentation state on images A, B and frames 1–2 of a multi-frame image, plus `extra`. */
function presentationState(extra: DicomJson = {}): DicomJson {
  return {
    '00080016': text('UI', GRAYSCALE_SOFTCOPY_PRESENTATION_STATE),
    '00080018': text('UI', '1.2.3.9.1'),
    '00700080': text('CS', 'LESION'),
    '00700081': text('LO', 'Nodule follow-up'),
    '00700082': text('DA', '20240301'),
    '00700083': text('TM', '101500'),
    '00700084': text('PN', 'Reader^Ann'),
    '00081115': sequence({
      '0020000E': text('UI', SERIES),
      '00081140': sequence(image(IMAGE_A), image(IMAGE_B), image(MULTI_FRAME, [1, 2])),
    }),
    ...extra,
  };
}

describe('presentation states (PS3.3 A.33.1)', () => {
  it('reads what it is, who made it and which images it applies to', () => {
    const state = parsePresentationState(presentationState())!;
    expect(state).toMatchObject({
      sopInstanceUid: '1.2.3.9.1',
      label: 'LESION',
      description: 'Nodule follow-up',
      creator: 'Reader^Ann',
      date: '20240301',
      time: '101500',
      rotation: 0,
      horizontalFlip: false,
      windows: [],
      annotations: [],
    });
    expect(state.presentationLutShape).toBeUndefined();
    expect(presentationStateTitle(state)).toBe('LESION — Nodule follow-up');
    expect(appliesToSeries(state, SERIES)).toBe(true);
    expect(appliesToSeries(state, '9.9')).toBe(false);
    expect(appliesToImage(state, IMAGE_A)).toBe(true);
    expect(appliesToImage(state, MULTI_FRAME, 2)).toBe(true);
    expect(appliesToImage(state, MULTI_FRAME, 3)).toBe(false);
    expect(appliesToImage(state, '9.9')).toBe(false);
  });

  it('is not one when the SOP class is another', () => {
    expect(
      parsePresentationState({ ...presentationState(), '00080016': text('UI', '1.2.840.10008.5.1.4.1.1.2') }),
    ).toBeUndefined();
    expect(parsePresentationState({})).toBeUndefined();
  });

  it('gives each image its window: per image where the item lists images, else every image', () => {
    const state = parsePresentationState(
      presentationState({
        '00283110': sequence(
          {
            '00081140': sequence(image(IMAGE_B)),
            '00281050': numbers('DS', -600),
            '00281051': numbers('DS', 1500),
            '00281055': text('LO', 'LUNG'),
          },
          { '00281050': numbers('DS', 40), '00281051': numbers('DS', 400) },
          // A VOI LUT table, not a window: not applied.
          { '00283010': sequence({}) },
        ),
        '20500020': text('CS', 'INVERSE'),
      }),
    )!;
    expect(windowFor(state, IMAGE_B)).toMatchObject({ center: -600, width: 1500, explanation: 'LUNG' });
    expect(windowFor(state, IMAGE_A)).toMatchObject({ center: 40, width: 400 });
    expect(windowFor(state, '9.9')).toBeUndefined();
    expect(state.windows).toHaveLength(2);
    expect(state.presentationLutShape).toBe('INVERSE');
  });

  it('reads rotation and flip, and ignores a rotation that is not a quarter turn', () => {
    const state = parsePresentationState(
      presentationState({ '00700042': numbers('US', 270), '00700041': text('CS', 'Y') }),
    )!;
    expect(state.rotation).toBe(270);
    expect(state.horizontalFlip).toBe(true);
    expect(parsePresentationState(presentationState({ '00700042': numbers('US', 45) }))!.rotation).toBe(0);
  });

  it('reads the displayed area as image coordinates (its corners, 1-based pixels)', () => {
    const state = parsePresentationState(
      presentationState({
        '0070005A': sequence({
          '00700052': numbers('SL', 1, 1),
          '00700053': numbers('SL', 256, 128),
          '00700100': text('CS', 'SCALE TO FIT'),
        }),
      }),
    )!;
    expect(displayedAreaFor(state, IMAGE_A)).toMatchObject({ topLeft: [0, 0], bottomRight: [256, 128] });
  });

  it('reads text and graphic objects in their units, on the images each annotation names', () => {
    const state = parsePresentationState(
      presentationState({
        '00700001': sequence(
          {
            '00081140': sequence(image(IMAGE_A)),
            '00700002': text('CS', 'MEASUREMENTS'),
            '00700008': sequence({
              '00700006': text('ST', 'Nodule 12 mm'),
              '00700003': text('CS', 'PIXEL'),
              '00700010': numbers('FL', 10, 20),
              '00700011': numbers('FL', 60, 30),
              '00700004': text('CS', 'PIXEL'),
              '00700014': numbers('FL', 40, 50),
              '00700015': text('CS', 'Y'),
            }),
            '00700009': sequence(
              {
                '00700005': text('CS', 'PIXEL'),
                '00700020': numbers('US', 2),
                '00700021': numbers('US', 5),
                '00700022': numbers('FL', 0, 0, 10, 0, 10, 10, 0, 10, 0, 0),
                '00700023': text('CS', 'POLYLINE'),
                '00700024': text('CS', 'N'),
              },
              {
                '00700005': text('CS', 'DISPLAY'),
                '00700021': numbers('US', 2),
                '00700022': numbers('FL', 0.5, 0.5, 0.6, 0.5),
                '00700023': text('CS', 'CIRCLE'),
                '00700024': text('CS', 'Y'),
              },
            ),
          },
          {
            '00700002': text('CS', 'ARROWS'),
            '00700009': sequence({
              '00700005': text('CS', 'PIXEL'),
              '00700022': numbers('FL', 1, 2, 3, 4, 5, 6, 7, 8),
              '00700023': text('CS', 'ELLIPSE'),
            }),
          },
        ),
      }),
    )!;
    const onA = annotationsFor(state, IMAGE_A);
    expect(onA).toHaveLength(2);
    expect(onA[0]).toEqual({
      appliesTo: [{ sopInstanceUid: IMAGE_A, frames: [] }],
      layer: 'MEASUREMENTS',
      texts: [
        {
          text: 'Nodule 12 mm',
          boundingBox: { units: 'PIXEL', topLeft: [10, 20], bottomRight: [60, 30] },
          anchor: { units: 'PIXEL', point: [40, 50], visible: true },
        },
      ],
      graphics: [
        {
          type: 'POLYLINE',
          units: 'PIXEL',
          points: [
            [0, 0],
            [10, 0],
            [10, 10],
            [0, 10],
            [0, 0],
          ],
          filled: false,
        },
        {
          type: 'CIRCLE',
          units: 'DISPLAY',
          points: [
            [0.5, 0.5],
            [0.6, 0.5],
          ],
          filled: true,
        },
      ],
    });
    // The second annotation names no images: it is on every image of the presentation state.
    expect(annotationsFor(state, IMAGE_B).map((a) => a.layer)).toEqual(['ARROWS']);
    expect(annotationsFor(state, MULTI_FRAME, 3)).toEqual([]);
  });

  it('survives malformed input: missing sequences, odd point counts, unknown types and units', () => {
    const state = parsePresentationState({
      '00080016': text('UI', GRAYSCALE_SOFTCOPY_PRESENTATION_STATE),
      '00080018': text('UI', '1.2.3.9.2'),
      '00081115': { vr: 'SQ' },
      '00283110': sequence({ '00281050': numbers('DS', 40) }, { '00281051': numbers('DS', 0) }),
      '00700001': {
        vr: 'SQ',
        Value: [
          'not an item',
          {
            '00700009': sequence(
              // Odd count of values: the last is dropped; a polyline of one point is left out.
              {
                '00700005': text('CS', 'PIXEL'),
                '00700022': numbers('FL', 1, 2, 3),
                '00700023': text('CS', 'POLYLINE'),
              },
              // More points than it says: only the stated count is drawn.
              {
                '00700005': text('CS', 'PIXEL'),
                '00700021': numbers('US', 2),
                '00700022': numbers('FL', 1, 2, 3, 4, 5, 6),
                '00700023': text('CS', 'INTERPOLATED'),
              },
              {
                '00700005': text('CS', 'MATRIX'),
                '00700022': numbers('FL', 1, 2),
                '00700023': text('CS', 'POINT'),
              },
              {
                '00700005': text('CS', 'PIXEL'),
                '00700022': numbers('FL', 1, 2),
                '00700023': text('CS', 'SPLINE'),
              },
              { '00700005': text('CS', 'PIXEL'), '00700022': { vr: 'FL' }, '00700023': text('CS', 'POINT') },
              {
                '00700005': text('CS', 'PIXEL'),
                '00700020': numbers('US', 3),
                '00700022': numbers('FL', 1, 2, 3),
              },
            ),
            // Text without a box or an anchor has nowhere to go.
            '00700008': sequence({ '00700006': text('ST', 'lost') }, {}),
          },
        ],
      },
      '0070005A': sequence({ '00700052': numbers('SL', 1) }),
      '00700042': text('US', 'ninety'),
    })!;
    expect(state.series).toEqual([]);
    expect(state.windows).toEqual([]);
    expect(state.displayedAreas).toEqual([]);
    expect(state.rotation).toBe(0);
    expect(state.annotations).toHaveLength(1);
    expect(state.annotations[0]!.texts).toEqual([]);
    expect(state.annotations[0]!.graphics).toEqual([
      {
        type: 'INTERPOLATED',
        units: 'PIXEL',
        points: [
          [1, 2],
          [3, 4],
        ],
        filled: false,
      },
    ]);
    expect(presentationStateTitle(state)).toBe('Presentation state');
    // It applies to no image, since it references none.
    expect(annotationsFor(state, IMAGE_A)).toEqual([]);
  });

  it('reads the display shutter: its shapes in image coordinates and its grey (C.7.6.11)', () => {
    const state = parsePresentationState(
      presentationState({
        '00181600': text('CS', 'RECTANGULAR', 'CIRCULAR', 'POLYGONAL'),
        // Columns 11–100 and rows 21–90 are seen: from the left edge of the first to the right of the last.
        '00181602': numbers('IS', 11),
        '00181604': numbers('IS', 100),
        '00181606': numbers('IS', 21),
        '00181608': numbers('IS', 90),
        // Row then column, unlike Graphic Data: the centre of pixel (row 40, column 60).
        '00181610': numbers('IS', 40, 60),
        '00181612': numbers('IS', 30),
        '00181620': numbers('IS', 1, 1, 1, 64, 64, 32),
        '00181622': numbers('US', 0x8000),
      }),
    )!;
    expect(state.shutter).toEqual({
      shapes: [
        { shape: 'RECTANGULAR', left: 10, top: 20, right: 100, bottom: 90 },
        { shape: 'CIRCULAR', centre: [59.5, 39.5], radius: 30 },
        {
          shape: 'POLYGONAL',
          vertices: [
            [0.5, 0.5],
            [63.5, 0.5],
            [31.5, 63.5],
          ],
        },
      ],
      presentationValue: 0x8000,
    });
    // On the images the presentation state references only.
    expect(shutterFor(state, IMAGE_A)).toBe(state.shutter);
    expect(shutterFor(state, MULTI_FRAME, 3)).toBeUndefined();
    expect(shutterFor(state, '9.9.9')).toBeUndefined();
  });

  it('leaves out shutter shapes it cannot read, and a shutter with none', () => {
    const state = parsePresentationState(
      presentationState({
        '00181600': text('CS', 'rectangular', 'CIRCULAR', 'BITMAP'),
        '00181602': numbers('IS', 50),
        '00181604': numbers('IS', 10), // right of the left edge: not a rectangle
        '00181606': numbers('IS', 1),
        '00181608': numbers('IS', 9),
        '00181610': numbers('IS', 5, 5),
        '00181612': numbers('IS', 4),
        '00181624': numbers('US', 0xffff, 0x8080, 0x8080),
      }),
    )!;
    expect(state.shutter).toEqual({
      shapes: [{ shape: 'CIRCULAR', centre: [4.5, 4.5], radius: 4 }],
      cieLab: [0xffff, 0x8080, 0x8080],
    });
    const none = parsePresentationState(
      presentationState({
        '00181600': text('CS', 'POLYGONAL'),
        '00181620': numbers('IS', 1, 1, 5, 5), // two vertices
        '00181622': numbers('US', 100),
      }),
    )!;
    expect(none.shutter).toBeUndefined();
    expect(parsePresentationState(presentationState())!.shutter).toBeUndefined();
  });
});

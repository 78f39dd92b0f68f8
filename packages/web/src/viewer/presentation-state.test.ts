import { describe, expect, it, vi } from 'vitest';
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
  voiFor,
  withVoiLutData,
  lutEntriesOf,
  layerOf,
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
      vois: [],
      layers: [],
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
          // A VOI LUT Sequence without a table it can read: nothing to apply.
          { '00283010': sequence({}) },
        ),
        '20500020': text('CS', 'INVERSE'),
      }),
    )!;
    expect(voiFor(state, IMAGE_B)).toEqual({
      appliesTo: [{ sopInstanceUid: IMAGE_B, frames: [] }],
      window: { center: -600, width: 1500 },
      explanation: 'LUNG',
    });
    expect(voiFor(state, IMAGE_A)).toMatchObject({ window: { center: 40, width: 400 } });
    expect(voiFor(state, '9.9')).toBeUndefined();
    expect(state.vois).toHaveLength(2);
    expect(state.presentationLutShape).toBe('INVERSE');
  });

  it('reads a VOI LUT table (C.11.2.1.1): its descriptor, and its data as values or inline words', () => {
    const state = parsePresentationState(
      presentationState({
        '00283110': sequence(
          {
            '00081140': sequence(image(IMAGE_A)),
            '00283010': sequence({
              '00283002': numbers('US', 4, 100, 12),
              '00283003': text('LO', 'SIGMOID'),
              '00283006': numbers('US', 0, 1000, 3000, 4095),
            }),
            // A window beside the table: the table is applied.
            '00281050': numbers('DS', 40),
            '00281051': numbers('DS', 400),
          },
          {
            '00081140': sequence(image(IMAGE_B)),
            '00283010': sequence({
              // SS: the first value mapped is negative as it is.
              '00283002': { vr: 'SS', Value: [3, -1024, 16] },
              // OW inline: 0x0000, 0x8000, 0xFFFF little endian.
              '00283006': { vr: 'OW', InlineBinary: btoa(String.fromCharCode(0, 0, 0, 0x80, 0xff, 0xff)) },
            }),
          },
          {
            '00283010': sequence({
              // 0 entries means 65536; the first value 0x8000 may be a negative one written unsigned.
              '00283002': numbers('US', 0, 0x8000, 16),
              '00283006': {
                vr: 'OW',
                BulkDataURI: 'http://archive/studies/1/bulkdata/00283110/2/00283010/0/00283006',
              },
            }),
          },
        ),
      }),
    )!;
    expect(voiFor(state, IMAGE_A)).toEqual({
      appliesTo: [{ sopInstanceUid: IMAGE_A, frames: [] }],
      window: { center: 40, width: 400 },
      lut: { firstMapped: 100, mayBeNegative: false, entries: 4, bits: 12, data: [0, 1000, 3000, 4095] },
      explanation: 'SIGMOID',
    });
    expect(voiFor(state, IMAGE_B)?.lut).toEqual({
      firstMapped: -1024,
      mayBeNegative: false,
      entries: 3,
      bits: 16,
      data: [0, 0x8000, 0xffff],
    });
    expect(voiFor(state, MULTI_FRAME, 1)?.lut).toEqual({
      firstMapped: 0x8000,
      mayBeNegative: true,
      entries: 0x10000,
      bits: 16,
      data: { bulkDataUri: 'http://archive/studies/1/bulkdata/00283110/2/00283010/0/00283006' },
    });
  });

  it('reads 8-bit entries held two to a word, and leaves out a table shorter than its descriptor', () => {
    expect(lutEntriesOf([0x0201, 0x0403], 4, 8)).toEqual([1, 2, 3, 4]);
    expect(lutEntriesOf([1, 2, 3, 4], 4, 8)).toEqual([1, 2, 3, 4]);
    expect(lutEntriesOf([1, 2, 3, 4, 5], 4, 16)).toEqual([1, 2, 3, 4]);
    expect(lutEntriesOf([1, 2, 3], 4, 16)).toBeUndefined();
    // An odd count: the last word's high byte is padding.
    expect(lutEntriesOf([0x0201, 0x0003], 3, 8)).toEqual([1, 2, 3]);
    expect(lutEntriesOf([0x0201, 0x0403, 0x0005], 5, 8)).toEqual([1, 2, 3, 4, 5]);
    // One entry a word is still read as such, and a table short of even its packed words is left out.
    expect(lutEntriesOf([1, 2, 3], 3, 8)).toEqual([1, 2, 3]);
    expect(lutEntriesOf([0x0201], 3, 8)).toBeUndefined();
    const state = parsePresentationState(
      presentationState({
        '00283110': sequence({
          '00283010': sequence({ '00283002': numbers('US', 4, 0, 8), '00283006': numbers('US', 1, 2) }),
        }),
      }),
    )!;
    expect(state.vois[0]?.lut?.data).toEqual([1, 0, 2, 0]);
    const short = parsePresentationState(
      presentationState({
        '00283110': sequence({
          '00283010': sequence({ '00283002': numbers('US', 4, 0, 16), '00283006': numbers('US', 1, 2) }),
        }),
      }),
    )!;
    expect(short.vois).toEqual([]);
  });

  it('reads the count and bits of a LUT Descriptor written SS as unsigned (C.11.1.1.1)', () => {
    const lutOf = (descriptor: number[], data: number[]) =>
      parsePresentationState(
        presentationState({
          '00283110': sequence({
            '00283010': sequence({
              '00283002': { vr: 'SS', Value: descriptor },
              '00283006': numbers('OW', ...data),
            }),
          }),
        }),
      )!.vois[0]?.lut;
    // 40,000 entries written SS read back as −25,536: still 40,000, the first value mapped still signed.
    const wide = lutOf(
      [40000 - 0x10000, -2000, 16],
      Array.from({ length: 40000 }, (_, i) => i),
    );
    expect(wide).toMatchObject({ entries: 40000, firstMapped: -2000, mayBeNegative: false, bits: 16 });
    expect(
      lutOf(
        [0, 0, 16],
        Array.from({ length: 0x10000 }, (_, i) => i),
      )?.entries,
    ).toBe(0x10000);
    expect(lutOf([3, 0, 12], [0, 1, 2])).toMatchObject({ entries: 3, bits: 12 });
  });

  it('reads a VOI LUT the metadata holds as bulk data from the archive, keeping the window if it cannot', async () => {
    const uri = 'http://archive/studies/1/bulkdata/00283110/0/00283010/0/00283006';
    const state = parsePresentationState(
      presentationState({
        '00283110': sequence({
          '00283010': sequence({
            '00283002': numbers('US', 3, 0, 16),
            '00283006': { vr: 'OW', BulkDataURI: uri },
          }),
          '00281050': numbers('DS', 40),
          '00281051': numbers('DS', 400),
        }),
      }),
    )!;
    const read = await withVoiLutData(state, (asked) => {
      expect(asked).toBe(uri);
      return Promise.resolve(new Uint8Array([1, 0, 2, 0, 0xff, 0xff]));
    });
    expect(read.vois[0]?.lut?.data).toEqual([1, 2, 0xffff]);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = await withVoiLutData(state, () => Promise.reject(new Error('gone')));
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
    expect(failing.vois).toEqual([{ appliesTo: 'all', window: { center: 40, width: 400 } }]);
    // Nothing to read: the same state.
    const plain = parsePresentationState(presentationState())!;
    expect(await withVoiLutData(plain, () => Promise.reject(new Error('not asked')))).toBe(plain);
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
          '00700102': numbers('IS', 1, 1),
        }),
      }),
    )!;
    expect(displayedAreaFor(state, IMAGE_A)).toEqual({
      appliesTo: 'all',
      topLeft: [0, 0],
      bottomRight: [256, 128],
      sizeMode: 'SCALE TO FIT',
      pixelAspectRatio: [1, 1],
    });
  });

  it('reads each displayed area with its size mode, on the images and frames it names', () => {
    const state = parsePresentationState(
      presentationState({
        '0070005A': sequence(
          {
            '00081140': sequence(image(IMAGE_A)),
            // Named as seen after a quarter turn: the top left corner is the image's bottom left pixel.
            // Beyond the image on the left.
            '00700052': numbers('SL', -9, 100),
            '00700053': numbers('SL', 50, 21),
            '00700100': text('CS', 'TRUE SIZE'),
            '00700101': numbers('DS', 0.2, 0.1),
          },
          {
            '00081140': sequence(image(MULTI_FRAME, [2])),
            '00700052': numbers('SL', 1, 1),
            '00700053': numbers('SL', 64, 64),
            '00700100': text('CS', 'MAGNIFY'),
            '00700102': numbers('IS', 2, 1),
            '00700103': numbers('FL', 2),
          },
          {
            '00081140': sequence(image(IMAGE_B), image(MULTI_FRAME, [1])),
            '00700052': numbers('SL', 1, 1),
            '00700053': numbers('SL', 64, 64),
            // MAGNIFY without its ratio: fitted.
            '00700100': text('CS', 'MAGNIFY'),
          },
        ),
      }),
    )!;
    expect(displayedAreaFor(state, IMAGE_A)).toMatchObject({
      topLeft: [-10, 20],
      bottomRight: [50, 100],
      sizeMode: 'TRUE SIZE',
      pixelSpacing: [0.2, 0.1],
    });
    expect(displayedAreaFor(state, MULTI_FRAME, 2)).toMatchObject({
      sizeMode: 'MAGNIFY',
      magnification: 2,
      pixelAspectRatio: [2, 1],
    });
    expect(displayedAreaFor(state, MULTI_FRAME, 1)).toMatchObject({ sizeMode: 'SCALE TO FIT' });
    expect(displayedAreaFor(state, MULTI_FRAME, 1)?.magnification).toBeUndefined();
    expect(displayedAreaFor(state, IMAGE_B)?.sizeMode).toBe('SCALE TO FIT');
    expect(displayedAreaFor(state, MULTI_FRAME, 3)).toBeUndefined();
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

  it('reads graphic layers in their order with their recommended colours, and draws annotations by them', () => {
    const graphic = (layer: string, extra: DicomJson = {}): DicomJson => ({
      '00700002': text('CS', layer),
      '00700009': sequence({
        '00700005': text('CS', 'PIXEL'),
        '00700022': numbers('FL', 1, 1),
        '00700023': text('CS', 'POINT'),
        ...extra,
      }),
    });
    const state = parsePresentationState(
      presentationState({
        '00700060': sequence(
          {
            '00700002': text('CS', 'ARROWS'),
            '00700062': numbers('IS', 5),
            '00700401': numbers('US', 0xffff, 0x8080, 0x8080),
            '00700068': text('LO', 'Arrows'),
          },
          {
            '00700002': text('CS', 'FINDINGS '),
            '00700062': numbers('IS', 2),
            '00700066': numbers('US', 0x8000),
          },
          // No order: after those with one. Out of range: no colour.
          { '00700002': text('CS', 'NOTES'), '00700401': numbers('US', 1, 2, 70000) },
        ),
        '00700001': sequence(
          graphic('ARROWS', {
            '00700232': sequence({ '00700251': numbers('US', 0x8000, 0xffff, 0x8080) }),
            '00700233': sequence({ '00700251': numbers('US', 0x8000, 0x8080, 0xffff) }),
          }),
          graphic('UNLISTED'),
          graphic('FINDINGS'),
          {
            '00700002': text('CS', 'NOTES'),
            '00700008': sequence({
              '00700006': text('ST', 'Red'),
              '00700004': text('CS', 'PIXEL'),
              '00700014': numbers('FL', 1, 1),
              '00700231': sequence({ '00700241': numbers('US', 0x8000, 0xffff, 0x8080) }),
            }),
          },
        ),
      }),
    )!;
    expect(state.layers).toEqual([
      { name: 'FINDINGS', order: 2, description: '', grey: 0x8000 },
      { name: 'ARROWS', order: 5, description: 'Arrows', cieLab: [0xffff, 0x8080, 0x8080] },
      { name: 'NOTES', order: Number.MAX_SAFE_INTEGER, description: '' },
    ]);
    const drawn = annotationsFor(state, IMAGE_A);
    // Lowest order first, a layer the sequence does not list last.
    expect(drawn.map((a) => a.layer)).toEqual(['FINDINGS', 'ARROWS', 'NOTES', 'UNLISTED']);
    expect(drawn.map((a) => layerOf(state, a)?.order)).toEqual([2, 5, Number.MAX_SAFE_INTEGER, undefined]);
    // Line and Fill Styles' Pattern On Color, Text Style's Text Color, per object.
    expect(drawn[1]!.graphics[0]).toMatchObject({
      lineColour: [0x8000, 0xffff, 0x8080],
      fillColour: [0x8000, 0x8080, 0xffff],
    });
    expect(drawn[0]!.graphics[0]!.lineColour).toBeUndefined();
    expect(drawn[2]!.texts[0]!.colour).toEqual([0x8000, 0xffff, 0x8080]);
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
    expect(state.vois).toEqual([]);
    expect(state.layers).toEqual([]);
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

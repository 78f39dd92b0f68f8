import { describe, expect, it } from 'vitest';
import { cieLabToRgb, shutterColourOf } from './display-shutter';
import {
  ANNOTATION_COLOUR,
  cieLabColour,
  drawnAnnotationsOf,
  drawnShutterOf,
  layerColourOf,
  outlineOf,
  shutterPathData,
  type Place,
} from './presentation-state-drawing';
import type { CieLab, GraphicAnnotation } from './presentation-state';

/** Image pixels drawn 2 CSS pixels each from (100, 50); the displayed area a 200 × 100 box at (0, 0). */
const place: Place = (units, [x, y]) => (units === 'PIXEL' ? [100 + 2 * x, 50 + 2 * y] : [200 * x, 100 * y]);

const annotation = (part: Partial<GraphicAnnotation>): GraphicAnnotation => ({
  appliesTo: 'all',
  layer: 'L',
  texts: [],
  graphics: [],
  ...part,
});

describe('presentation state annotations on the canvas', () => {
  it('traces a circle round its centre through its second point, closed', () => {
    const outline = outlineOf({
      type: 'CIRCLE',
      units: 'PIXEL',
      filled: false,
      points: [
        [10, 10],
        [13, 14],
      ],
    });
    for (const [x, y] of outline) expect(Math.hypot(x - 10, y - 10)).toBeCloseTo(5);
    expect(outline[0]![0]).toBeCloseTo(outline.at(-1)![0]);
    expect(outline[0]![1]).toBeCloseTo(outline.at(-1)![1]);
  });

  it('traces an ellipse through the ends of its axes', () => {
    const outline = outlineOf({
      type: 'ELLIPSE',
      units: 'PIXEL',
      filled: false,
      points: [
        [0, 10],
        [20, 10],
        [10, 5],
        [10, 15],
      ],
    });
    const xs = outline.map((p) => p[0]);
    const ys = outline.map((p) => p[1]);
    expect(Math.min(...xs)).toBeCloseTo(0);
    expect(Math.max(...xs)).toBeCloseTo(20);
    expect(Math.min(...ys)).toBeCloseTo(5);
    expect(Math.max(...ys)).toBeCloseTo(15);
  });

  it('places lines, points and text in their units, and leads a line from the text to its anchor', () => {
    const drawn = drawnAnnotationsOf(
      [
        annotation({
          graphics: [
            {
              type: 'POLYLINE',
              units: 'PIXEL',
              filled: false,
              points: [
                [0, 0],
                [10, 0],
              ],
            },
            {
              type: 'INTERPOLATED',
              units: 'DISPLAY',
              filled: true,
              points: [
                [0.5, 0.5],
                [1, 1],
              ],
            },
            { type: 'POINT', units: 'PIXEL', filled: false, points: [[5, 5]] },
          ],
          texts: [
            {
              text: 'Nodule',
              // Corners given the other way round (a flipped box): the text still starts at its top left.
              boundingBox: { units: 'PIXEL', topLeft: [20, 10], bottomRight: [10, 5] },
              anchor: { units: 'PIXEL', point: [0, 0], visible: true },
            },
            { text: 'Anchored', anchor: { units: 'DISPLAY', point: [0.5, 0.5], visible: false } },
          ],
        }),
      ],
      place,
    );
    const yellow = ANNOTATION_COLOUR;
    expect(drawn).toHaveLength(1);
    expect(drawn[0]!.paths).toEqual([
      {
        points: [
          [100, 50],
          [120, 50],
        ],
        filled: false,
        colour: yellow,
        fillColour: yellow,
      },
      {
        points: [
          [100, 50],
          [200, 100],
        ],
        filled: true,
        colour: yellow,
        fillColour: yellow,
      },
    ]);
    expect(drawn[0]!.points).toEqual([{ at: [110, 60], colour: yellow }]);
    expect(drawn[0]!.texts).toEqual([
      { text: 'Nodule', x: 120, y: 60, colour: yellow, leader: { from: [120, 60], to: [100, 50] } },
      { text: 'Anchored', x: 106, y: 56, colour: yellow },
    ]);
  });

  it("draws each annotation in its layer's colour, but an object in its own style's colour", () => {
    const green: CieLab = [0x8000, 0x2000, 0xc000];
    const drawn = drawnAnnotationsOf(
      [
        annotation({
          layer: 'A',
          graphics: [
            { type: 'POINT', units: 'PIXEL', filled: false, points: [[0, 0]] },
            {
              type: 'CIRCLE',
              units: 'PIXEL',
              filled: true,
              points: [
                [0, 0],
                [1, 0],
              ],
              lineColour: green,
              fillColour: [0xffff, 0x8080, 0x8080],
            },
          ],
          texts: [{ text: 'own', colour: green, anchor: { units: 'PIXEL', point: [0, 0], visible: false } }],
        }),
        annotation({
          layer: 'B',
          texts: [{ text: 'layer', anchor: { units: 'PIXEL', point: [0, 0], visible: false } }],
        }),
      ],
      place,
      (a) => (a.layer === 'A' ? 'rgb(1, 2, 3)' : 'rgb(4, 5, 6)'),
    );
    expect(drawn[0]!.points[0]!.colour).toBe('rgb(1, 2, 3)');
    expect(drawn[0]!.paths[0]).toMatchObject({
      colour: cieLabColour(green),
      fillColour: 'rgb(255, 255, 255)',
    });
    expect(drawn[0]!.texts[0]!.colour).toBe(cieLabColour(green));
    expect(drawn[1]!.texts[0]!.colour).toBe('rgb(4, 5, 6)');
  });

  it('colours a layer by its recommended CIELab colour, else its grey, else the annotation colour', () => {
    const layer = { name: 'L', order: 1, description: '' };
    expect(layerColourOf({ ...layer, cieLab: [0xffff, 0x8080, 0x8080], grey: 0 })).toBe('rgb(255, 255, 255)');
    expect(layerColourOf({ ...layer, grey: 0x8000 })).toBe('rgb(128, 128, 128)');
    expect(layerColourOf(layer)).toBe(ANNOTATION_COLOUR);
    expect(layerColourOf(undefined)).toBe(ANNOTATION_COLOUR);
  });

  it('places a shutter on the canvas through image coordinates, in its grey', () => {
    const drawn = drawnShutterOf(
      {
        shapes: [
          { shape: 'RECTANGULAR', left: 10, top: 20, right: 100, bottom: 90 },
          { shape: 'CIRCULAR', centre: [50, 40], radius: 10 },
        ],
        presentationValue: 0xffff,
      },
      place,
    );
    expect(drawn.colour).toBe('rgb(255, 255, 255)');
    expect(drawn.outlines[0]).toEqual([
      [120, 90],
      [300, 90],
      [300, 230],
      [120, 230],
    ]);
    // The circle's radius is 10 image pixels, 20 on the canvas, round its centre's place.
    for (const [x, y] of drawn.outlines[1]!) expect(Math.hypot(x - 200, y - 130)).toBeCloseTo(20);
    expect(shutterPathData(drawn.outlines[0]!, 400, 300)).toBe(
      'M-1 -1H401V301H-1ZM120 90L300 90L300 230L120 230Z',
    );
  });

  it('draws a circular shutter round as the image is seen on pixels that are not square (C.7.6.11)', () => {
    // Pixels half as wide as they are tall (Pixel Spacing 0.5\0.25): 1 CSS pixel across, 2 down.
    const tall: Place = (_units, [x, y]) => [x, 2 * y];
    const drawn = drawnShutterOf({ shapes: [{ shape: 'CIRCULAR', centre: [50, 40], radius: 20 }] }, tall);
    // 20 pixels along a row: 20 CSS pixels every way round its centre, which spans 10 rows up and down.
    for (const [x, y] of drawn.outlines[0]!) expect(Math.hypot(x - 50, y - 80)).toBeCloseTo(20);
    // Turned a quarter (rows run across the screen): still round.
    const turned: Place = (_units, [x, y]) => [-2 * y, x];
    for (const [x, y] of drawnShutterOf(
      { shapes: [{ shape: 'CIRCULAR', centre: [0, 0], radius: 5 }] },
      turned,
    ).outlines[0]!)
      expect(Math.hypot(x, y)).toBeCloseTo(5);
  });

  it('turns DICOM CIELab (PS3.3 C.10.7.1.1, the ICC PCS with its D50 white) into sRGB', () => {
    const encode = (l: number, a: number, b: number): CieLab => [
      Math.round((l * 0xffff) / 100),
      Math.round(((a + 128) * 0xffff) / 255),
      Math.round(((b + 128) * 0xffff) / 255),
    ];
    // sRGB's primaries and a grey in CIELab relative to D50 (Bradford-adapted).
    const near = (rgb: [number, number, number], expected: [number, number, number]) =>
      rgb.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(2));
    near(cieLabToRgb(encode(54.29, 80.8, 69.89)), [255, 0, 0]);
    near(cieLabToRgb(encode(87.82, -79.29, 80.99)), [0, 255, 0]);
    near(cieLabToRgb(encode(29.57, 68.3, -112.03)), [0, 0, 255]);
    near(cieLabToRgb(encode(53.39, 0, 0)), [128, 128, 128]);
    // 0x8080 is a* and b* 0: no colour.
    expect(cieLabColour([0, 0x8080, 0x8080])).toBe('rgb(0, 0, 0)');
  });

  it('covers a shutter in its presentation value as a grey, else its CIELab colour, else black', () => {
    expect(shutterColourOf({ shapes: [], presentationValue: 0 })).toBe('rgb(0, 0, 0)');
    expect(shutterColourOf({ shapes: [], presentationValue: 0x8000 })).toBe('rgb(128, 128, 128)');
    expect(shutterColourOf({ shapes: [] })).toBe('rgb(0, 0, 0)');
    // CIELab white (L* 100, a* b* 0) and a mid grey (L* 50 is sRGB 119).
    expect(cieLabToRgb([0xffff, 0x8080, 0x8080])).toEqual([255, 255, 255]);
    for (const v of cieLabToRgb([0x8000, 0x8080, 0x8080])) expect(Math.abs(v - 119)).toBeLessThanOrEqual(1);
    const [r, g, b] = cieLabToRgb([0x8000, 0xffff, 0x8080]); // a* far positive: red
    expect(r).toBeGreaterThan(g + 100);
    expect(r).toBeGreaterThan(b);
    expect(shutterColourOf({ shapes: [], cieLab: [0, 0x8080, 0x8080] })).toBe('rgb(0, 0, 0)');
  });
});

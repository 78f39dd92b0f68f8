import { describe, expect, it } from 'vitest';
import type { DisplayedArea, VoiLut } from './presentation-state';
import {
  areaView,
  voiLutInputRange,
  voiLutRamp,
  type AreaView,
  type ViewportSize,
} from './presentation-state-view';

const VIEWPORT: ViewportSize = { width: 400, height: 300, devicePixelRatio: 1 };
/** Square pixels of 0.5 mm, as Cornerstone draws a CT slice. */
const SQUARE = { rowSpacing: 0.5, columnSpacing: 0.5 };

const area = (part: Partial<DisplayedArea> = {}): DisplayedArea => ({
  appliesTo: 'all',
  topLeft: [0, 0],
  bottomRight: [128, 128],
  sizeMode: 'SCALE TO FIT',
  ...part,
});

/**
 * How large a pixel of the image is on screen under a view (CSS pixels across and down the screen, before
 * any turn), as Cornerstone's camera draws it: the viewport's height is 2 × parallel scale world units,
 * each screen axis then stretched.
 */
function shownPixel(
  view: AreaView,
  drawn: { rowSpacing: number; columnSpacing: number },
  quarterTurn = false,
) {
  const perWorldUnit = VIEWPORT.height / (2 * view.parallelScale);
  const [sx, sy] = view.stretch;
  // A column's width lies across the screen, a row's height down it; a quarter turn swaps them.
  const width = drawn.columnSpacing * perWorldUnit * (quarterTurn ? sy : sx);
  const height = drawn.rowSpacing * perWorldUnit * (quarterTurn ? sx : sy);
  return { width, height };
}

describe('the camera for a displayed area (PS3.3 C.10.4)', () => {
  it('fits the area into the viewport, centred, keeping its proportions (SCALE TO FIT)', () => {
    // A 64 × 32 area of a 0.5 mm image in a 400 × 300 viewport: the width decides, 400 / 64 = 6.25.
    const view = areaView(area({ topLeft: [10, 20], bottomRight: [74, 52] }), SQUARE, false, VIEWPORT);
    expect(view.centre).toEqual([42, 36]);
    expect(view.stretch).toEqual([1, 1]);
    const pixel = shownPixel(view, SQUARE);
    expect(pixel.width).toBeCloseTo(6.25);
    expect(pixel.height).toBeCloseTo(6.25);
    // A tall area: the height decides, 300 / 100 = 3 a pixel.
    expect(
      shownPixel(areaView(area({ bottomRight: [10, 100] }), SQUARE, false, VIEWPORT), SQUARE).width,
    ).toBeCloseTo(3);
  });

  it('fits an area turned a quarter by its turned size', () => {
    // 64 wide, 32 tall on the image: 32 across and 64 down the screen, so 300 / 64 a pixel.
    const view = areaView(area({ bottomRight: [64, 32] }), SQUARE, true, VIEWPORT);
    expect(shownPixel(view, SQUARE, true).width).toBeCloseTo(300 / 64);
  });

  it('reaches beyond the image, its centre outside it if need be', () => {
    const view = areaView(area({ topLeft: [-100, -50], bottomRight: [0, 0] }), SQUARE, false, VIEWPORT);
    expect(view.centre).toEqual([-50, -25]);
    expect(shownPixel(view, SQUARE).width).toBeCloseTo(4);
  });

  it('magnifies by the ratio in screen pixels (MAGNIFY), whatever the area', () => {
    const magnified = area({ sizeMode: 'MAGNIFY', magnification: 2, bottomRight: [500, 500] });
    expect(shownPixel(areaView(magnified, SQUARE, false, VIEWPORT), SQUARE).width).toBeCloseTo(2);
    // Two device pixels a CSS pixel: a screen pixel is half a CSS one.
    const retina = { ...VIEWPORT, devicePixelRatio: 2 };
    expect(shownPixel(areaView(magnified, SQUARE, false, retina), SQUARE).width).toBeCloseTo(1);
  });

  it('shows TRUE SIZE by the pixel spacing when the screen says its size, else as SCALE TO FIT', () => {
    const trueSize = area({ sizeMode: 'TRUE SIZE', pixelSpacing: [0.5, 0.5] });
    // A CSS pixel 0.25 mm wide: a 0.5 mm pixel is 2 of them.
    const measured = { ...VIEWPORT, cssPixelMm: 0.25 };
    expect(shownPixel(areaView(trueSize, SQUARE, false, measured), SQUARE).width).toBeCloseTo(2);
    // Without Presentation Pixel Spacing, the image's Pixel Spacing.
    const bare = area({ sizeMode: 'TRUE SIZE' });
    expect(shownPixel(areaView(bare, SQUARE, false, measured, [1, 1]), SQUARE).width).toBeCloseTo(4);
    // The screen's size unknown (a browser's): fitted, 300 / 128.
    expect(shownPixel(areaView(trueSize, SQUARE, false, VIEWPORT), SQUARE).width).toBeCloseTo(300 / 128);
  });

  it('shows pixels in the proportions the presentation state gives, stretching what Cornerstone draws', () => {
    // Presentation Pixel Spacing twice as tall as wide on square-drawn pixels.
    const tall = area({ pixelSpacing: [1, 0.5], bottomRight: [100, 50] });
    const view = areaView(tall, SQUARE, false, VIEWPORT);
    expect(view.stretch).toEqual([1, 2]);
    const pixel = shownPixel(view, SQUARE);
    expect(pixel.height / pixel.width).toBeCloseTo(2);
    // 100 wide and 100 pixel widths tall: 300 / 100 a pixel's width.
    expect(pixel.width).toBeCloseTo(3);
    // Turned a quarter, the stretch runs across the screen.
    const turned = areaView(tall, SQUARE, true, VIEWPORT);
    expect(turned.stretch).toEqual([2, 1]);
    const turnedPixel = shownPixel(turned, SQUARE, true);
    expect(turnedPixel.height / turnedPixel.width).toBeCloseTo(2);
    // Presentation Pixel Aspect Ratio 1\2 on pixels drawn 0.5 × 0.25 (twice as tall): drawn four times too tall.
    const drawnTall = { rowSpacing: 0.5, columnSpacing: 0.25 };
    const wide = areaView(area({ pixelAspectRatio: [1, 2] }), drawnTall, false, VIEWPORT);
    expect(wide.stretch).toEqual([4, 1]);
    const widePixel = shownPixel(wide, drawnTall);
    expect(widePixel.height / widePixel.width).toBeCloseTo(0.5);
    // The area fits: 128 pixels of 2 widths each across 400 CSS pixels.
    expect(widePixel.width * 128).toBeCloseTo(400);
  });

  it('keeps the proportions Cornerstone draws when the presentation state gives none', () => {
    const drawnTall = { rowSpacing: 0.5, columnSpacing: 0.25 };
    const view = areaView(area({ bottomRight: [100, 50] }), drawnTall, false, VIEWPORT);
    expect(view.stretch).toEqual([1, 1]);
    const pixel = shownPixel(view, drawnTall);
    expect(pixel.height / pixel.width).toBeCloseTo(2);
    expect(pixel.width).toBeCloseTo(3);
  });
});

describe('VOI LUT tables as a grey ramp (PS3.3 C.11.2.1.1)', () => {
  const lut = (part: Partial<VoiLut>): VoiLut => ({
    firstMapped: 0,
    mayBeNegative: false,
    entries: 4,
    bits: 8,
    data: [0, 0, 0, 0],
    ...part,
  });

  it('maps from the first value on, one value an entry', () => {
    expect(voiLutInputRange(lut({ firstMapped: 100 }), false)).toEqual({ lower: 100, upper: 103 });
    // 0xFC00 written unsigned: −1024 on an image whose values can be negative, as it is on one whose cannot.
    const ambiguous = lut({ firstMapped: 0xfc00, mayBeNegative: true, entries: 4096 });
    expect(voiLutInputRange(ambiguous, true)).toEqual({ lower: -1024, upper: 3071 });
    expect(voiLutInputRange(ambiguous, false)).toEqual({ lower: 0xfc00, upper: 0xfc00 + 4095 });
    expect(voiLutInputRange(lut({ firstMapped: -1024 }), true)).toEqual({ lower: -1024, upper: -1021 });
  });

  it('draws the entries as greys of their bit depth, leaving out those on a straight line', () => {
    // A step: 0, 0, 0, 255, 255 (8 bits) from 10 on.
    expect(voiLutRamp([0, 0, 0, 255, 255], 8, 10)).toEqual([
      10, 0, 0, 0, 12, 0, 0, 0, 13, 1, 1, 1, 14, 1, 1, 1,
    ]);
    // A straight 12-bit window: its two ends.
    const window = Array.from({ length: 4096 }, (_, i) => i);
    expect(voiLutRamp(window, 12, -1024)).toEqual([-1024, 0, 0, 0, 3071, 1, 1, 1]);
    // A curve keeps every point.
    const curve = voiLutRamp([0, 1, 4, 9, 16], 4, 0);
    expect(curve).toHaveLength(20);
    expect(curve.slice(4, 8)).toEqual([1, 1 / 15, 1 / 15, 1 / 15]);
    // 16 is beyond 4 bits' 15: white.
    expect(curve.slice(16)).toEqual([4, 1, 1, 1]);
  });

  /** The ramp's points as (value, grey) pairs, checking each is grey (red, green and blue alike). */
  function rampPoints(ramp: readonly number[]): [number, number][] {
    const points: [number, number][] = [];
    for (let i = 0; i < ramp.length; i += 4) {
      expect(ramp[i + 2]).toBe(ramp[i + 1]);
      expect(ramp[i + 3]).toBe(ramp[i + 1]);
      points.push([ramp[i]!, ramp[i + 1]!]);
    }
    return points;
  }

  /** How far, at most, the ramp drawn between its points is from the table's greys at each entry. */
  function rampError(
    ramp: readonly number[],
    entries: readonly number[],
    bits: number,
    lower: number,
  ): number {
    const points = rampPoints(ramp);
    let error = 0;
    let segment = 0;
    entries.forEach((entry, i) => {
      const value = lower + i;
      while (points[segment + 1] !== undefined && points[segment + 1]![0] < value) segment++;
      const [x0, y0] = points[segment]!;
      const [x1, y1] = points[segment + 1] ?? points[segment]!;
      const drawn = x1 === x0 ? y0 : y0 + ((y1 - y0) * (value - x0)) / (x1 - x0);
      const grey = Math.min(1, Math.max(0, entry / (2 ** bits - 1)));
      error = Math.max(error, Math.abs(drawn - grey));
    });
    return error;
  }

  const HALF_A_GREY_STEP = 0.5 / 255;

  it('draws a curved table of 65,536 entries with a few points, never half an 8-bit grey step off', () => {
    // A sigmoid over the 16-bit range: every entry differs from the straight line between its neighbours.
    const sigmoid = Array.from({ length: 0x10000 }, (_, i) =>
      Math.round(65535 / (1 + Math.exp(-(i - 30000) / 4000))),
    );
    const ramp = voiLutRamp(sigmoid, 16, -32768);
    expect(ramp.length / 4).toBeLessThanOrEqual(1024);
    expect(rampError(ramp, sigmoid, 16, -32768)).toBeLessThan(HALF_A_GREY_STEP);
    const points = rampPoints(ramp);
    expect(points[0]?.[0]).toBe(-32768);
    expect(points.at(-1)?.[0]).toBe(-32768 + 65535);
    // A 12-bit gamma curve likewise.
    const gamma = Array.from({ length: 4096 }, (_, i) => Math.round(4095 * (i / 4095) ** 0.45));
    const gammaRamp = voiLutRamp(gamma, 12, 0);
    expect(gammaRamp.length / 4).toBeLessThanOrEqual(1024);
    expect(rampError(gammaRamp, gamma, 12, 0)).toBeLessThan(HALF_A_GREY_STEP);
  });

  it('keeps at most 1,024 points of a table that few points cannot draw, its two ends among them', () => {
    // Noise: 65,536 entries of 16 bits from a fixed linear congruential sequence.
    let seed = 1;
    const noise = Array.from({ length: 0x10000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed >> 15;
    });
    const points = rampPoints(voiLutRamp(noise, 16, 0));
    expect(points).toHaveLength(1024);
    expect(points[0]?.[0]).toBe(0);
    expect(points.at(-1)?.[0]).toBe(65535);
    // In order of value, each once.
    expect(points.every((p, i) => i === 0 || p[0] > points[i - 1]![0])).toBe(true);
  });
});

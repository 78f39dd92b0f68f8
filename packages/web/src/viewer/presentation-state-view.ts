import type { DisplayedArea, VoiLut } from './presentation-state';

/**
 * How a stack viewport is to show an image as a presentation state says, worked out apart from
 * Cornerstone so that it can be tested: the camera that shows a displayed area (PS3.3 C.10.4), and the
 * grey ramp a VOI LUT table draws with.
 */

/** The viewport an area is shown in. */
export interface ViewportSize {
  /** CSS pixels. */
  width: number;
  height: number;
  /** Device pixels per CSS pixel: MAGNIFY counts the screen's own pixels. */
  devicePixelRatio: number;
  /**
   * How wide a CSS pixel is on the screen, mm, when known. A browser does not say (its CSS millimetre is
   * a nominal 96 dpi), so the viewer never knows it and TRUE SIZE is shown as SCALE TO FIT.
   */
  cssPixelMm?: number;
}

/** How Cornerstone draws an image's pixels: the world size (mm, or pixel proportions) of one. */
export interface DrawnPixel {
  /** Down a column, between rows. */
  rowSpacing: number;
  /** Along a row, between columns. */
  columnSpacing: number;
}

/** The camera that shows a displayed area, in the terms Cornerstone's camera takes. */
export interface AreaView {
  /** The image point (column, row) at the centre of the viewport. */
  centre: [number, number];
  /** Half the viewport's height in world units (Cornerstone's parallel scale). */
  parallelScale: number;
  /**
   * How much the screen's x and y are stretched (Cornerstone's camera aspect ratio, the smaller 1), so
   * that pixels are shown in the proportions the presentation state gives when they are not those
   * Cornerstone draws them in.
   */
  stretch: [number, number];
}

/** Two proportions so close that a stretch by their ratio would only be rounding. */
const SAME = 1e-6;

/**
 * The camera for a displayed area. `quarterTurn`: the presentation state rotates the image by 90° or
 * 270°, so that its rows run down the screen. `imagePixelSpacing` is the image's Pixel Spacing (row,
 * column, mm), for TRUE SIZE without Presentation Pixel Spacing.
 *
 * The area is sized by its mode: SCALE TO FIT as large as the viewport holds; TRUE SIZE a pixel as wide
 * on the screen as its spacing says (as SCALE TO FIT while the screen's size is unknown); MAGNIFY a pixel
 * as wide as the ratio's count of screen pixels. Pixels are shown as tall for their width as Presentation
 * Pixel Spacing or Presentation Pixel Aspect Ratio say, else as Cornerstone draws them; MAGNIFY's ratio
 * counts along a row, a pixel that is not square being as tall as those proportions make it.
 */
export function areaView(
  area: DisplayedArea,
  drawn: DrawnPixel,
  quarterTurn: boolean,
  viewport: ViewportSize,
  imagePixelSpacing?: readonly [number, number],
): AreaView {
  const [left, top] = area.topLeft;
  const [right, bottom] = area.bottomRight;
  const drawnProportion = drawn.rowSpacing / drawn.columnSpacing;
  const shown = area.pixelSpacing ?? area.pixelAspectRatio;
  /** A pixel's height over its width, as it is to be shown. */
  const proportion = shown !== undefined ? shown[0] / shown[1] : drawnProportion;

  // The area's size in pixel widths, across and down the screen.
  const across = Math.max(right - left, 1e-3);
  const down = Math.max(bottom - top, 1e-3) * proportion;
  const [screenAcross, screenDown] = quarterTurn ? [down, across] : [across, down];
  const fit = Math.min(viewport.width / screenAcross, viewport.height / screenDown);
  const trueSpacing = (area.pixelSpacing ?? imagePixelSpacing)?.[1];
  /** CSS pixels a pixel of the image is wide on screen. */
  const pixelWidth =
    area.sizeMode === 'MAGNIFY' && area.magnification !== undefined
      ? area.magnification / viewport.devicePixelRatio
      : area.sizeMode === 'TRUE SIZE' && trueSpacing !== undefined && viewport.cssPixelMm !== undefined
        ? trueSpacing / viewport.cssPixelMm
        : fit;

  // Cornerstone draws a pixel columnSpacing × rowSpacing world units; the stretch makes up the
  // difference in proportions, along whichever screen axis the image's columns run.
  // How many times taller for their width pixels are to be shown than Cornerstone draws them.
  const taller = proportion / drawnProportion;
  const [alongRow, alongColumn] =
    Math.abs(taller - 1) < SAME ? [1, 1] : taller > 1 ? [1, taller] : [1 / taller, 1];
  /** CSS pixels per world unit along a screen axis that is not stretched. */
  const scale =
    alongRow === 1 ? pixelWidth / drawn.columnSpacing : (pixelWidth * proportion) / drawn.rowSpacing;
  return {
    centre: [(left + right) / 2, (top + bottom) / 2],
    parallelScale: viewport.height / (2 * scale),
    stretch: quarterTurn ? [alongColumn, alongRow] : [alongRow, alongColumn],
  };
}

/**
 * The values a VOI LUT maps, first to last: LUT Descriptor's first value mapped as given, unless it was
 * written unsigned (US) at 0x8000 or above and the image's values can be negative (a signed image, or a
 * negative Rescale Intercept), when it is the negative number those 16 bits are.
 */
export function voiLutInputRange(lut: VoiLut, negativeValues: boolean): { lower: number; upper: number } {
  const lower = lut.mayBeNegative && negativeValues ? lut.firstMapped - 0x10000 : lut.firstMapped;
  return { lower, upper: lower + lut.entries - 1 };
}

/**
 * The name of the colormap a VOI LUT is drawn with, from what it draws: the presentation state, its
 * Softcopy VOI LUT item, the first value mapped and the table's bits and entries. The same table read
 * again (the presentation state chosen again, its metadata read anew) names the same colormap.
 */
export function voiLutColormapName(stateUid: string, voiIndex: number, lut: VoiLut, lower: number): string {
  return `presentation-state-voi-lut ${stateUid} ${voiIndex} ${lower} ${lut.bits} ${lut.entries}`;
}

/**
 * The most points a ramp keeps. Cornerstone applies a colormap again on every image it shows, and vtk's
 * applyColorMap takes about 4.5 ms for 4,096 points of a curve and 70 ms for 65,536.
 */
export const RAMP_POINTS = 1024;

/**
 * How far the ramp may stray from a table's greys (0–1): a quarter of an 8-bit grey step. The screen
 * shows 8 bits, and a grey less than half a step off is shown as the same grey.
 */
const RAMP_TOLERANCE = 0.25 / 255;

/** A run of entries between two kept ones, and the entry inside it farthest from the line between them. */
interface Span {
  from: number;
  to: number;
  worst: number;
  error: number;
}

/**
 * A VOI LUT as the points of a grey ramp (value, red, green, blue; each grey 0–1) from `lower` on, the
 * ramp drawing straight lines between them. Its ends are kept, then, worst first, the entry farthest
 * from the line drawn through its span (Douglas–Peucker, by grey), until every entry is within a quarter
 * of an 8-bit grey step or {@link RAMP_POINTS} are kept: a table of a window comes down to its two ends,
 * a smooth curve to a few dozen points.
 */
export function voiLutRamp(entries: readonly number[], bits: number, lower: number): number[] {
  const top = 2 ** bits - 1;
  const greys = entries.map((entry) => Math.min(1, Math.max(0, entry / top)));
  const span = (from: number, to: number): Span => {
    const start = greys[from]!;
    const slope = (greys[to]! - start) / (to - from);
    let worst = from;
    let error = 0;
    for (let i = from + 1; i < to; i++) {
      const off = Math.abs(greys[i]! - (start + slope * (i - from)));
      if (off > error) {
        worst = i;
        error = off;
      }
    }
    return { from, to, worst, error };
  };
  const kept = greys.length > 1 ? [0, greys.length - 1] : greys.map((_, i) => i);
  const spans = greys.length > 2 ? [span(0, greys.length - 1)] : [];
  while (kept.length < RAMP_POINTS) {
    let split = -1;
    spans.forEach((s, i) => {
      if (s.error > RAMP_TOLERANCE && (split === -1 || s.error > spans[split]!.error)) split = i;
    });
    const worst = spans[split];
    if (worst === undefined) break;
    spans.splice(split, 1, span(worst.from, worst.worst), span(worst.worst, worst.to));
    kept.push(worst.worst);
  }
  return kept.sort((a, b) => a - b).flatMap((i) => [lower + i, greys[i]!, greys[i]!, greys[i]!]);
}

import { describe, expect, it } from 'vitest';
import { trueLengthOf } from './calibration-dialog';
import {
  calibratedSpacing,
  hasPatientGeometry,
  pixelProportions,
  spacingAttributes,
  spacingKindOf,
  spacingNote,
} from './pixel-spacing';

describe('pixel spacing', () => {
  it('reads the attributes Cornerstone decides the pixel size from', () => {
    expect(
      spacingAttributes({
        '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.1.1'] },
        '00181164': { vr: 'DS', Value: [0.2, 0.2] },
        '00181114': { vr: 'DS', Value: [1.1] },
        '00280A02': { vr: 'CS', Value: ['GEOMETRY'] },
      }),
    ).toEqual({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
      ImagerPixelSpacing: [0.2, 0.2],
      EstimatedRadiographicMagnificationFactor: 1.1,
      PixelSpacingCalibrationType: 'GEOMETRY',
    });
    // A spacing of zero or one value is no spacing.
    expect(spacingAttributes({ '00280030': { vr: 'DS', Value: [0, 0] } })).toEqual({ SOPClassUID: '' });
    expect(spacingAttributes({ '00280030': { vr: 'DS', Value: [0.5] } })).toEqual({ SOPClassUID: '' });
  });

  it('knows whether an image is placed in the patient', () => {
    const orientation = { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] };
    expect(hasPatientGeometry({ '00200037': orientation, '00200032': { vr: 'DS', Value: [0, 0, 0] } })).toBe(
      true,
    );
    expect(hasPatientGeometry({ '00200037': orientation })).toBe(false);
  });

  it('names how lengths are measured', () => {
    expect(spacingKindOf('')).toBe('patient');
    expect(spacingKindOf('Proj')).toBe('detector');
    expect(spacingKindOf('User')).toBe('user');
    expect(spacingNote('none')).toBe('Uncalibrated: lengths in px');
    expect(spacingNote('detector')).toBe('Lengths at detector');
    expect(spacingNote('patient')).toBeUndefined();
  });

  it('scales the nominal spacing so that the line has its true length', () => {
    // 200 pixels are 50 mm: 0.25 mm pixels.
    expect(calibratedSpacing({ columns: 200, rows: 0 }, 50)).toEqual([0.25, 0.25]);
    // A 3-4-5 line on 0.5 × 1 mm pixels (row spacing 0.5, column spacing 1): nominal length 5 mm, truly 10.
    const [row, column] = calibratedSpacing({ columns: 3, rows: 8 }, 10, [0.5, 1]);
    expect(row).toBeCloseTo(1);
    expect(column).toBeCloseTo(2);
  });

  it('takes a true length in millimetres, with a comma or a point', () => {
    expect(trueLengthOf('50')).toEqual({ mm: 50 });
    expect(trueLengthOf(' 12,5 ')).toEqual({ mm: 12.5 });
    expect(trueLengthOf('')).toEqual({ problem: 'Type the length in millimetres.' });
    expect(trueLengthOf('ten')).toEqual({ problem: 'Type the length in millimetres.' });
    expect(trueLengthOf('-3')).toEqual({ problem: 'The length must be more than 0 mm.' });
  });
});

describe('pixelProportions', () => {
  const ds = (...values: number[]) => ({ vr: 'DS', Value: values });

  it('gives the proportions of pixels that are not square where only Imager Pixel Spacing or Pixel Aspect Ratio says so', () => {
    // Pixel Aspect Ratio 2\1: a pixel twice as tall as it is wide.
    expect(pixelProportions({ '00280034': { vr: 'IS', Value: ['2', '1'] } })).toEqual([2, 1]);
    expect(pixelProportions({ '00280034': { vr: 'IS', Value: [4, 3] } })).toEqual([4 / 3, 1]);
    // Imager Pixel Spacing 0.1 mm down a column, 0.2 mm along a row: half as tall as wide.
    expect(pixelProportions({ '00181164': ds(0.1, 0.2) })).toEqual([0.5, 1]);
  });

  it('leaves it to the image loader where Pixel Spacing says it, and square pixels alone', () => {
    expect(pixelProportions({ '00280030': ds(0.2, 0.1), '00280034': { vr: 'IS', Value: ['1', '2'] } })).toBe(
      undefined,
    );
    expect(pixelProportions({ '00280034': { vr: 'IS', Value: ['1', '1'] } })).toBeUndefined();
    expect(pixelProportions({ '00181164': ds(0.2, 0.2) })).toBeUndefined();
    expect(pixelProportions({})).toBeUndefined();
  });
});

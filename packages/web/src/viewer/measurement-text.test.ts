import { describe, expect, it } from 'vitest';
import { measurementText, unitText } from './measurement-text';

describe('measurementText', () => {
  it('describes lengths, angles, regions and probes in their units', () => {
    expect(measurementText('Length', { length: 20, unit: 'mm' })).toBe('Length 20.00 mm');
    expect(measurementText('CobbAngle', { angle: 12.34 })).toBe('Cobb 12.3°');
    expect(
      measurementText('EllipticalROI', {
        mean: 100,
        stdDev: 0,
        min: 100,
        max: 100,
        area: 201.06,
        areaUnit: 'mm²',
        modalityUnit: 'HU',
      }),
    ).toBe('Ellipse mean 100.0 HU SD 0.0 min 100 max 100 area 201.06 mm²');
    expect(measurementText('Probe', { value: -1000, modalityUnit: 'HU' })).toBe('Probe -1000 HU');
    expect(measurementText('ArrowAnnotate', undefined, 'nodule')).toBe('Arrow nodule');
  });
  it('marks values that cannot be computed', () => {
    expect(measurementText('Length', { length: Number.NaN, unit: 'px' })).toBe('Length – px (uncalibrated)');
  });
  it('says when lengths are in pixels, at the detector or calibrated by the user', () => {
    expect(measurementText('Length', { length: 200, unit: 'px' })).toBe('Length 200.00 px (uncalibrated)');
    expect(measurementText('Length', { length: 25, unit: 'mm User' })).toBe(
      'Length 25.00 mm (calibrated by user)',
    );
    expect(measurementText('Length', { length: 50, unit: 'mm Proj' })).toBe('Length 50.00 mm (at detector)');
    expect(
      measurementText('RectangleROI', {
        mean: 1,
        stdDev: 0,
        min: 1,
        max: 1,
        area: 12.5,
        areaUnit: 'mm² User',
      }),
    ).toBe('Rectangle mean 1.0 SD 0.0 min 1 max 1 area 12.50 mm² (calibrated by user)');
    expect(unitText('px²')).toBe('px² (uncalibrated)');
    expect(unitText('mm² ERMF')).toBe('mm² (magnification corrected)');
    expect(unitText('mm')).toBe('mm');
  });
});

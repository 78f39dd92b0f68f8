import { describe, expect, it } from 'vitest';
import { measurementText } from './measurement-text';

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
    expect(measurementText('Length', { length: Number.NaN, unit: 'px' })).toBe('Length – px');
  });
});

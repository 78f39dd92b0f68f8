import { describe, expect, it } from 'vitest';
import { edgeLabels, orientationLabel } from './orientation-label';

describe('orientationLabel', () => {
  it('names the patient axes', () => {
    expect(orientationLabel([1, 0, 0])).toBe('L');
    expect(orientationLabel([-1, 0, 0])).toBe('R');
    expect(orientationLabel([0, 1, 0])).toBe('P');
    expect(orientationLabel([0, -1, 0])).toBe('A');
    expect(orientationLabel([0, 0, 1])).toBe('S');
    expect(orientationLabel([0, 0, -1])).toBe('I');
  });
  it('puts the strongest component of an oblique first', () => {
    expect(orientationLabel([0.5, -0.866, 0])).toBe('AL');
  });
});

describe('edgeLabels', () => {
  it('labels a standard axial image: anterior up, patient left on the right of the screen', () => {
    // Cornerstone's camera for an axial stack: up is minus the column direction, normal toward the viewer.
    expect(edgeLabels([0, -1, 0], [0, 0, -1])).toEqual({ top: 'A', bottom: 'P', right: 'L', left: 'R' });
  });
});

import { describe, expect, it } from 'vitest';
import {
  edgeLabels,
  imageAxesOf,
  imageEdgeLabels,
  orientationLabel,
  patientOrientationAxes,
} from './orientation-label';

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

describe('imageEdgeLabels', () => {
  // Cornerstone's camera for an image it places at its default orientation (rows along x, columns along y).
  const up = [0, -1, 0];
  const normal = [0, 0, -1];

  it('labels an image placed in the patient from its camera, as edgeLabels does', () => {
    expect(imageEdgeLabels(up, normal, 'patient')).toEqual({ top: 'A', bottom: 'P', right: 'L', left: 'R' });
  });

  it("labels an image with only Patient Orientation from it: L\\F puts the patient's left right, the feet down", () => {
    const axes = patientOrientationAxes(['L', 'F'])!;
    expect(imageEdgeLabels(up, normal, axes)).toEqual({ top: 'S', bottom: 'I', right: 'L', left: 'R' });
    // Flipped horizontally (the camera's right turns round), the letters follow.
    expect(imageEdgeLabels(up, [0, 0, 1], axes)).toMatchObject({ right: 'R', left: 'L' });
    // A lateral: anterior to the right, obliques keep both letters.
    expect(imageEdgeLabels(up, normal, patientOrientationAxes(['A', 'F'])!)).toMatchObject({
      right: 'A',
      left: 'P',
    });
    expect(imageEdgeLabels(up, normal, patientOrientationAxes(['AL', 'F'])!)).toMatchObject({ right: 'LA' });
  });

  it('labels nothing for an image that does not say how it lies', () => {
    expect(imageEdgeLabels(up, normal, undefined)).toBeUndefined();
  });
});

describe('imageAxesOf', () => {
  const orientation = { '00200037': { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] } };
  const patientOrientation = (...values: string[]) => ({ '00200020': { vr: 'CS', Value: values } });

  it('prefers Image Orientation (Patient), then Patient Orientation, and guesses nothing', () => {
    expect(imageAxesOf({ ...orientation, ...patientOrientation('L', 'F') })).toBe('patient');
    expect(imageAxesOf(patientOrientation('l', 'f'))).toEqual({ row: [1, 0, 0], column: [0, 0, -1] });
    expect(imageAxesOf({})).toBeUndefined();
    expect(imageAxesOf(patientOrientation())).toBeUndefined();
    expect(imageAxesOf(patientOrientation('', ''))).toBeUndefined();
    // A quadruped's letters are not the patient axes of a human: no labels rather than wrong ones.
    expect(imageAxesOf(patientOrientation('LE', 'CD'))).toBeUndefined();
  });
});

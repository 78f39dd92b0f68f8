import { JsonTag, numbersOf, textsOf, type DicomJson } from '../dicomweb/dicom-json';

/**
 * The patient-direction letters of a direction in the patient coordinate system (PS3.3 C.7.6.2.1.1:
 * +x to the patient's left, +y posterior, +z head): e.g. `L` for [1,0,0], `LP` for a 30° oblique, with
 * the strongest component first, the way viewers mark the edges of an image.
 */
export function orientationLabel(direction: readonly number[], maxLetters = 2): string {
  const letters = [
    { value: direction[0] ?? 0, positive: 'L', negative: 'R' },
    { value: direction[1] ?? 0, positive: 'P', negative: 'A' },
    { value: direction[2] ?? 0, positive: 'S', negative: 'I' },
  ]
    .filter((axis) => Math.abs(axis.value) > 0.25)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, maxLetters);
  return letters.map((axis) => (axis.value > 0 ? axis.positive : axis.negative)).join('');
}

/** Cross product, for the screen's right-hand direction from the camera's up and view-plane normal. */
export function cross(a: readonly number[], b: readonly number[]): [number, number, number] {
  const [ax = 0, ay = 0, az = 0] = a;
  const [bx = 0, by = 0, bz = 0] = b;
  return [ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx];
}

/** The letters on the four edges of a viewport. */
export interface EdgeLabels {
  top: string;
  bottom: string;
  left: string;
  right: string;
}

/** Letters for the four edges of a viewport from its camera, in the patient coordinate system. */
export function edgeLabels(viewUp: readonly number[], viewPlaneNormal: readonly number[]): EdgeLabels {
  const right = cross(viewUp, viewPlaneNormal);
  const negate = (v: readonly number[]) => v.map((x) => -x);
  return {
    top: orientationLabel(viewUp),
    bottom: orientationLabel(negate(viewUp)),
    right: orientationLabel(right),
    left: orientationLabel(negate(right)),
  };
}

/** Patient Orientation (0020,0020), not among the tags the app reads elsewhere. */
const PATIENT_ORIENTATION = '00200020';

/**
 * The patient directions of Patient Orientation's letters (PS3.3 C.7.6.1.1.1), in the patient coordinate
 * system: H (head) and F (foot) are the S and I of the viewer's labels.
 */
const LETTER_DIRECTIONS: Record<string, [number, number, number]> = {
  L: [1, 0, 0],
  R: [-1, 0, 0],
  P: [0, 1, 0],
  A: [0, -1, 0],
  H: [0, 0, 1],
  F: [0, 0, -1],
};

/** The patient directions of an image's rows (towards its right) and columns (towards its bottom). */
export interface ImageAxes {
  row: [number, number, number];
  column: [number, number, number];
}

function direction(value: string): [number, number, number] | undefined {
  if (value === '') return undefined;
  let [x, y, z] = [0, 0, 0];
  for (const letter of value) {
    const axis = LETTER_DIRECTIONS[letter];
    // A quadruped's letters (LE, RT, D, V, …) or anything else: not guessed.
    if (axis === undefined) return undefined;
    [x, y, z] = [x + axis[0], y + axis[1], z + axis[2]];
  }
  const length = Math.hypot(x, y, z);
  return length > 0 ? [x / length, y / length, z / length] : undefined;
}

/**
 * The axes Patient Orientation gives: its first value is the direction of the image's rows, its second
 * that of its columns (`L\F`: the patient's left to the right, the feet to the bottom; `LP` an oblique).
 * Undefined when it is missing, empty or not in the letters of a human patient.
 */
export function patientOrientationAxes(values: readonly string[]): ImageAxes | undefined {
  if (values.length !== 2) return undefined;
  const row = direction(values[0]!.trim().toUpperCase());
  const column = direction(values[1]!.trim().toUpperCase());
  return row !== undefined && column !== undefined ? { row, column } : undefined;
}

/**
 * How an image lies in the patient, for its edge labels: `patient` when Image Orientation (Patient) places
 * it (Cornerstone's world is then the patient coordinate system), the axes of its Patient Orientation when
 * it has only that (a radiograph, a scanned film), and undefined when it has neither: no labels are better
 * than Cornerstone's default orientation, which would label any image as an axial slice.
 */
export function imageAxesOf(metadata: DicomJson): 'patient' | ImageAxes | undefined {
  if (numbersOf(metadata, JsonTag.ImageOrientationPatient)?.length === 6) return 'patient';
  return patientOrientationAxes(textsOf(metadata, PATIENT_ORIENTATION));
}

/**
 * The edge labels of a viewport showing an image placed as `axes` says. An image without Image
 * Orientation (Patient) is drawn by Cornerstone with rows along world x and columns along world y, so a
 * world direction of its camera is that combination of the image's rows, columns and their normal.
 */
export function imageEdgeLabels(
  viewUp: readonly number[],
  viewPlaneNormal: readonly number[],
  axes: 'patient' | ImageAxes | undefined,
): EdgeLabels | undefined {
  if (axes === undefined) return undefined;
  if (axes === 'patient') return edgeLabels(viewUp, viewPlaneNormal);
  const normal = cross(axes.row, axes.column);
  const toPatient = ([x = 0, y = 0, z = 0]: readonly number[]) =>
    [0, 1, 2].map((k) => x * axes.row[k]! + y * axes.column[k]! + z * normal[k]!);
  return edgeLabels(toPatient(viewUp), toPatient(viewPlaneNormal));
}

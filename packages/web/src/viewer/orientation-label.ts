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

/** Letters for the four edges of a viewport from its camera. */
export function edgeLabels(viewUp: readonly number[], viewPlaneNormal: readonly number[]) {
  const right = cross(viewUp, viewPlaneNormal);
  const negate = (v: readonly number[]) => v.map((x) => -x);
  return {
    top: orientationLabel(viewUp),
    bottom: orientationLabel(negate(viewUp)),
    right: orientationLabel(right),
    left: orientationLabel(negate(right)),
  };
}

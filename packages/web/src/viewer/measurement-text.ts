/** The statistics Cornerstone caches on an annotation, per image or volume it was drawn on. */
export interface MeasurementStats {
  length?: number;
  angle?: number;
  mean?: number;
  stdDev?: number;
  min?: number;
  max?: number;
  area?: number;
  /** A freehand region's outline, in `unit`. */
  perimeter?: number;
  value?: number | number[];
  unit?: string;
  areaUnit?: string;
  modalityUnit?: string;
}

const LABELS: Record<string, string> = {
  Length: 'Length',
  Angle: 'Angle',
  CobbAngle: 'Cobb',
  RectangleROI: 'Rectangle',
  EllipticalROI: 'Ellipse',
  PlanarFreehandROI: 'Freehand',
  Probe: 'Probe',
  ArrowAnnotate: 'Arrow',
};

/** Cornerstone's calibration marks after a unit (`mm User`, `mm Proj`), in words. */
const CALIBRATION_WORDS: Record<string, string> = {
  User: 'calibrated by user',
  Proj: 'at detector',
  ERMF: 'magnification corrected',
  Calibrated: 'calibrated',
  Unknown: 'calibration unknown',
  Error: 'calibration error',
};

/**
 * A unit as Cornerstone gives it, for people: pixels say they are uncalibrated (the image has no pixel
 * size), and a calibration mark is spelled out: `px (uncalibrated)`, `mm (calibrated by user)`,
 * `mm² (at detector)`, `mm`.
 */
export function unitText(unit: string): string {
  const [base = '', ...mark] = unit.split(' ');
  if (base === 'px' || base === 'px²') return `${base} (uncalibrated)`;
  const calibration = mark.join(' ');
  if (calibration === '') return base;
  return `${base} (${CALIBRATION_WORDS[calibration] ?? calibration})`;
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** The name of a measurement tool for people. */
export function measurementLabel(toolName: string): string {
  return LABELS[toolName] ?? toolName;
}

/**
 * One line describing a measurement in its units: `Length 20.00 mm`, `Ellipse mean 100.0 HU SD 0.0
 * min 100 max 100 area 201.06 mm²`, `Probe 100 HU`.
 */
export function measurementText(
  toolName: string,
  stats: MeasurementStats | undefined,
  text?: string,
): string {
  const label = measurementLabel(toolName);
  if (toolName === 'ArrowAnnotate') return `${label} ${text ?? ''}`.trim();
  if (stats === undefined) return label;
  if (stats.length !== undefined) return `${label} ${fixed(stats.length, 2)} ${unitText(stats.unit ?? 'mm')}`;
  if (stats.angle !== undefined) return `${label} ${fixed(stats.angle, 1)}°`;
  if (stats.mean !== undefined) {
    const unit = stats.modalityUnit ?? '';
    return (
      `${label} mean ${fixed(stats.mean, 1)} ${unit} SD ${fixed(stats.stdDev, 1)} ` +
      `min ${fixed(stats.min, 0)} max ${fixed(stats.max, 0)} area ${fixed(stats.area, 2)} ${unitText(stats.areaUnit ?? 'mm²')}`
    ).replace(/ {2,}/g, ' ');
  }
  if (stats.value !== undefined) {
    const value = Array.isArray(stats.value)
      ? stats.value.map((v) => fixed(v, 0)).join(', ')
      : fixed(stats.value, 0);
    return `${label} ${value} ${stats.modalityUnit ?? ''}`.trim();
  }
  return label;
}

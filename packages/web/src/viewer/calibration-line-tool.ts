import { LengthTool } from '@cornerstonejs/tools';

/**
 * A line drawn over an object of known size (a ruler on a scanned film, a calibration sphere, a coin): the
 * viewer then asks for its true length and calibrates the series from it (image-calibration.ts). It draws
 * as a length, but is no measurement: it is neither listed nor saved, and is removed once used.
 */
export class CalibrationLineTool extends LengthTool {
  static override toolName = 'CalibrationLine';
}

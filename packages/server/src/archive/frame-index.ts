/** The Image Pixel module attributes needed to decode and render a frame (PS3.3 C.7.6.3). */
export interface PixelDescription {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  planarConfiguration: number;
  /** Modality LUT (PS3.3 C.11.1): Rescale Slope and Intercept, 1 and 0 when absent. */
  rescaleSlope: number;
  rescaleIntercept: number;
  /** The first VOI window of the object (PS3.3 C.11.2), used when a rendering request gives none. */
  window?: { center: number; width: number; function: string };
  /** True when the object has a VOI LUT Sequence (0028,3010): rendering then reads it from the header. */
  voiLut?: boolean;
}

/**
 * Byte ranges of each frame: `frames[i]` lists [offset, length] pairs (one per fragment when encapsulated).
 * An empty list means the frame exists but has no range in the stored bytes (a deflated object, whose
 * offsets refer to the inflated stream): it is read by parsing the object.
 */
export interface FrameIndex {
  encapsulated: boolean;
  frames: Array<Array<[number, number]>>;
  pixel: PixelDescription;
}

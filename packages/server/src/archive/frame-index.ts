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
}

/** Byte ranges of each frame: `frames[i]` lists [offset, length] pairs (one per fragment when encapsulated). */
export interface FrameIndex {
  encapsulated: boolean;
  frames: Array<Array<[number, number]>>;
  pixel: PixelDescription;
}

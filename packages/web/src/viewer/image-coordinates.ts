import { metaData, type Types } from '@cornerstonejs/core';

/**
 * Image (column, row) ↔ world coordinates of a stack image, as Cornerstone draws it. Cornerstone's own
 * `utilities.imageToWorldCoords` and `worldToImageCoords` (core 5.x) scale along a row by `rowPixelSpacing`
 * and down a column by `columnPixelSpacing`, while its image loader sets `rowPixelSpacing` to Pixel
 * Spacing's first value, the spacing between rows: for pixels that are not square they swap the two and
 * put a point elsewhere than where it is drawn. These scale each direction by its own spacing. Pixel
 * (c, r) is centred at (c + 0.5, r + 0.5), as in Cornerstone's.
 */

interface ImagePlane {
  rowCosines: number[];
  columnCosines: number[];
  imagePositionPatient: number[];
  /** Between rows (down a column), mm. */
  rowPixelSpacing?: number;
  /** Between columns (along a row), mm. */
  columnPixelSpacing?: number;
}

function planeOf(imageId: string): ImagePlane {
  const plane = metaData.get('imagePlaneModule', imageId) as ImagePlane | undefined;
  if (plane === undefined) throw new Error(`no image plane for ${imageId}`);
  return plane;
}

/** The world point of an image position (column, row). */
export function imageToWorld(imageId: string, [column, row]: readonly number[]): Types.Point3 {
  const { rowCosines, columnCosines, imagePositionPatient, rowPixelSpacing, columnPixelSpacing } =
    planeOf(imageId);
  const across = (columnPixelSpacing || 1) * ((column ?? 0) - 0.5);
  const down = (rowPixelSpacing || 1) * ((row ?? 0) - 0.5);
  return [0, 1, 2].map(
    (k) => imagePositionPatient[k]! + rowCosines[k]! * across + columnCosines[k]! * down,
  ) as Types.Point3;
}

/** The image position (column, row) of a world point in an image's plane. */
export function worldToImage(imageId: string, world: readonly number[]): [number, number] {
  const { rowCosines, columnCosines, imagePositionPatient, rowPixelSpacing, columnPixelSpacing } =
    planeOf(imageId);
  const offset = [0, 1, 2].map((k) => (world[k] ?? 0) - imagePositionPatient[k]!);
  const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  return [
    dot(offset, rowCosines) / (columnPixelSpacing || 1) + 0.5,
    dot(offset, columnCosines) / (rowPixelSpacing || 1) + 0.5,
  ];
}

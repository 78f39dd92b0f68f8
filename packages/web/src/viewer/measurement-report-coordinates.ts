import { helpers } from '@cornerstonejs/adapters';
import { utilities } from '@cornerstonejs/core';
import type { NaturalizedDataset } from 'dcmjs';
import { imageToWorld, worldToImage } from './image-coordinates';
import { itemsOf, type ContentItem } from './measurement-report-content';

/**
 * The image coordinates of a measurement report's outlines: SCOORD Graphic Data, column\row pairs where
 * (0,0) is the top-left corner of the top-left pixel (PS3.3 C.18.6.1.1), as in image-coordinates.ts. The
 * Cornerstone3D adapters convert world points with Cornerstone's own functions, which swap row and column
 * spacing (image-coordinates.ts says how): on pixels that are not square they would write every point
 * elsewhere than where it was drawn, and read them back there. Lightbox writes true coordinates through
 * the adapters' hook, and turns them into the adapters' before they read a report.
 */

/**
 * Software Versions (0018,1020) of the reports Lightbox writes with true image coordinates. The reports
 * of earlier Lightbox builds carry dcmjs's default, `0`, and the adapters' swapped coordinates.
 */
export const TRUE_COORDINATES_VERSION = 'Lightbox SR 2 (true image coordinates)';

/** Runs the adapters' report writing with true image coordinates in its SCOORDs. */
export function withTrueImageCoordinates<T>(write: () => T): T {
  helpers.setWorldToImageCoords(worldToImage);
  try {
    return write();
  } finally {
    // Back to the adapters' default: the hook is theirs, global to the page.
    helpers.setWorldToImageCoords();
  }
}

/**
 * Whether a report's SCOORDs are true image coordinates: all but those of earlier Lightbox builds, which
 * are told by their manufacturer without this build's Software Versions. (Another writer is taken at the
 * standard's word.)
 */
export function hasTrueImageCoordinates(report: NaturalizedDataset): boolean {
  const versions = [report.SoftwareVersions].flat();
  return report.Manufacturer !== 'Lightbox' || versions.includes(TRUE_COORDINATES_VERSION);
}

/**
 * Rewrites the SCOORDs of a report (naturalized, as the adapters read it) from true image coordinates into
 * the adapters' swapped ones, so that their reading puts each point where it was drawn. `imageIds` are
 * the images shown by `SOPInstanceUID:frame`, as the adapters look them up. A report of an earlier
 * Lightbox build is in the adapters' coordinates already, and left as it is.
 */
export function toAdapterImageCoordinates(
  report: NaturalizedDataset,
  imageIds: Readonly<Record<string, string>>,
): void {
  if (!hasTrueImageCoordinates(report)) return;
  for (const scoord of scoordsOf(report.ContentSequence)) {
    const imageId = imageIdOf(scoord, imageIds);
    if (imageId === undefined || !Array.isArray(scoord.GraphicData)) continue;
    // Numbers, though dcmjs may give decimal strings (a dataset it wrote itself).
    const data = (scoord.GraphicData as unknown[]).map(Number);
    scoord.GraphicData = mapPoints(data, (point) => adapterImagePoint(imageId, point));
  }
}

/** Every SCOORD (image coordinates; SCOORD3D are world ones) of a content tree, at any depth. */
function* scoordsOf(sequence: unknown): Generator<ContentItem> {
  for (const item of itemsOf(sequence)) {
    if (item.ValueType === 'SCOORD') yield item;
    yield* scoordsOf(item.ContentSequence);
  }
}

/** The image shown that a SCOORD is selected from (its IMAGE child), if it is shown. */
function imageIdOf(scoord: ContentItem, imageIds: Readonly<Record<string, string>>): string | undefined {
  const image = itemsOf(scoord.ContentSequence).find((child) => child.ValueType === 'IMAGE');
  const sop = itemsOf(image?.ReferencedSOPSequence)[0];
  if (sop === undefined) return undefined;
  const frame: unknown = [sop.ReferencedFrameNumber].flat()[0] ?? 1;
  return imageIds[`${String(sop.ReferencedSOPInstanceUID)}:${String(frame)}`];
}

/** Graphic Data (x1, y1, x2, y2, …) with each point converted. */
function mapPoints(data: readonly number[], convert: (point: [number, number]) => number[]): number[] {
  return data.flatMap((x, index) => (index % 2 === 0 ? convert([x, data[index + 1] ?? 0]) : []));
}

/** Where the adapters' swapped conversion must find a point for its world point to be the true one. */
function adapterImagePoint(imageId: string, point: [number, number]): number[] {
  const world = imageToWorld(imageId, point);
  return [...(utilities.worldToImageCoords(imageId, world) ?? point)];
}

import { inlineBinaryBytes, numberOf, numbersOf, textOf, type DicomJson } from '../dicomweb/dicom-json';

/**
 * One overlay plane of an image (PS3.3 C.9.2, C.9.3): a bitmap in repeating group 60xx (even groups
 * 6000–601E) laid over the image, graphics (`G`) or a region of interest (`R`), both shown the same way.
 */
export interface OverlayPlane {
  /** The group, e.g. 0x6000. */
  group: number;
  rows: number;
  columns: number;
  /** Where the overlay's first pixel lies on the image, 0-based (Overlay Origin is 1-based, row\column). */
  originRow: number;
  originColumn: number;
  /**
   * Overlay frames held (Number of Frames in Overlay), and the image frame the first applies to (Image
   * Frame Origin, 1-based), when the plane says.
   */
  frames: number;
  firstImageFrame?: number;
  /** The bits, packed: inline in the metadata, or where the archive serves them. */
  data: { bytes: Uint8Array } | { bulkDataUri: string };
  label: string;
}

/** The most pixels an overlay plane drawn here may have (an 8192 × 8192 mammogram's worth). */
const MAX_OVERLAY_PIXELS = 8192 * 8192;

/** A tag of overlay group `group` as a DICOM JSON key. */
function keyOf(group: number, element: number): string {
  return ((group << 16) | element).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * The overlay planes of an image's metadata that can be drawn. Planes kept in the unused high bits of the
 * pixel data (retired since 2004: no Overlay Data) are not among them: the image loader has dropped those
 * bits by the time the image is drawn.
 */
export function overlayPlanesOf(metadata: DicomJson): OverlayPlane[] {
  const planes: OverlayPlane[] = [];
  for (let group = 0x6000; group <= 0x601e; group += 2) {
    const rows = numberOf(metadata, keyOf(group, 0x0010));
    const columns = numberOf(metadata, keyOf(group, 0x0011));
    const overlayData = metadata[keyOf(group, 0x3000)];
    if (rows === undefined || columns === undefined || rows <= 0 || columns <= 0) continue;
    if (rows * columns > MAX_OVERLAY_PIXELS) continue;
    if (numberOf(metadata, keyOf(group, 0x0100)) !== 1) continue; // Overlay Bits Allocated is 1 (C.9.2.1.1)
    let data: OverlayPlane['data'];
    if (overlayData?.InlineBinary !== undefined)
      data = { bytes: inlineBinaryBytes(overlayData.InlineBinary) };
    else if (overlayData?.BulkDataURI !== undefined) data = { bulkDataUri: overlayData.BulkDataURI };
    else continue;
    const [originRow = 1, originColumn = 1] = numbersOf(metadata, keyOf(group, 0x0050)) ?? [];
    const firstImageFrame = numberOf(metadata, keyOf(group, 0x0051));
    planes.push({
      group,
      rows,
      columns,
      originRow: originRow - 1,
      originColumn: originColumn - 1,
      frames: Math.max(1, numberOf(metadata, keyOf(group, 0x0015)) ?? 1),
      ...(firstImageFrame !== undefined ? { firstImageFrame: Math.max(1, firstImageFrame) } : {}),
      data,
      label:
        textOf(metadata, keyOf(group, 0x1500)) ||
        textOf(metadata, keyOf(group, 0x0022)) ||
        `Overlay ${(group - 0x6000) / 2 + 1}`,
    });
  }
  return planes;
}

/**
 * Which overlay frame (0-based) lies over image frame `imageFrame` (1-based), if any (PS3.3 C.9.3.1.1). A
 * plane of one frame that names no Image Frame Origin lies over every frame of the image, as DCMTK and
 * dcm4che show it: such an overlay of a multi-frame image is meant for all of them.
 */
export function overlayFrameFor(plane: OverlayPlane, imageFrame: number): number | undefined {
  if (plane.frames === 1 && plane.firstImageFrame === undefined) return 0;
  const index = imageFrame - (plane.firstImageFrame ?? 1);
  return index >= 0 && index < plane.frames ? index : undefined;
}

/** Whether packed data holds every bit of an overlay frame: a shorter value is drawn not at all. */
export function holdsFrame(plane: OverlayPlane, packed: Uint8Array, overlayFrame: number): boolean {
  return packed.length * 8 >= (overlayFrame + 1) * plane.rows * plane.columns;
}

/**
 * The pixels of one overlay frame, 1 where the overlay is on. The bits run on from frame to frame without
 * padding, each byte's lowest bit first (PS3.5 §8.1.2, Overlay Data as OW little endian read bytewise).
 */
export function overlayBits(plane: OverlayPlane, packed: Uint8Array, overlayFrame: number): Uint8Array {
  const count = plane.rows * plane.columns;
  const first = overlayFrame * count;
  const bits = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = first + i;
    bits[i] = ((packed[bit >> 3] ?? 0) >> (bit & 7)) & 1;
  }
  return bits;
}

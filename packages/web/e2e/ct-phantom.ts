import { Tag } from '@lightbox/dicom';
import { syntheticImage, textElement } from '@lightbox/dicom/test-support';

/** Geometry of the phantom: 128 × 128 pixels of 0.5 mm, slices 2 mm apart, centre pixel (64, 64) at x = y = 0. */
export const PHANTOM = {
  rows: 128,
  columns: 128,
  pixelSpacing: 0.5,
  slices: 16,
  sliceSpacing: 2,
  centre: 64,
  /** Radius of the 100 HU disc, mm. */
  discRadius: 10,
  /** Centre column of the 1000 HU bone insert. */
  boneColumn: 96,
  /** Centre row of the rod (at the centre column, 15 mm posterior) whose value changes with the slice (for MPR checks). */
  rodRow: 94,
} as const;

/** The Hounsfield value of the phantom at a voxel: air, a water body, a 100 HU disc, bone, and a z-ramp rod. */
export function phantomHu(slice: number, row: number, column: number): number {
  const mm = (pixels: number) => pixels * PHANTOM.pixelSpacing;
  const x = mm(column - PHANTOM.centre);
  const y = mm(row - PHANTOM.centre);
  const r = Math.hypot(x, y);
  if (r <= PHANTOM.discRadius) return 100;
  if (Math.hypot(mm(column - PHANTOM.boneColumn), y) <= 4) return 1000;
  if (Math.hypot(x, mm(row - PHANTOM.rodRow)) <= 4) return -500 + 50 * slice;
  if (r <= 28) return 0;
  return -1000;
}

function ds(tag: number, values: number[]) {
  return textElement(
    tag,
    'DS',
    values.map((v) => String(v)),
  );
}

/** What every phantom slice carries: stored value = HU + 1024, a soft-tissue window, one frame of reference. */
function ctDisplayElements(frameOfReferenceUid: string) {
  return [
    ds(Tag.RescaleIntercept, [-1024]),
    ds(Tag.RescaleSlope, [1]),
    ds(Tag.WindowCenter, [40]),
    ds(Tag.WindowWidth, [400]),
    textElement(Tag.FrameOfReferenceUID, 'UI', frameOfReferenceUid),
  ];
}

/** A synthetic CT series (Explicit VR Little Endian, stored value = HU + 1024) whose every voxel is known. */
export function ctPhantom(ids: {
  patientId: string;
  patientName: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  studyDate?: string;
  accessionNumber?: string;
  studyDescription?: string;
}): Uint8Array[] {
  const ds = (tag: number, values: number[]) =>
    textElement(
      tag,
      'DS',
      values.map((v) => String(v)),
    );
  return Array.from({ length: PHANTOM.slices }, (_, slice) => {
    const z = slice * PHANTOM.sliceSpacing;
    return syntheticImage({
      rows: PHANTOM.rows,
      columns: PHANTOM.columns,
      bitsAllocated: 16,
      bitsStored: 12,
      pixelRepresentation: 0,
      patientId: ids.patientId,
      patientName: ids.patientName,
      studyInstanceUid: ids.studyInstanceUid,
      seriesInstanceUid: ids.seriesInstanceUid,
      studyDate: ids.studyDate ?? '20240301',
      accessionNumber: ids.accessionNumber ?? 'PHANTOM1',
      studyDescription: ids.studyDescription ?? 'CT phantom',
      seriesDescription: 'Axial 2 mm',
      instanceNumber: slice + 1,
      pixelValue: (_frame, row, column) => phantomHu(slice, row, column) + 1024,
      extra: [
        ds(Tag.PixelSpacing, [PHANTOM.pixelSpacing, PHANTOM.pixelSpacing]),
        ds(Tag.ImagePositionPatient, [
          -PHANTOM.centre * PHANTOM.pixelSpacing,
          -PHANTOM.centre * PHANTOM.pixelSpacing,
          z,
        ]),
        ds(Tag.ImageOrientationPatient, [1, 0, 0, 0, 1, 0]),
        ds(Tag.SliceThickness, [PHANTOM.sliceSpacing]),
        ds(Tag.SliceLocation, [z]),
        ...ctDisplayElements(ids.frameOfReferenceUid),
      ],
    });
  });
}

/**
 * The same phantom reformatted as coronal slices (one per 4 mm of y, head at the top), in the axial series'
 * frame of reference: what reference lines between an axial and a coronal viewport need.
 */
export function coronalPhantom(ids: {
  patientId: string;
  patientName: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
}): Uint8Array[] {
  const ds = (tag: number, values: number[]) =>
    textElement(
      tag,
      'DS',
      values.map((v) => String(v)),
    );
  const top = (PHANTOM.slices - 1) * PHANTOM.sliceSpacing;
  return Array.from({ length: 16 }, (_, k) => {
    const axialRow = k * 8;
    const y = (axialRow - PHANTOM.centre) * PHANTOM.pixelSpacing;
    return syntheticImage({
      rows: PHANTOM.slices,
      columns: PHANTOM.columns,
      bitsAllocated: 16,
      bitsStored: 12,
      pixelRepresentation: 0,
      patientId: ids.patientId,
      patientName: ids.patientName,
      studyInstanceUid: ids.studyInstanceUid,
      seriesInstanceUid: ids.seriesInstanceUid,
      studyDate: '20240301',
      accessionNumber: 'PHANTOM1',
      studyDescription: 'CT phantom',
      seriesDescription: 'Coronal 4 mm',
      seriesNumber: 2,
      instanceNumber: k + 1,
      pixelValue: (_frame, row, column) => phantomHu(PHANTOM.slices - 1 - row, axialRow, column) + 1024,
      extra: [
        // Rows step down in z by a slice, columns along x by a pixel.
        ds(Tag.PixelSpacing, [PHANTOM.sliceSpacing, PHANTOM.pixelSpacing]),
        ds(Tag.ImagePositionPatient, [-PHANTOM.centre * PHANTOM.pixelSpacing, y, top]),
        ds(Tag.ImageOrientationPatient, [1, 0, 0, 0, 0, -1]),
        ds(Tag.SliceThickness, [4]),
        ...ctDisplayElements(ids.frameOfReferenceUid),
      ],
    });
  });
}

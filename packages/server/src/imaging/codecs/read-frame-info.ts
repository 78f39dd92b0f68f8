import { getNumber, getString, Tag, type DataSet } from '@lightbox/dicom';
import type { FrameInfo } from './frame-info.js';

/** The pixel description of a data set's frames (Image Pixel Module, PS3.3 §C.7.6.3), with the usual defaults. */
export function readFrameInfo(dataSet: DataSet): FrameInfo {
  const bitsAllocated = getNumber(dataSet, Tag.BitsAllocated) ?? 16;
  return {
    rows: getNumber(dataSet, Tag.Rows) ?? 0,
    columns: getNumber(dataSet, Tag.Columns) ?? 0,
    samplesPerPixel: getNumber(dataSet, Tag.SamplesPerPixel) ?? 1,
    bitsAllocated,
    bitsStored: getNumber(dataSet, Tag.BitsStored) ?? bitsAllocated,
    pixelRepresentation: getNumber(dataSet, Tag.PixelRepresentation) ?? 0,
    photometricInterpretation: getString(dataSet, Tag.PhotometricInterpretation)?.trim() ?? 'MONOCHROME2',
    planarConfiguration: getNumber(dataSet, Tag.PlanarConfiguration) ?? 0,
  };
}

import { Tag, type DataSet } from '@lightbox/dicom';
import { checkFrameInfo, readFrameInfo, type FrameInfo } from './codecs/index.js';

/**
 * The largest side of an icon decoded here. PS3.3 sets no hard maximum (F.7: a File-set Creator may write
 * icons of any size, readers must take at least 64 × 64) and the largest it names is the 128 × 128 of the
 * XA media profiles (PS3.11); twice that leaves room for what modalities write, and keeps a decoded icon
 * under 400 KiB (3 samples of 16 bits at most).
 */
export const ICON_MAX_SIDE = 256;

/**
 * The most bytes an icon's fragments may hold, summed, to be read and decoded: far more than a
 * compressed icon of {@link ICON_MAX_SIDE} needs, far less than the gigabytes an item can claim.
 */
export const ICON_MAX_ENCODED_BYTES = 1 << 20;

/**
 * The Image Pixel Description of an icon item (PS3.3 C.7.6.1.1.6, F.7: small, 1 or 3 samples, 8 bits
 * in the standard; 16 taken too), or why its pixel data is not decoded here. Read from the item alone,
 * before any of its bytes: Rows, Columns and Bits Allocated must be there, no default stands for them.
 */
export function iconFrameInfo(item: DataSet): FrameInfo | string {
  if (![Tag.Rows, Tag.Columns, Tag.BitsAllocated].every((tag) => item.has(tag)))
    return 'the icon item lacks Rows, Columns or Bits Allocated';
  const info = readFrameInfo(item);
  const { rows, columns, samplesPerPixel, bitsAllocated } = info;
  if (rows > ICON_MAX_SIDE || columns > ICON_MAX_SIDE)
    return `a ${rows} × ${columns} icon is larger than the ${ICON_MAX_SIDE} × ${ICON_MAX_SIDE} decoded here`;
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3)
    return `an icon of ${samplesPerPixel} samples per pixel is not decoded here`;
  if (bitsAllocated !== 8 && bitsAllocated !== 16)
    return `an icon of Bits Allocated ${bitsAllocated} is not decoded here`;
  try {
    checkFrameInfo(info);
  } catch (error) {
    return error instanceof Error ? error.message : 'the icon item describes no frame';
  }
  return info;
}

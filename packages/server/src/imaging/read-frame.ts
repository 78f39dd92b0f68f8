import { lookupTransferSyntax, readPart10, frameRanges } from '@lightbox/dicom';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { decodeStoredFrame } from './decode-stored-frame.js';

async function rangesOf(archive: Archive, instance: StoredInstance, index: number): Promise<Uint8Array[]> {
  const indexed = instance.frameIndex?.frames[index];
  if (indexed !== undefined && indexed.length > 0) {
    return Promise.all(
      indexed.map(([offset, length]) => archive.readObjectRange(instance, { offset, length })),
    );
  }
  // No ranges (deflated objects, ambiguous fragments): read the pixel data into memory.
  const object = await readPart10(await archive.openObject(instance), { readPixelData: true });
  const pixelData = object.dataSet.get(0x7fe00010);
  const ranges = frameRanges(object.dataSet);
  const frame = ranges?.frames[index];
  if (pixelData === undefined || frame === undefined) {
    throw new AppError(
      ErrorCode.NotFound,
      `frame ${index + 1} of instance ${instance.sopInstanceUid} cannot be located`,
    );
  }
  if (pixelData.encapsulated !== undefined) {
    const fragments = pixelData.encapsulated.fragments;
    return frame.map((r) => fragments.find((f) => f.offset === r.offset)!.bytes!);
  }
  const start = frame[0]!.offset - pixelData.offset;
  return [pixelData.bytes!.subarray(start, start + frame[0]!.length)];
}

/** A frame's parts (its fragments) as one buffer, copied only when there are several. */
export function concatFrameParts(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** A frame's bytes and the photometric interpretation they are in. */
export interface FrameData {
  pixels: Uint8Array;
  /** Differs from the stored one when decoding changed it (e.g. YBR_FULL_422 JPEG → RGB). */
  photometricInterpretation: string;
}

/**
 * One frame of a stored instance, by byte range through the frame index: as stored when `target` is
 * the stored syntax, else native little-endian pixels (byte-swapped from big endian, or decoded from a
 * compressed syntax in a worker thread).
 */
export async function readFrame(
  archive: Archive,
  instance: StoredInstance,
  index: number,
  target: string,
): Promise<FrameData> {
  const bytes = concatFrameParts(await rangesOf(archive, instance, index));
  const photometricInterpretation = instance.frameIndex?.pixel.photometricInterpretation ?? 'MONOCHROME2';
  if (target === '*' || target === instance.transferSyntaxUid)
    return { pixels: bytes, photometricInterpretation };
  const stored = lookupTransferSyntax(instance.transferSyntaxUid);
  if (stored !== undefined && !stored.encapsulated) {
    const bits = instance.frameIndex?.pixel.bitsAllocated ?? instance.bitsAllocated ?? 8;
    if (!stored.littleEndian && bits > 8) {
      const unit = bits / 8;
      const out = Buffer.from(bytes);
      for (let i = 0; i + unit <= out.length; i += unit) out.subarray(i, i + unit).reverse();
      return { pixels: out, photometricInterpretation };
    }
    return { pixels: bytes, photometricInterpretation };
  }
  const decoded = await decodeStoredFrame(instance, bytes);
  return { pixels: decoded.pixels, photometricInterpretation: decoded.photometricInterpretation };
}

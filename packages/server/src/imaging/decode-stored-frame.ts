import type { DataSet } from '@lightbox/dicom';
import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { canDecode, decodeFrame, readFrameInfo, type DecodedFrame, type FrameInfo } from './codecs/index.js';

/** True when compressed frames of this transfer syntax can be decoded to native pixels here. */
export function canDecodeFrames(transferSyntaxUid: string): boolean {
  return canDecode(transferSyntaxUid);
}

/** Decodes one compressed frame of a stored instance (off the event loop), described by its frame index. */
export async function decodeStoredFrame(
  instance: StoredInstance,
  encoded: Uint8Array,
): Promise<DecodedFrame> {
  return decode(instance.transferSyntaxUid, encoded, instance.frameIndex?.pixel);
}

/**
 * Decodes the one frame of pixel data held in an item (an icon, PS3.3 F.7), described by the Image
 * Pixel Description of that item rather than the frame index, which describes the top-level Pixel Data.
 */
export async function decodeItemFrame(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  item: DataSet,
): Promise<DecodedFrame> {
  return decode(transferSyntaxUid, encoded, readFrameInfo(item));
}

async function decode(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  pixel: FrameInfo | undefined,
): Promise<DecodedFrame> {
  if (pixel === undefined || !canDecode(transferSyntaxUid)) {
    throw new AppError(
      ErrorCode.NotAcceptable,
      `frames stored as ${transferSyntaxUid} cannot be decompressed here; ask for transfer-syntax=*`,
    );
  }
  try {
    return await decodeFrame(transferSyntaxUid, encoded, pixel);
  } catch (error) {
    throw new AppError(ErrorCode.ProcessingFailure, `a stored frame could not be decoded`, undefined, {
      cause: error,
    });
  }
}

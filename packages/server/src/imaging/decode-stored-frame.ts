import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { canDecode, decodeFrame, type DecodedFrame, type FrameInfo } from './codecs/index.js';

/** True when compressed frames of this transfer syntax can be decoded to native pixels here. */
export function canDecodeFrames(transferSyntaxUid: string): boolean {
  return canDecode(transferSyntaxUid);
}

function notDecodable(transferSyntaxUid: string): AppError {
  return new AppError(
    ErrorCode.NotAcceptable,
    `frames stored as ${transferSyntaxUid} cannot be decompressed here; ask for transfer-syntax=*`,
  );
}

/** Decodes one compressed frame of a stored instance (off the event loop), described by its frame index. */
export async function decodeStoredFrame(
  instance: StoredInstance,
  encoded: Uint8Array,
): Promise<DecodedFrame> {
  const pixel = instance.frameIndex?.pixel;
  // No frame index (fragments that cannot be told apart, or more frames than are indexed): nothing
  // describes the frame.
  if (pixel === undefined) throw notDecodable(instance.transferSyntaxUid);
  return decode(instance.transferSyntaxUid, encoded, pixel);
}

/**
 * Decodes the one frame of pixel data held in an item (an icon, PS3.3 F.7), described by the Image
 * Pixel Description of that item (checked by the caller) rather than the frame index, which describes
 * the top-level Pixel Data.
 */
export async function decodeItemFrame(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  info: FrameInfo,
): Promise<DecodedFrame> {
  return decode(transferSyntaxUid, encoded, info);
}

async function decode(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  pixel: FrameInfo,
): Promise<DecodedFrame> {
  if (!canDecode(transferSyntaxUid)) throw notDecodable(transferSyntaxUid);
  try {
    return await decodeFrame(transferSyntaxUid, encoded, pixel);
  } catch (error) {
    throw new AppError(ErrorCode.ProcessingFailure, `a stored frame could not be decoded`, undefined, {
      cause: error,
    });
  }
}

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
  return decodeEncodedFrame(instance.transferSyntaxUid, encoded, pixel);
}

/**
 * Decodes one frame described by `pixel`: a stored instance's (its frame index) or an item's own Image
 * Pixel Description (an icon, PS3.3 F.7, checked by the caller), which the frame index does not describe.
 */
export async function decodeEncodedFrame(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  pixel: FrameInfo,
): Promise<DecodedFrame> {
  if (!canDecode(transferSyntaxUid)) throw notDecodable(transferSyntaxUid);
  try {
    return await decodeFrame(transferSyntaxUid, encoded, pixel);
  } catch (error) {
    // The decoder's reason (e.g. a codestream whose size disagrees with the data set) tells an
    // administrator whether the object or Lightbox is at fault.
    const reason = error instanceof Error ? `: ${error.message}` : '';
    throw new AppError(
      ErrorCode.ProcessingFailure,
      `a stored frame could not be decoded${reason}`,
      undefined,
      {
        cause: error,
      },
    );
  }
}

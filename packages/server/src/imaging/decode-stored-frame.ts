import type { StoredInstance } from '../archive/index-store.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { canDecode, decodeFrame, type DecodedFrame } from './codecs/index.js';

/** True when compressed frames of this transfer syntax can be decoded to native pixels here. */
export function canDecodeFrames(transferSyntaxUid: string): boolean {
  return canDecode(transferSyntaxUid);
}

/** Decodes one compressed frame of a stored instance (off the event loop), described by its frame index. */
export async function decodeStoredFrame(
  instance: StoredInstance,
  encoded: Uint8Array,
): Promise<DecodedFrame> {
  const pixel = instance.frameIndex?.pixel;
  if (pixel === undefined || !canDecode(instance.transferSyntaxUid)) {
    throw new AppError(
      ErrorCode.NotAcceptable,
      `frames stored as ${instance.transferSyntaxUid} cannot be decompressed here; ask for transfer-syntax=*`,
    );
  }
  try {
    return await decodeFrame(instance.transferSyntaxUid, encoded, pixel);
  } catch (error) {
    throw new AppError(ErrorCode.ProcessingFailure, `a stored frame could not be decoded`, undefined, {
      cause: error,
    });
  }
}

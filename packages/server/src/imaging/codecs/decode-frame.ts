import { canDecode } from './can-decode.js';
import { CodecError, CodecFailure } from './codec-error.js';
import { CodecWorkerPool } from './codec-worker-pool.js';
import { checkFrameInfo } from './decode-pixels.js';
import type { DecodedFrame, FrameInfo } from './frame-info.js';

// The process-wide pool behind decodeFrame: started on first use, stopped by closeCodecWorkers (after
// which the next decodeFrame starts a new one). Code that wants its own pool (a composition root with
// its own size or timeout) constructs a CodecWorkerPool instead.
let pool: CodecWorkerPool | undefined;

/**
 * Decodes one frame (its fragments concatenated) in a worker thread. Rejects with a typed error for
 * corrupt data or an unsupported syntax. The encoded bytes are transferred to the worker when the view
 * covers its whole ArrayBuffer (which is then detached); otherwise they are copied.
 */
export async function decodeFrame(
  transferSyntaxUid: string,
  encoded: Uint8Array,
  info: FrameInfo,
): Promise<DecodedFrame> {
  if (!canDecode(transferSyntaxUid)) {
    throw new CodecError(
      CodecFailure.Unsupported,
      `frames in transfer syntax ${transferSyntaxUid} cannot be decoded`,
    );
  }
  checkFrameInfo(info);
  pool ??= new CodecWorkerPool();
  return pool.decode(transferSyntaxUid, encoded, info);
}

/** Stops the worker threads (for tests and shutdown). */
export async function closeCodecWorkers(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}

import type { CodecFailureReason } from './codec-error.js';
import type { DecodedFrame, FrameInfo } from './frame-info.js';

/** What the pool sends a codec worker: one frame to decode. */
export interface DecodeRequest {
  id: number;
  transferSyntaxUid: string;
  encoded: Uint8Array;
  info: FrameInfo;
}

/** What a codec worker answers: the decoded frame, or why it could not be decoded. */
export type DecodeResponse =
  | { id: number; ok: true; frame: DecodedFrame }
  | { id: number; ok: false; reason: CodecFailureReason; message: string };

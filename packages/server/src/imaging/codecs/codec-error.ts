import { AppError, ErrorCode } from '../../shared/app-error.js';

/** Why a frame could not be decoded. */
export const CodecFailure = {
  /** The encoded bytes are not a valid codestream, or contradict the data set's pixel description. */
  Corrupt: 'corrupt',
  /** The transfer syntax, or this combination of pixel attributes, cannot be decoded here. */
  Unsupported: 'unsupported',
  /** The worker thread died while decoding (it has been replaced). */
  WorkerFailed: 'worker-failed',
  /** Decoding took longer than the pool allows (the worker has been replaced). */
  Timeout: 'timeout',
  /** The worker pool was closed before the frame was decoded. */
  Closed: 'closed',
} as const;

/** One of the {@link CodecFailure} values. */
export type CodecFailureReason = (typeof CodecFailure)[keyof typeof CodecFailure];

/**
 * The typed error of the codecs: an {@link AppError} (so adapters render it like any other) that also
 * says why. Unsupported syntaxes map to "Transfer syntax not supported", everything else to a
 * processing failure: the stored object is what it is, the caller did nothing wrong.
 */
export class CodecError extends AppError {
  /**
   * @param reason - why decoding failed
   * @param detail - a technical explanation without patient data (decoder messages are safe)
   */
  constructor(
    readonly reason: CodecFailureReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      reason === CodecFailure.Unsupported
        ? ErrorCode.TransferSyntaxNotSupported
        : ErrorCode.ProcessingFailure,
      detail,
      undefined,
      options,
    );
  }
}

/** True when `error` is a {@link CodecError}. */
export function isCodecError(error: unknown): error is CodecError {
  return error instanceof CodecError;
}

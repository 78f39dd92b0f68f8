/** Why a `multipart/related` body could not be read (RFC 2046 §5.1). */
export const MultipartFailure = {
  /** No boundary was given (the Content-Type has no `boundary` parameter). */
  MissingBoundary: 'missing-boundary',
  /** The boundary has characters or a length no delimiter line can have. */
  InvalidBoundary: 'invalid-boundary',
  /** The stream ended before the close delimiter `--boundary--`. */
  Truncated: 'truncated',
  /** A part's header section is longer than the limit. */
  HeaderTooLarge: 'header-too-large',
  /** The body has more parts than the limit. */
  TooManyParts: 'too-many-parts',
  /** A header line is not `name: value`, or holds control characters. */
  MalformedHeaders: 'malformed-headers',
  /** A boundary delimiter is followed by something other than `--`, transport padding and CRLF. */
  MalformedDelimiter: 'malformed-delimiter',
} as const;

/** One of the {@link MultipartFailure} reasons. */
export type MultipartFailureReason = (typeof MultipartFailure)[keyof typeof MultipartFailure];

/** Thrown when a `multipart/related` body is malformed; `offset` is the stream position where reading stopped. */
export class MultipartError extends Error {
  override readonly name = 'MultipartError';

  constructor(
    readonly reason: MultipartFailureReason,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

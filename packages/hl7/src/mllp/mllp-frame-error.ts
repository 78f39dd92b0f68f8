/** An MLLP frame that cannot be accepted (too large); the connection should be closed. */
export class MllpFrameError extends Error {
  override readonly name = 'MllpFrameError';
}

/** Why a byte stream could not be read as DICOM. */
export const ParseFailure = {
  /** No DICM prefix and no recognisable data set: this is not a DICOM object. */
  NotDicom: 'not-dicom',
  /** The stream ended inside an element, item or sequence. */
  Truncated: 'truncated',
  /** A length, VR or structure that contradicts PS3.5. */
  Malformed: 'malformed',
  /** The transfer syntax is unknown or cannot be parsed here. */
  UnsupportedTransferSyntax: 'unsupported-transfer-syntax',
} as const;

/** One of the {@link ParseFailure} reasons. */
export type ParseFailureReason = (typeof ParseFailure)[keyof typeof ParseFailure];

/** Thrown when a stream is not a well-formed DICOM object; `offset` is where reading stopped. */
export class DicomParseError extends Error {
  override readonly name = 'DicomParseError';

  constructor(
    readonly reason: ParseFailureReason,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

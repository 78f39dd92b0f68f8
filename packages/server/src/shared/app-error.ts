/**
 * The one error type of the domain. Each code carries the status every protocol renders it with:
 * HTTP (problem+json, RFC 9457), and the DICOM status / STOW-RS FailureReason (PS3.4 Annex B.2.3,
 * PS3.7 Annex C, PS3.18 §10.5.3). Adapters render; the domain only throws.
 */
export const ErrorCode = {
  /** A request parameter is missing or invalid. */
  InvalidParameter: { http: 400, dicom: 0xc000 },
  /** The body is not what the standard defines for this request. */
  BadRequest: { http: 400, dicom: 0xc000 },
  /** The object is not a well-formed DICOM Part 10 object (C-STORE/STOW "Cannot understand"). */
  CannotUnderstand: { http: 400, dicom: 0xc000 },
  /** The data set lacks an attribute the archive needs, or contradicts the request (PS3.4 B.2.3 A900). */
  DataSetMismatch: { http: 409, dicom: 0xa900 },
  /** The transfer syntax is not supported (PS3.4 C122 "Referenced Transfer Syntax not supported"). */
  TransferSyntaxNotSupported: { http: 409, dicom: 0xc122 },
  /** An instance with this SOP Instance UID is already stored and the policy rejects duplicates (PS3.7 C 0111). */
  DuplicateInstance: { http: 409, dicom: 0x0111 },
  /** No credentials, or wrong ones. */
  Unauthenticated: { http: 401, dicom: 0x0124 },
  /** Authenticated, but not allowed. */
  Forbidden: { http: 403, dicom: 0x0124 },
  /** The resource does not exist (or is not visible to the caller). */
  NotFound: { http: 404, dicom: 0xc000 },
  /** The resource exists but does not take this method (the answer names those it takes in Allow). */
  MethodNotAllowed: { http: 405, dicom: 0xc000 },
  /** None of the media types the client accepts can be produced. */
  NotAcceptable: { http: 406, dicom: 0xc000 },
  /** An attribute has a value the service does not allow (PS3.7 C.4.x "Invalid attribute value" 0106). */
  InvalidAttributeValue: { http: 400, dicom: 0x0106 },
  /**
   * A performed procedure step that is completed or discontinued may no longer be updated: Processing
   * failure 0110 with Error ID A710 (PS3.4 F.7.2.2.2).
   */
  NoLongerUpdatable: { http: 409, dicom: 0x0110 },
  /** The request conflicts with the current state. */
  Conflict: { http: 409, dicom: 0x0110 },
  /** The resource changed since the caller read it (If-Match names an older version): read it again. */
  PreconditionFailed: { http: 412, dicom: 0x0110 },
  /** The request body is larger than the configured limit. */
  PayloadTooLarge: { http: 413, dicom: 0xa700 },
  /** The request's media type is not supported. */
  UnsupportedMediaType: { http: 415, dicom: 0xc000 },
  /** Storage or database failure (PS3.4 B.2.3 "Out of resources"). */
  OutOfResources: { http: 503, dicom: 0xa700 },
  /** Too many failed authentications from one address: wait (429 with Retry-After). */
  TooManyRequests: { http: 429, dicom: 0xa700 },
  /** Anything else (PS3.7 C "Processing failure"). */
  ProcessingFailure: { http: 500, dicom: 0x0110 },
} as const;

/** One of the {@link ErrorCode} entries. */
export type ErrorCodeEntry = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A domain error: a code from {@link ErrorCode} and a detail safe to show to the caller (no PHI, no SQL). */
export class AppError extends Error {
  override readonly name = 'AppError';

  /**
   * @param code - what went wrong, with its protocol statuses
   * @param detail - a specific, user-facing explanation
   * @param parameter - the request parameter at fault, when there is one
   */
  constructor(
    readonly code: ErrorCodeEntry,
    readonly detail: string,
    readonly parameter?: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(detail, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** For {@link ErrorCode.TooManyRequests}: when the caller may try again. */
  readonly retryAfterSeconds: number | undefined;
}

/** True when `error` is an {@link AppError}. */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Streaming `multipart/related` (RFC 2387, RFC 2046 §5.1) for STOW-RS requests and WADO-RS responses (PS3.18 §8.6, §8.7). */
export { createBoundary, isValidBoundary } from './create-boundary.js';
export { MultipartError, MultipartFailure, type MultipartFailureReason } from './multipart-error.js';
export { parseMultipart, type MultipartLimits, type MultipartPart } from './parse-multipart.js';
export { releaseBody, writeMultipart, type MultipartWritePart } from './write-multipart.js';

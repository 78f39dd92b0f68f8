/**
 * Specific Character Set (0008,0005): decoding and encoding of text values (PS3.5 §6.1, Annexes H, I, J, K;
 * PS3.3 C.12.1.1.2).
 */
export { decodeText } from './decode-text.js';
export { encodeText } from './encode-text.js';
export { CharsetEncodeError } from './charset-encode-error.js';
export { isKnownCharacterSet, canonicalCharacterSetTerm } from './is-known-character-set.js';
export { trimTextPadding } from './trim-text-padding.js';

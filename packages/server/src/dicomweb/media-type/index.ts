/** Media types and Accept headers for DICOMweb content negotiation (RFC 9110 §8.3, §12.5.1; PS3.18 §8.7). */
export { formatMediaType } from './format-media-type.js';
export { parseAccept, type AcceptEntry } from './parse-accept.js';
export { isToken, parseMediaType, type MediaType } from './parse-media-type.js';
export { splitHeaderList } from './split-header-list.js';

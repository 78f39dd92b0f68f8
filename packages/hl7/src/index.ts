/**
 * @lightbox/hl7: HL7 v2 messages (parse, encode, ACK; HL7 v2.5.1 Ch. 2) and the MLLP client and server
 * (HL7 v2.5.1 Appendix C, MLLP Release 1). The message code is isomorphic; only mllp/ uses node:net.
 */
export { Hl7ParseError, type Hl7ErrorLocation } from './message/hl7-parse-error.js';
export { DEFAULT_DELIMITERS, type Hl7Delimiters } from './message/delimiters.js';
export { decodeMessageBytes, encodeMessageText } from './message/character-set.js';
export { escapeText, unescapeText } from './message/escape.js';
export type { Hl7Field, Hl7Message, Hl7Repetition, Hl7Segment } from './message/hl7-message.js';
export { parseMessage } from './message/parse-message.js';
export { encodeSegment, type Hl7FieldValue } from './message/encode-segment.js';
export { formatHl7Timestamp, parseHl7Timestamp, type Hl7TimestampParts } from './message/hl7-timestamp.js';
export { buildAck, type AckCode, type AckError, type BuildAckOptions } from './ack/build-ack.js';
export {
  buildRejectForUnparsable,
  type RejectForUnparsableOptions,
} from './ack/build-reject-for-unparsable.js';
export { ErrorCondition, errorConditionText } from './ack/error-condition.js';
export { frameMllp } from './mllp/frame-mllp.js';
export { MllpDecoder, type MllpDecoderOptions } from './mllp/mllp-decoder.js';
export { MllpFrameError } from './mllp/mllp-frame-error.js';
export {
  startMllpServer,
  type MllpConnectionInfo,
  type MllpProblem,
  type MllpServer,
  type MllpServerOptions,
} from './mllp/mllp-server.js';
export { connectMllp, type MllpClient, type MllpClientOptions } from './mllp/mllp-client.js';

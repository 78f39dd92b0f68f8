/**
 * @lightbox/dimse: the DICOM upper layer (PS3.8) and DIMSE messages (PS3.7). No database, no archive:
 * the server wires services to it.
 */
export * from './pdu/pdu-type.js';
export { PduError } from './pdu/pdu-error.js';
export * from './pdu/associate-pdu.js';
export * from './pdu/control-pdus.js';
export * from './pdu/p-data-pdu.js';
export { PduFramer, type ReceivedPdu } from './pdu/pdu-framer.js';
export * from './message/command-field.js';
export * from './message/command-set.js';
export { DataSetStream } from './association/data-set-stream.js';
export * from './association/association.js';
export {
  negotiatePresentationContexts,
  type TransferSyntaxPreference,
} from './association/negotiate-contexts.js';

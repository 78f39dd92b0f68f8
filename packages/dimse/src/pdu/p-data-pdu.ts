/** P-DATA-TF PDUs and their presentation data values (PS3.8 §9.3.5, Annex E.2). */
import { ByteCursor } from './byte-cursor.js';
import { PduError } from './pdu-error.js';
import { PDU_HEADER_LENGTH, PDV_HEADER_LENGTH, PduType } from './pdu-type.js';

/** One presentation data value: a fragment of a command or of a data set. */
export interface PresentationDataValue {
  contextId: number;
  /** A fragment of the command set (else of the data set). */
  command: boolean;
  /** The last fragment of its command or data set. */
  last: boolean;
  /** The fragment's bytes (a view into the PDU). */
  data: Uint8Array;
}

/** Splits the body of a P-DATA-TF PDU into its PDVs. */
export function decodePresentationDataValues(body: Uint8Array): PresentationDataValue[] {
  const cursor = new ByteCursor(body);
  const values: PresentationDataValue[] = [];
  while (cursor.remaining > 0) {
    const length = cursor.uint32('PDV item length');
    if (length < 2) throw new PduError(`PDV item length ${length} is too short`);
    const contextId = cursor.uint8('presentation context ID');
    const control = cursor.uint8('message control header');
    values.push({
      contextId,
      command: (control & 0x01) !== 0,
      last: (control & 0x02) !== 0,
      data: cursor.take(length - 2, 'PDV data'),
    });
  }
  if (values.length === 0) throw new PduError('P-DATA-TF without a presentation data value');
  return values;
}

/**
 * The PDU header and PDV header of a P-DATA-TF PDU holding one PDV of `length` bytes, in one buffer: the
 * data follows it as it is (not copied), in one or several pieces.
 */
export function presentationDataValueHeader(
  contextId: number,
  command: boolean,
  last: boolean,
  length: number,
): Uint8Array {
  const head = new Uint8Array(PDU_HEADER_LENGTH + PDV_HEADER_LENGTH);
  const view = new DataView(head.buffer);
  head[0] = PduType.DataTransfer;
  view.setUint32(2, PDV_HEADER_LENGTH + length);
  view.setUint32(6, length + 2);
  head[10] = contextId;
  head[11] = (command ? 0x01 : 0) | (last ? 0x02 : 0);
  return head;
}

/** One P-DATA-TF PDU holding one PDV: its headers in one buffer, then the data (not copied). */
export function encodePresentationDataValue(
  contextId: number,
  command: boolean,
  last: boolean,
  data: Uint8Array,
): [Uint8Array, Uint8Array] {
  return [presentationDataValueHeader(contextId, command, last, data.length), data];
}

/**
 * Bytes of the P-DATA-TF PDU that carries a whole DIMSE message (PS3.8 §9.3.5: a PDU may hold several
 * PDVs): the command in one PDV, then the data set, when there is one, in another.
 */
export function wholeMessagePduLength(command: Uint8Array, dataSet: Uint8Array | undefined): number {
  const dataLength = dataSet === undefined ? 0 : PDV_HEADER_LENGTH + dataSet.length;
  return PDU_HEADER_LENGTH + PDV_HEADER_LENGTH + command.length + dataLength;
}

function writePdv(
  out: Uint8Array,
  view: DataView,
  at: number,
  contextId: number,
  control: number,
  data: Uint8Array,
): number {
  view.setUint32(at, data.length + 2);
  out[at + 4] = contextId;
  out[at + 5] = control;
  out.set(data, at + PDV_HEADER_LENGTH);
  return at + PDV_HEADER_LENGTH + data.length;
}

/**
 * Writes the PDU of {@link wholeMessagePduLength} into `out` at `at`: the command PDV (last fragment of the
 * command), then the data set PDV (last fragment of the data set). Returns where the PDU ends.
 */
export function writeWholeMessagePdu(
  out: Uint8Array,
  at: number,
  contextId: number,
  command: Uint8Array,
  dataSet: Uint8Array | undefined,
): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const end = at + wholeMessagePduLength(command, dataSet);
  out[at] = PduType.DataTransfer;
  out[at + 1] = 0;
  view.setUint32(at + 2, end - at - PDU_HEADER_LENGTH);
  let next = writePdv(out, view, at + PDU_HEADER_LENGTH, contextId, 0x03, command);
  if (dataSet !== undefined) next = writePdv(out, view, next, contextId, 0x02, dataSet);
  return next;
}

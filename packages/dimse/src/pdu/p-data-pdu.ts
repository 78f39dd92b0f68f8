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

/** One P-DATA-TF PDU holding one PDV: header and PDV header in one buffer, then the data (not copied). */
export function encodePresentationDataValue(
  contextId: number,
  command: boolean,
  last: boolean,
  data: Uint8Array,
): [Uint8Array, Uint8Array] {
  const head = new Uint8Array(PDU_HEADER_LENGTH + PDV_HEADER_LENGTH);
  const view = new DataView(head.buffer);
  head[0] = PduType.DataTransfer;
  view.setUint32(2, PDV_HEADER_LENGTH + data.length);
  view.setUint32(6, data.length + 2);
  head[10] = contextId;
  head[11] = (command ? 0x01 : 0) | (last ? 0x02 : 0);
  return [head, data];
}

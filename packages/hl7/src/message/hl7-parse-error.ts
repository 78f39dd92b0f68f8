/** Where in a message an error was found (HL7 v2.5.1 §2.A.25 ERL, 1-based). */
export interface Hl7ErrorLocation {
  segment: string;
  sequence?: number;
  field?: number;
  component?: number;
}

/**
 * A message that cannot be accepted. `code` is an HL7 table 0357 message error condition code:
 * '100' segment sequence error, '101' required field missing, '102' data type error, '103' table value
 * not found, '200' unsupported message type, '201' unsupported event code, '202' unsupported processing
 * id, '203' unsupported version id, '207' application internal error.
 */
export class Hl7ParseError extends Error {
  override readonly name = 'Hl7ParseError';

  constructor(
    readonly code: string,
    message: string,
    readonly location?: Hl7ErrorLocation,
  ) {
    super(message);
  }
}

/** MLLP start block, VT (HL7 v2.5.1 Appendix C.4.3, MLLP Release 1). */
export const MLLP_START = 0x0b;
/** MLLP end block, FS, followed by CR. */
export const MLLP_END = 0x1c;
/** The carriage return that follows the end block. */
export const MLLP_CR = 0x0d;

/** Wraps a message in an MLLP frame: VT message FS CR (HL7 v2.5.1 Appendix C.4.3). */
export function frameMllp(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(message.length + 3);
  frame[0] = MLLP_START;
  frame.set(message, 1);
  frame[message.length + 1] = MLLP_END;
  frame[message.length + 2] = MLLP_CR;
  return frame;
}

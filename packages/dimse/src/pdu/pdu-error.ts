import { AbortReason, type SourceAndReason } from './pdu-type.js';

/** A PDU that breaks PS3.8: the association is aborted with this reason. */
export class PduError extends Error {
  override readonly name = 'PduError';

  constructor(
    message: string,
    readonly abort: SourceAndReason = AbortReason.InvalidPduParameterValue,
  ) {
    super(message);
  }
}

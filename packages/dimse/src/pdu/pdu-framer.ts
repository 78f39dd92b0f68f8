import { PduError } from './pdu-error.js';
import { AbortReason, PDU_HEADER_LENGTH } from './pdu-type.js';

/** One received PDU: its type and body. */
export interface ReceivedPdu {
  type: number;
  body: Uint8Array;
}

/**
 * Cuts a TCP byte stream into PDUs (PS3.8 §9.3.1). Memory stays bounded: a PDU longer than `maxBodyLength`
 * (what we announced as our maximum, plus headroom for the non-data PDUs) is refused before it is buffered.
 */
export class PduFramer {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly maxBodyLength: number) {}

  /** Feeds received bytes; returns the PDUs completed by them (bodies are fresh copies or owned slices). */
  push(chunk: Buffer): ReceivedPdu[] {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const out: ReceivedPdu[] = [];
    for (;;) {
      if (this.pendingLength < PDU_HEADER_LENGTH) return out;
      const head = this.peek(PDU_HEADER_LENGTH);
      const type = head[0]!;
      const length = head.readUInt32BE(2);
      if (length > this.maxBodyLength) {
        throw new PduError(
          `PDU of ${length} bytes exceeds the maximum of ${this.maxBodyLength}`,
          AbortReason.InvalidPduParameterValue,
        );
      }
      if (this.pendingLength < PDU_HEADER_LENGTH + length) return out;
      const whole = this.consume(PDU_HEADER_LENGTH + length);
      out.push({ type, body: whole.subarray(PDU_HEADER_LENGTH) });
    }
  }

  private peek(count: number): Buffer {
    if (this.pending[0]!.length >= count) return this.pending[0]!;
    this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!;
  }

  private consume(count: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= count) {
      const out = first.subarray(0, count);
      if (first.length === count) this.pending.shift();
      else this.pending[0] = first.subarray(count);
      this.pendingLength -= count;
      return out;
    }
    const joined = Buffer.concat(this.pending);
    this.pending = joined.length > count ? [joined.subarray(count)] : [];
    this.pendingLength -= count;
    return joined.subarray(0, count);
  }
}

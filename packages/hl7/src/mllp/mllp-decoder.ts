import { MLLP_CR, MLLP_END, MLLP_START } from './frame-mllp.js';
import { MllpFrameError } from './mllp-frame-error.js';

/** Options of MllpDecoder. */
export interface MllpDecoderOptions {
  /** Largest payload accepted, in bytes; default 16 MiB. */
  maxMessageBytes?: number;
}

/**
 * Incremental MLLP decoder (HL7 v2.5.1 Appendix C.4.3, MLLP Release 1): push() any chunk and get the
 * payloads it completed. Bytes outside a frame are counted in discardedBytes and dropped. A frame ends
 * at FS; the CR after it is consumed when present (a missing CR is tolerated). A VT inside a frame
 * starts a new frame and drops the partial one. A payload over maxMessageBytes throws MllpFrameError.
 */
export class MllpDecoder {
  readonly #max: number;
  #inFrame = false;
  #afterEnd = false;
  #parts: Uint8Array[] = [];
  #size = 0;
  #discarded = 0;

  constructor(options: MllpDecoderOptions = {}) {
    this.#max = options.maxMessageBytes ?? 16 * 1024 * 1024;
  }

  /** Bytes dropped so far because they were outside a frame. */
  get discardedBytes(): number {
    return this.#discarded;
  }

  /** Feeds bytes; returns the payloads of the frames completed by them, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#afterEnd) {
        this.#afterEnd = false;
        if (chunk[i] === MLLP_CR) i++;
        continue;
      }
      if (!this.#inFrame) {
        const start = chunk.indexOf(MLLP_START, i);
        const stop = start < 0 ? chunk.length : start;
        this.#discarded += stop - i;
        if (start < 0) break;
        this.#inFrame = true;
        i = start + 1;
        continue;
      }
      let end = i;
      while (end < chunk.length && chunk[end] !== MLLP_END && chunk[end] !== MLLP_START) end++;
      this.#append(chunk.subarray(i, end));
      if (end === chunk.length) break;
      if (chunk[end] === MLLP_START) {
        // A new start block before the end block: the sender gave up on the partial frame.
        this.#discarded += this.#size + 1;
        this.#reset();
        this.#inFrame = true;
      } else {
        out.push(this.#take());
        this.#afterEnd = true;
      }
      i = end + 1;
    }
    return out;
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#size += bytes.length;
    if (this.#size > this.#max) {
      const size = this.#size;
      this.#reset();
      throw new MllpFrameError(`MLLP frame larger than ${this.#max} bytes (at least ${size})`);
    }
    this.#parts.push(bytes.slice());
  }

  #take(): Uint8Array {
    const payload = new Uint8Array(this.#size);
    let offset = 0;
    for (const part of this.#parts) {
      payload.set(part, offset);
      offset += part.length;
    }
    this.#reset();
    return payload;
  }

  #reset(): void {
    this.#inFrame = false;
    this.#parts = [];
    this.#size = 0;
  }
}

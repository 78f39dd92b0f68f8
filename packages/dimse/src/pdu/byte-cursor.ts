import { PduError } from './pdu-error.js';

/** Reads big-endian fields of a PDU body (PS3.8 §9.3: all PDU fields are big endian), with bounds checks. */
export class ByteCursor {
  private readonly view: DataView;
  position: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
  }

  /** Bytes left before the end. */
  get remaining(): number {
    return this.end - this.position;
  }

  private need(count: number, what: string): void {
    if (this.position + count > this.end) throw new PduError(`PDU too short for ${what}`);
  }

  uint8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.position++);
  }

  uint16(what: string): number {
    this.need(2, what);
    const value = this.view.getUint16(this.position);
    this.position += 2;
    return value;
  }

  uint32(what: string): number {
    this.need(4, what);
    const value = this.view.getUint32(this.position);
    this.position += 4;
    return value;
  }

  /** A sub-array of `count` bytes (a view, not a copy). */
  take(count: number, what: string): Uint8Array {
    this.need(count, what);
    const out = this.bytes.subarray(this.position, this.position + count);
    this.position += count;
    return out;
  }

  skip(count: number, what: string): void {
    this.need(count, what);
    this.position += count;
  }
}

/** Collects big-endian fields of a PDU under construction. */
export class ByteBuilder {
  private readonly parts: Uint8Array[] = [];
  length = 0;

  uint8(value: number): this {
    return this.bytes(Uint8Array.of(value & 0xff));
  }

  uint16(value: number): this {
    // A longer item cannot be expressed in PS3.8's 16-bit length fields: refuse rather than corrupt.
    if (value < 0 || value > 0xffff) throw new PduError(`value ${value} does not fit a 16-bit PDU field`);
    return this.bytes(Uint8Array.of((value >>> 8) & 0xff, value & 0xff));
  }

  uint32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value >>> 0);
    return this.bytes(out);
  }

  bytes(value: Uint8Array): this {
    this.parts.push(value);
    this.length += value.length;
    return this;
  }

  /** Everything written, in one buffer. */
  build(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

const ascii = new TextDecoder('latin1');

/** ASCII text of a UID field, without the trailing NUL or space padding some peers add (PS3.8 Annex F). */
export function uidText(bytes: Uint8Array): string {
  return ascii.decode(bytes).replace(/[\0 ]+$/, '');
}

/** Bytes of an ASCII string. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** An AE title field: 16 bytes, space padded (PS3.8 §9.3.2; leading and trailing spaces are not significant). */
export function aeTitleBytes(title: string): Uint8Array {
  return asciiBytes(title.slice(0, 16).padEnd(16, ' '));
}

/** An AE title read from its 16-byte field. */
export function aeTitleText(bytes: Uint8Array): string {
  return ascii.decode(bytes).replace(/\0/g, ' ').trim();
}

/** A whole PDU: the 6-byte header and the body (PS3.8 §9.3.1). */
export function pdu(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, 6);
  return out;
}

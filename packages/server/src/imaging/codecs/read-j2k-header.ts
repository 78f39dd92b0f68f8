import { CodecError, CodecFailure } from './codec-error.js';

/** What the main header of a JPEG 2000 codestream says (ISO/IEC 15444-1 A.5.1 SIZ, A.6.1 COD). */
export interface J2kHeader {
  /** The codestream itself: the input, or the contents of its 'jp2c' box when it came wrapped in JP2. */
  codestream: Uint8Array;
  /** Image width (Xsiz − XOsiz) and height (Ysiz − YOsiz). */
  columns: number;
  rows: number;
  /** Number of components (Csiz). */
  components: number;
  /** Bit depth of the first component. */
  precision: number;
  /** The first component is signed. */
  signed: boolean;
  /** Rsiz bit 14: a High-Throughput (ISO/IEC 15444-15) codestream. */
  highThroughput: boolean;
  /** The COD marker asks for the inverse multiple component transform (the decoder then outputs RGB). */
  multipleComponentTransform: boolean;
  /**
   * Component 0's wavelet filter (Table A.20): 1 the reversible 5-3, 0 the irreversible 9-7, from a COC
   * marker for it or else the COD marker; undefined without either.
   */
  transformation: number | undefined;
  /**
   * Some component goes through the irreversible 9-7 filter, by the COD marker or a COC marker overriding
   * it for that component (A.6.2), in the main header: such a codestream cannot be lossless.
   */
  irreversible: boolean;
}

const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const JP2C = 0x6a703263; // 'jp2c'

function corrupt(label: string, detail: string): CodecError {
  return new CodecError(CodecFailure.Corrupt, `${label}: ${detail}`);
}

// ISO/IEC 15444-1 I.4: a JP2 file is a sequence of boxes; the codestream is in the 'jp2c' box.
function contiguousCodestream(bytes: Uint8Array, label: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= bytes.length) {
    let length = view.getUint32(at);
    const type = view.getUint32(at + 4);
    let header = 8;
    if (length === 1) {
      if (at + 16 > bytes.length) break;
      length = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (length === 0) {
      length = bytes.length - at;
    }
    if (length < header) break;
    if (type === JP2C) return bytes.subarray(at + header, Math.min(bytes.length, at + length));
    at += length;
  }
  throw corrupt(label, 'the JP2 file has no codestream box');
}

/** Reads the main header of a JPEG 2000 or HTJ2K codestream (bare or in JP2); throws a corrupt {@link CodecError}. */
export function readJ2kHeader(bytes: Uint8Array, label = 'JPEG 2000'): J2kHeader {
  const isJp2 = JP2_SIGNATURE.every((b, i) => bytes[i] === b);
  const codestream = isJp2 ? contiguousCodestream(bytes, label) : bytes;
  // SOC (FF4F) then SIZ (FF51).
  if (codestream.length < 42 || codestream[0] !== 0xff || codestream[1] !== 0x4f) {
    throw corrupt(label, 'the frame does not start with an SOC marker');
  }
  if (codestream[2] !== 0xff || codestream[3] !== 0x51)
    throw corrupt(label, 'the SIZ marker does not follow SOC');
  const view = new DataView(codestream.buffer, codestream.byteOffset, codestream.byteLength);
  const sizLength = view.getUint16(4);
  const components = view.getUint16(40);
  if (components === 0 || sizLength !== 38 + 3 * components || 4 + sizLength > codestream.length) {
    throw corrupt(label, 'the SIZ marker segment is malformed');
  }
  const rsiz = view.getUint16(6);
  const columns = view.getUint32(8) - view.getUint32(16);
  const rows = view.getUint32(12) - view.getUint32(20);
  const ssiz = codestream[42]!;

  let multipleComponentTransform = false;
  let transformation: number | undefined;
  const componentTransformations = new Map<number, number>();
  let at = 4 + sizLength;
  while (at + 4 <= codestream.length) {
    const marker = view.getUint16(at);
    if (marker === 0xff90 || (marker & 0xff00) !== 0xff00) break; // SOT: the main header is over
    const length = view.getUint16(at + 2);
    const end = at + 2 + length;
    if (end > codestream.length) break; // a segment past the bytes: no more of the header can be read
    if (marker === 0xff52 && length >= 12 && at + 13 < codestream.length) {
      // FF52, Lcod(2), Scod, SGcod: progression order, number of layers(2), multiple component transform;
      // SPcod: decomposition levels, code-block width and height, code-block style, transformation.
      multipleComponentTransform = codestream[at + 8] === 1;
      transformation = codestream[at + 13];
    }
    // FF53, Lcoc(2), Ccoc (two bytes past 256 components), Scoc, then SPcoc as SPcod.
    const wide = components >= 257;
    const spcoc = at + (wide ? 7 : 6);
    if (marker === 0xff53 && spcoc + 4 < end) {
      const component = wide ? view.getUint16(at + 4) : codestream[at + 4]!;
      componentTransformations.set(component, codestream[spcoc + 4]!);
    }
    at = end;
  }
  let irreversible = false;
  for (let c = 0; c < components; c++)
    if ((componentTransformations.get(c) ?? transformation) === 0) irreversible = true;
  return {
    codestream,
    columns,
    rows,
    components,
    precision: (ssiz & 0x7f) + 1,
    signed: (ssiz & 0x80) !== 0,
    highThroughput: (rsiz & 0x4000) !== 0,
    multipleComponentTransform,
    // The colour transform follows the first components' wavelet (15444-1 G.2): component 0's own.
    transformation: componentTransformations.get(0) ?? transformation,
    irreversible,
  };
}

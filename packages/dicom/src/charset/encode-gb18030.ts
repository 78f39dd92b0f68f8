/**
 * GB 18030 and GBK encoding (PS3.3 Table C.12-5, PS3.5 Annex J): the platforms have no encoder for these,
 * so the tables are the inverse of the platform's gb18030 decoder, built on first use.
 */
import { cachedTextDecoder } from './cached-text-decoder.js';

interface Gb18030Tables {
  /** Code point → two-byte code (lead << 8 | trail). */
  readonly twoByte: ReadonlyMap<number, number>;
  /** BMP code point → four-byte code (b1 << 24 | b2 << 16 | b3 << 8 | b4), built only when needed. */
  fourByte: Map<number, number> | undefined;
}

let tables: Gb18030Tables | undefined;

function decodeAll(decoder: TextDecoder, codes: number[][]): string[] {
  const width = (codes[0]?.length ?? 0) + 1;
  const bytes = new Uint8Array(codes.length * width);
  codes.forEach((code, i) => {
    bytes.set(code, i * width);
    bytes[i * width + width - 1] = 0x0a; // LF after each code keeps undefined codes from shifting the rest
  });
  return decoder.decode(bytes).split('\n');
}

function single(s: string | undefined): number | undefined {
  const cp = s?.codePointAt(0);
  return cp === undefined || cp === 0xfffd || s?.length !== (cp > 0xffff ? 2 : 1) ? undefined : cp;
}

function twoByteTable(decoder: TextDecoder): Map<number, number> {
  const codes: number[][] = [];
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) codes.push([lead, trail]);
  }
  const map = new Map<number, number>();
  decodeAll(decoder, codes).forEach((s, i) => {
    const cp = single(s);
    const code = codes[i];
    if (cp !== undefined && code !== undefined && !map.has(cp))
      map.set(cp, ((code[0] as number) << 8) | (code[1] as number));
  });
  return map;
}

function fourByteTable(decoder: TextDecoder): Map<number, number> {
  // The BMP part of the four-byte area: 81 30 81 30 to 84 31 A4 39.
  const codes: number[][] = [];
  for (let b1 = 0x81; b1 <= 0x84; b1++)
    for (let b2 = 0x30; b2 <= 0x39; b2++)
      for (let b3 = 0x81; b3 <= 0xfe; b3++)
        for (let b4 = 0x30; b4 <= 0x39; b4++) codes.push([b1, b2, b3, b4]);
  const map = new Map<number, number>();
  decodeAll(decoder, codes).forEach((s, i) => {
    const cp = single(s);
    const c = codes[i];
    if (cp !== undefined && cp < 0x10000 && c !== undefined && !map.has(cp)) {
      map.set(
        cp,
        (((c[0] as number) << 24) | ((c[1] as number) << 16) | ((c[2] as number) << 8) | (c[3] as number)) >>>
          0,
      );
    }
  });
  return map;
}

/**
 * Encodes text as GB 18030 (every Unicode scalar value) or, with `gbk`, as GBK (one- and two-byte codes only,
 * € as 0x80). Returns the index of the first character that cannot be encoded instead of throwing.
 */
export function encodeGb18030(text: string, gbk: boolean): Uint8Array | { readonly failedAt: number } {
  const decoder = cachedTextDecoder('gb18030');
  if (decoder === null) return { failedAt: 0 };
  tables ??= { twoByte: twoByteTable(decoder), fourByte: undefined };
  const out: number[] = [];
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    if (cp < 0x80) {
      out.push(cp);
    } else if (gbk && cp === 0x20ac) {
      out.push(0x80); // CP936
    } else if (tables.twoByte.has(cp)) {
      const code = tables.twoByte.get(cp) as number;
      out.push(code >> 8, code & 0xff);
    } else if (gbk || (cp >= 0xd800 && cp <= 0xdfff)) {
      return { failedAt: i };
    } else if (cp >= 0x10000) {
      // GB 18030 four-byte area for U+10000–U+10FFFF: linear from 90 30 81 30.
      let linear = cp - 0x10000;
      const b4 = 0x30 + (linear % 10);
      linear = Math.floor(linear / 10);
      const b3 = 0x81 + (linear % 126);
      linear = Math.floor(linear / 126);
      const b2 = 0x30 + (linear % 10);
      const b1 = 0x90 + Math.floor(linear / 10);
      out.push(b1, b2, b3, b4);
    } else {
      tables.fourByte ??= fourByteTable(decoder);
      const code = tables.fourByte.get(cp);
      if (code === undefined) return { failedAt: i };
      out.push(code >>> 24, (code >>> 16) & 0xff, (code >>> 8) & 0xff, code & 0xff);
    }
    i += width;
  }
  return Uint8Array.from(out);
}

/**
 * Encoding text element values with Specific Character Set (0008,0005): PS3.5 §6.1.
 */
import { usesSpecificCharacterSet, type Vr } from '../vr.js';
import { CharsetEncodeError } from './charset-encode-error.js';
import { encodeGb18030 } from './encode-gb18030.js';
import { encodeIso2022 } from './encode-iso-2022.js';
import { resolveCharacterSet } from './resolve-character-set.js';

let utf8: TextEncoder | undefined;

/**
 * Encodes a string for a text element under the given character set; throws `CharsetEncodeError` for a
 * character the set cannot encode.
 *
 * Supports every Defined Term: the default repertoire (ASCII only), the 8-bit sets, UTF-8, GB18030, GBK and
 * ISO 2022 code extensions (escape sequences as in PS3.5 Annexes H, I, K). Values are joined with `\`
 * before the call and padded after it, by the caller; an unknown term encodes as the default repertoire.
 * VRs that do not use the character set take code points up to U+00FF, one byte each (the inverse of
 * `decodeText`).
 */
export function encodeText(text: string, specificCharacterSet: readonly string[], vr: Vr): Uint8Array {
  if (!usesSpecificCharacterSet(vr)) return encodeBytes(text, specificCharacterSet);
  const ascii = asciiBytes(text);
  if (ascii !== undefined) return ascii;
  const cs = resolveCharacterSet(specificCharacterSet);
  let result: Uint8Array | { readonly failedAt: number };
  if (cs.kind === 'iso-2022') {
    result = encodeIso2022(text, cs, vr);
  } else if (cs.label === 'utf-8') {
    const lone = loneSurrogate(text);
    result = lone >= 0 ? { failedAt: lone } : (utf8 ??= new TextEncoder()).encode(text);
  } else {
    result = encodeGb18030(text, cs.term === 'GBK');
  }
  if (result instanceof Uint8Array) return result;
  throw new CharsetEncodeError(text.codePointAt(result.failedAt) ?? 0, result.failedAt, specificCharacterSet);
}

// Plain ASCII without ESC is the same bytes in every DICOM character set (G0 starts as ASCII or romaji).
function asciiBytes(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || c === 0x1b) return undefined;
    bytes[i] = c;
  }
  return bytes;
}

function encodeBytes(text: string, specificCharacterSet: readonly string[]): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new CharsetEncodeError(text.codePointAt(i) ?? c, i, specificCharacterSet);
    bytes[i] = c;
  }
  return bytes;
}

function loneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return i;
  }
  return -1;
}

/**
 * Decoding text element values with Specific Character Set (0008,0005): PS3.5 §6.1.
 */
import { usesSpecificCharacterSet, type Vr } from '../vr.js';
import { cachedTextDecoder } from './cached-text-decoder.js';
import { asciiString, codeUnitsToString, isPlainAscii, latin1String } from './code-units-to-string.js';
import { decodeIso2022 } from './decode-iso-2022.js';
import { resolveCharacterSet } from './resolve-character-set.js';

/**
 * Decodes the raw bytes of one text element value (all its values, backslashes included) to a JS string.
 *
 * Only SH, LO, ST, LT, UC, UT and PN use the character set (PS3.5 §6.1.2.3); every other VR, and any value
 * of plain 7-bit bytes without ESC, reads byte for byte (bytes ≥ 0x80 as Latin-1). Never throws: an unknown
 * or empty (0008,0005) is the default repertoire, invalid bytes become U+FFFD. Padding is kept (see
 * `trimTextPadding`).
 */
export function decodeText(bytes: Uint8Array, specificCharacterSet: readonly string[], vr: Vr): string {
  if (!usesSpecificCharacterSet(vr)) return latin1String(bytes);
  if (isPlainAscii(bytes)) return asciiString(bytes);
  const cs = resolveCharacterSet(specificCharacterSet);
  if (cs.kind === 'variable-length') {
    // PS3.5 §6.1.2.5.4 d: UTF-8 (ISO_IR 192), GB18030, GBK: one decoder for the whole value, so that a
    // GB 18030 trail byte 0x5C is never taken for a delimiter.
    const decoder = cachedTextDecoder(cs.label);
    return decoder === null ? codeUnitsToString(bytes) : decoder.decode(bytes);
  }
  return decodeIso2022(bytes, cs, vr);
}

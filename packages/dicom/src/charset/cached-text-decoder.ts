/**
 * One `TextDecoder` per encoding label, created on first use and reused: building a decoder is far more
 * expensive than decoding the few bytes of a typical text element.
 */

const decoders = new Map<string, TextDecoder | null>();

/**
 * The shared, non-fatal decoder for a WHATWG encoding label (invalid input decodes to U+FFFD; a byte order
 * mark is kept, not stripped), or `null` when this runtime does not support the label (e.g. Node built
 * without full ICU).
 */
export function cachedTextDecoder(label: string): TextDecoder | null {
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label, { fatal: false, ignoreBOM: true });
    } catch {
      decoder = null;
    }
    decoders.set(label, decoder);
  }
  return decoder;
}

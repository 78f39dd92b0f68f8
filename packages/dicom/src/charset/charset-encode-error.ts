/** Thrown by `encodeText` for a character the Specific Character Set cannot represent. */
export class CharsetEncodeError extends Error {
  override readonly name = 'CharsetEncodeError';

  constructor(
    /** The code point that has no encoding (U+001B ESC, or a lone surrogate, where that is the reason). */
    readonly codePoint: number,
    /** Its UTF-16 index in the text. */
    readonly index: number,
    /** The values of Specific Character Set (0008,0005) that were asked for. */
    readonly specificCharacterSet: readonly string[],
  ) {
    // The message names the character and the set, never the rest of the text (it may be patient data).
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    const set = specificCharacterSet.length === 0 ? '(default repertoire)' : specificCharacterSet.join('\\');
    super(`U+${hex} at index ${index} cannot be encoded with Specific Character Set ${set}`);
  }
}

/**
 * Checking the values of Specific Character Set (0008,0005) against the Defined Terms (PS3.3 C.12.1.1.2).
 */
import { lookUpDefinedTerm } from './defined-terms.js';

/**
 * True when the character set terms are all known: each value is empty or a Defined Term of PS3.3
 * Tables C.12-2 to C.12-5, allowing for case and the punctuation slips that `decodeText` also forgives
 * (`ISO IR 100`, `ISO-IR 100`). False means some value falls back to the default repertoire or is ignored.
 */
export function isKnownCharacterSet(specificCharacterSet: readonly string[]): boolean {
  return specificCharacterSet.every((value) => lookUpDefinedTerm(value) !== undefined);
}

/** The PS3.3 spelling of one value of (0008,0005) (`''` for the default repertoire), or undefined if unknown. */
export function canonicalCharacterSetTerm(value: string): string | undefined {
  return lookUpDefinedTerm(value)?.term;
}

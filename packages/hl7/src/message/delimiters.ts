import { Hl7ParseError } from './hl7-parse-error.js';

/** The separators and escape character of a message (HL7 v2.5.1 §2.5.4, MSH-1 and MSH-2). */
export interface Hl7Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7 truncation character (fifth character of MSH-2), when the message declares one. */
  truncation?: string;
}

/** The recommended delimiters `|^~\&` (HL7 v2.5.1 §2.5.4). */
export const DEFAULT_DELIMITERS: Hl7Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

/** MSH-2 as written for these delimiters: component, repetition, escape, subcomponent[, truncation]. */
export function encodingCharacters(d: Hl7Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}

const forbidden = /[\r\n\p{L}\p{N}\s]/u;

/**
 * Reads MSH-1 and MSH-2 from the start of a message (HL7 v2.5.1 §2.14.9.1–2): the character after "MSH"
 * is the field separator; MSH-2 holds 4 (or, v2.7, 5 with the truncation character) distinct characters.
 */
export function readDelimiters(text: string): Hl7Delimiters {
  const field = text.charAt(3);
  if (field === '' || forbidden.test(field)) {
    throw new Hl7ParseError('102', 'MSH-1 (field separator) is missing or invalid', {
      segment: 'MSH',
      sequence: 1,
      field: 1,
    });
  }
  const end = text.slice(4).search(/[\r\n]/);
  const rest = end < 0 ? text.slice(4) : text.slice(4, 4 + end);
  const cut = rest.indexOf(field);
  const chars = Array.from(cut < 0 ? rest : rest.slice(0, cut));
  const problem =
    chars.length < 4
      ? 'is missing or too short'
      : chars.length > 5
        ? 'is too long'
        : new Set(chars).size !== chars.length
          ? 'repeats a character'
          : chars.some((c) => forbidden.test(c))
            ? 'holds a letter, digit or white space'
            : undefined;
  if (problem !== undefined) {
    throw new Hl7ParseError('102', `MSH-2 (encoding characters) ${problem}`, {
      segment: 'MSH',
      sequence: 1,
      field: 2,
    });
  }
  const [component, repetition, escape, subcomponent, truncation] = chars as [
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const delimiters: Hl7Delimiters = { field, component, repetition, escape, subcomponent };
  if (truncation !== undefined) delimiters.truncation = truncation;
  return delimiters;
}

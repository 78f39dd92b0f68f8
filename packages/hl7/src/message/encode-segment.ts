import { DEFAULT_DELIMITERS, encodingCharacters, type Hl7Delimiters } from './delimiters.js';
import { escapeText } from './escape.js';

/**
 * One field for encodeSegment: a string is one value (escaped for you); an array lists repetitions; a
 * repetition that is an array lists components; a component that is an array lists subcomponents.
 */
export type Hl7FieldValue = string | readonly (string | readonly (string | readonly string[])[])[];

/** Joins parts with a separator, leaving out trailing empty parts (HL7 v2.5.1 §2.5.3). */
function joinTrimmed(parts: readonly string[], separator: string): string {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end).join(separator);
}

/** Encodes one field value with the given delimiters (HL7 v2.5.1 §2.5.3). */
export function encodeField(value: Hl7FieldValue, d: Hl7Delimiters): string {
  if (typeof value === 'string') return escapeText(value, d);
  return joinTrimmed(
    value.map((repetition) =>
      typeof repetition === 'string'
        ? escapeText(repetition, d)
        : joinTrimmed(
            repetition.map((component) =>
              typeof component === 'string'
                ? escapeText(component, d)
                : joinTrimmed(
                    component.map((s) => escapeText(s, d)),
                    d.subcomponent,
                  ),
            ),
            d.component,
          ),
    ),
    d.repetition,
  );
}

/**
 * Encodes one segment, without its CR terminator (HL7 v2.5.1 §2.5.2). For 'MSH', fields[0] is MSH-3:
 * MSH-1 and MSH-2 are written from the delimiters. Trailing empty fields, repetitions, components and
 * subcomponents are left out.
 */
export function encodeSegment(
  id: string,
  fields: readonly Hl7FieldValue[],
  delimiters: Hl7Delimiters = DEFAULT_DELIMITERS,
): string {
  const encoded = fields.map((f) => encodeField(f, delimiters));
  if (id === 'MSH') encoded.unshift(encodingCharacters(delimiters));
  return joinSegment(id, encoded, delimiters);
}

/** Joins already encoded fields into a segment, leaving out trailing empty fields. */
export function joinSegment(id: string, encodedFields: readonly string[], delimiters: Hl7Delimiters): string {
  const body = joinTrimmed(encodedFields, delimiters.field);
  return body === '' ? id : `${id}${delimiters.field}${body}`;
}

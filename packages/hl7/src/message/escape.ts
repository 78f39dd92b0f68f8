import { DEFAULT_DELIMITERS, type Hl7Delimiters } from './delimiters.js';

/**
 * Escapes text for one HL7 value (HL7 v2.5.1 §2.7.1): the delimiters become \F\ \S\ \T\ \R\ \E\ (and \P\
 * for a v2.7 truncation character), a line feed becomes the formatting command \.br\ (§2.7.6) and a
 * carriage return, which would end the segment, becomes \X0D\.
 */
export function escapeText(value: string, delimiters: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  const d = delimiters;
  const e = d.escape;
  let out = '';
  for (const char of value) {
    if (char === e) out += `${e}E${e}`;
    else if (char === d.field) out += `${e}F${e}`;
    else if (char === d.component) out += `${e}S${e}`;
    else if (char === d.subcomponent) out += `${e}T${e}`;
    else if (char === d.repetition) out += `${e}R${e}`;
    else if (char === d.truncation) out += `${e}P${e}`;
    else if (char === '\n') out += `${e}.br${e}`;
    else if (char === '\r') out += `${e}X0D${e}`;
    else out += char;
  }
  return out;
}

/**
 * Resolves the escape sequences of one value (HL7 v2.5.1 §2.7): \F\ \S\ \T\ \R\ \E\ (\P\ when a truncation
 * character is declared), \Xhh…\ as bytes in `encoding` (a TextDecoder label), \.br\ → line feed, \H\ and
 * \N\ dropped; other formatting and character-set commands (\.sp\, \Cxxyy\, \Mxxyyzz\, \Zxx\, …), unknown
 * and unterminated sequences are kept verbatim.
 */
export function unescapeText(
  value: string,
  delimiters: Hl7Delimiters = DEFAULT_DELIMITERS,
  encoding = 'windows-1252',
): string {
  const e = delimiters.escape;
  let start = value.indexOf(e);
  if (start < 0) return value;
  let out = value.slice(0, start);
  while (start >= 0) {
    const end = value.indexOf(e, start + 1);
    if (end < 0) {
      out += value.slice(start);
      break;
    }
    const body = value.slice(start + 1, end);
    out += resolve(body, delimiters, encoding);
    start = value.indexOf(e, end + 1);
    out += value.slice(end + 1, start < 0 ? undefined : start);
  }
  return out;
}

function resolve(body: string, d: Hl7Delimiters, encoding: string): string {
  const verbatim = `${d.escape}${body}${d.escape}`;
  switch (body) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'P':
      return d.truncation ?? verbatim;
    case '.br':
      return '\n';
    case 'H':
    case 'N':
      return '';
  }
  if (/^X(?:[0-9A-Fa-f]{2})+$/.test(body)) {
    const bytes = Uint8Array.from(body.slice(1).match(/../g)!, (h) => parseInt(h, 16));
    return new TextDecoder(encoding).decode(bytes);
  }
  return verbatim;
}

/**
 * Splits a comma-separated header field value (RFC 9110 §5.6.1) into its trimmed, non-empty elements.
 * Commas inside quoted strings (RFC 9110 §5.6.4), escaped quotes included, do not split.
 */
export function splitHeaderList(value: string): string[] {
  const elements: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c)
        i++; // quoted-pair: skip the escaped character
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x2c) {
      pushTrimmed(elements, value.slice(start, i));
      start = i + 1;
    }
  }
  pushTrimmed(elements, value.slice(start));
  return elements;
}

function pushTrimmed(elements: string[], element: string): void {
  const trimmed = element.replace(/^[ \t]+|[ \t]+$/g, '');
  if (trimmed !== '') elements.push(trimmed);
}

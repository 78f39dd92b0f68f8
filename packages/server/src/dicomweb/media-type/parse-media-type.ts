/** A parsed media type (RFC 9110 §8.3.1): type, subtype and parameter names lower-cased, values as given. */
export interface MediaType {
  type: string;
  subtype: string;
  /** Parameter values with quoted strings unquoted and unescaped; insertion order is the header's order. */
  params: Map<string, string>;
}

// RFC 9110 §5.6.2 tchar.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1;
}

/** True when `s` is a non-empty RFC 9110 §5.6.2 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (TCHAR[s.charCodeAt(i)] !== 1) return false;
  return true;
}

/**
 * Parses a media type with parameters, e.g. `multipart/related; type="application/dicom"; boundary=x`
 * (RFC 9110 §8.3.1, §5.6.6; PS3.18 §8.6.1.2). Returns undefined when the value is malformed: a missing
 * type or subtype, a parameter without `=` or value, an unterminated quoted string, control characters,
 * or the same parameter twice with different values (ambiguous, e.g. two boundaries).
 *
 * Lenient where it is harmless: whitespace around `/`, `;` and `=`, empty parameters (`a/b;;c=d;`), and
 * unquoted values that are not tokens but hold no `"`, `;`, whitespace or control character (clients do
 * send `type=application/dicom`). Identical duplicate parameters collapse into one.
 */
export function parseMediaType(value: string): MediaType | undefined {
  const n = value.length;
  let i = 0;
  const skipWhitespace = (): void => {
    while (i < n && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && TCHAR[value.charCodeAt(i)] === 1) i++;
    return value.slice(start, i);
  };

  skipWhitespace();
  const type = token();
  skipWhitespace();
  if (type === '' || value[i] !== '/') return undefined;
  i++;
  skipWhitespace();
  const subtype = token();
  if (subtype === '') return undefined;
  skipWhitespace();

  const params = new Map<string, string>();
  while (i < n) {
    if (value[i] !== ';') return undefined;
    i++;
    skipWhitespace();
    if (i >= n || value[i] === ';') continue; // empty parameter (RFC 9110 §5.6.6 allows `[ parameter ]`)
    const name = token().toLowerCase();
    if (name === '') return undefined;
    skipWhitespace();
    if (value[i] !== '=') return undefined;
    i++;
    skipWhitespace();
    let paramValue: string;
    if (value[i] === '"') {
      const quoted = readQuotedString(value, i);
      if (quoted === undefined) return undefined;
      paramValue = quoted.value;
      i = quoted.end;
    } else {
      const start = i;
      while (i < n && isBareValueChar(value.charCodeAt(i))) i++;
      if (i === start) return undefined;
      paramValue = value.slice(start, i);
    }
    skipWhitespace();
    const previous = params.get(name);
    if (previous !== undefined && previous !== paramValue) return undefined;
    params.set(name, paramValue);
  }
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params };
}

// Visible characters (and obs-text) other than `"` and `;`: a lenient superset of token for bare values.
function isBareValueChar(c: number): boolean {
  return c > 0x20 && c !== 0x7f && c !== 0x22 && c !== 0x3b && c <= 0xff;
}

// RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE. `start` is the opening quote.
function readQuotedString(value: string, start: number): { value: string; end: number } | undefined {
  let out = '';
  let runStart = start + 1;
  for (let i = start + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) return { value: out + value.slice(runStart, i), end: i + 1 };
    if (c === 0x5c) {
      const escaped = value.charCodeAt(i + 1);
      if (Number.isNaN(escaped) || !isQuotedTextChar(escaped)) return undefined;
      out += value.slice(runStart, i) + value[i + 1];
      i++;
      runStart = i + 1;
    } else if (!isQuotedTextChar(c)) {
      return undefined;
    }
  }
  return undefined; // unterminated
}

// HTAB, SP, VCHAR and obs-text: what qdtext and quoted-pair allow (plus `"` and `\`, handled by the caller).
function isQuotedTextChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff);
}

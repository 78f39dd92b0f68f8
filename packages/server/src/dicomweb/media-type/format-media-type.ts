import { isToken } from './parse-media-type.js';

/**
 * Formats a media type with parameters for a header, quoting values that are not tokens (RFC 9110 §8.3.1,
 * §5.6.4), e.g. `multipart/related; type="application/dicom"; boundary=abc`. Throws a TypeError for names
 * that are not tokens and values with control characters or characters above U+00FF.
 */
export function formatMediaType(
  type: string,
  subtype: string,
  params: ReadonlyMap<string, string> | Readonly<Record<string, string>> = {},
): string {
  if (!isToken(type) || !isToken(subtype)) throw new TypeError(`invalid media type ${type}/${subtype}`);
  let out = `${type}/${subtype}`;
  const entries = params instanceof Map ? params.entries() : Object.entries(params);
  for (const [name, value] of entries) {
    if (!isToken(name)) throw new TypeError(`invalid media type parameter name ${JSON.stringify(name)}`);
    out += `; ${name}=${formatParameterValue(value)}`;
  }
  return out;
}

function formatParameterValue(value: string): string {
  if (isToken(value)) return value;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.test(value)) {
    throw new TypeError(`media type parameter value cannot be sent in a header: ${JSON.stringify(value)}`);
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Escaping of text for XML 1.0 documents (W3C XML 1.0 §2.2, §2.4, §3.3.3).
 *
 * Characters that XML 1.0 does not allow at all (§2.2 Char: C0 controls other than tab, line feed and
 * carriage return, e.g. the form feed PS3.5 allows in LT/ST/UT; unpaired surrogates; U+FFFE and U+FFFF)
 * cannot be written even as character references, so each is replaced by U+FFFD REPLACEMENT CHARACTER:
 * the document stays well-formed and the reader sees that a character was there. The values written are
 * otherwise unchanged.
 */

// XML 1.0 §2.2 Char, negated: what must not appear in a document. The `u` flag makes a lone surrogate
// one unit of its own, so valid pairs (astral characters) are kept.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  // A carriage return in character data would be read back as a line feed (§2.11 end-of-line handling);
  // as a reference it survives, so CR LF in LT/ST/UT values comes back as written.
  '\r': '&#13;',
};

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  // Attribute-value normalization (§3.3.3) turns literal whitespace characters into spaces.
  '\t': '&#9;',
  '\n': '&#10;',
};

const TEXT_SPECIAL = /[&<>\r]/g;
const ATTRIBUTE_SPECIAL = /[&<>\r"'\t\n]/g;

/** Character data for an XML 1.0 element: markup characters escaped, disallowed characters replaced. */
export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(TEXT_SPECIAL, (c) => TEXT_ESCAPES[c]!);
}

/** A value for a double- or single-quoted XML 1.0 attribute, escaped as {@link escapeXmlText} and more. */
export function escapeXmlAttribute(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(ATTRIBUTE_SPECIAL, (c) => ATTRIBUTE_ESCAPES[c]!);
}

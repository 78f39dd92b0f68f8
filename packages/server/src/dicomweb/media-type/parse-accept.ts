import { parseMediaType } from './parse-media-type.js';
import { splitHeaderList } from './split-header-list.js';

/** One acceptable media range of an Accept header (RFC 9110 §12.5.1), type and names lower-cased. */
export interface AcceptEntry {
  /** A type, or `*`. */
  type: string;
  /** A subtype, or `*`. */
  subtype: string;
  /** Media type parameters (e.g. DICOMweb `type`, `transfer-syntax`), without `q` and accept extensions. */
  params: Map<string, string>;
  /** The weight, 0 < q ≤ 1. */
  q: number;
}

// RFC 9110 §12.4.2 qvalue, leniently allowing more than three decimals and no leading 0 (`q=.2`, as
// Java's HttpURLConnection sends).
const QVALUE = /^(?:0(?:\.\d*)?|0?\.\d+|1(?:\.0*)?)$/;

/**
 * Parses an Accept header, or the DICOMweb `accept` query parameter (PS3.18 §8.3.3.1, §8.7.3), into its
 * media ranges sorted by q descending, then by specificity (`type/subtype` before `type/*` before `*\/*`,
 * then more parameters first), otherwise in header order. Entries with q=0 are left out (so "not
 * acceptable" is not reported); malformed entries (no subtype, bad parameters, `*\/subtype`, an invalid
 * q) are skipped. An absent or blank header means "anything": a single `*\/*` entry (RFC 9110 §12.5.1).
 * Parameters after `q` are accept extensions and are dropped.
 */
export function parseAccept(header: string | undefined): AcceptEntry[] {
  if (header === undefined || header.trim() === '') {
    return [{ type: '*', subtype: '*', params: new Map(), q: 1 }];
  }
  const entries: { entry: AcceptEntry; specificity: number }[] = [];
  for (const element of splitHeaderList(header)) {
    const range = parseMediaType(element);
    if (range === undefined) continue;
    if (range.type === '*' && range.subtype !== '*') continue;
    let q = 1;
    let valid = true;
    const params = new Map<string, string>();
    for (const [name, value] of range.params) {
      if (name === 'q') {
        valid = QVALUE.test(value);
        q = Number(value);
        break; // what follows the weight are accept extensions (RFC 9110 §12.5.1)
      }
      params.set(name, value);
    }
    if (!valid || q === 0) continue;
    const rank = range.type === '*' ? 0 : range.subtype === '*' ? 1 : 2;
    entries.push({
      entry: { type: range.type, subtype: range.subtype, params, q },
      specificity: rank * 1_000_000 + params.size,
    });
  }
  // Array.prototype.sort is stable, so equal entries keep the header's order.
  entries.sort((a, b) => b.entry.q - a.entry.q || b.specificity - a.specificity);
  return entries.map((e) => e.entry);
}

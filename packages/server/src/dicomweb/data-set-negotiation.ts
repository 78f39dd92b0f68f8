import { AppError, ErrorCode } from '../shared/app-error.js';
import { parseAccept, type AcceptEntry } from './media-type/index.js';

/**
 * The `accept` query parameter as clients write it: unencoded, its `+` arrives as a space
 * (`application/dicom json`), and dcm4che's wadors sends a bare `*`.
 */
function repairedAcceptParameter(value: string): string {
  return value.trim() === '*' ? '*/*' : value.replace(/(\/[\w.-]+) +(?=[\w.-])/g, '$1+');
}

/** How data sets go out: DICOM JSON (PS3.18 Annex F) or the Native DICOM Model in XML (PS3.19 A.1). */
export const DataSetEncoding = {
  /** `application/dicom+json`, the default. */
  Json: 'json',
  /** `application/dicom+xml`: one document, or one per part of a `multipart/related` body. */
  Xml: 'xml',
} as const;

/** One of {@link DataSetEncoding}. */
export type DataSetEncoding = (typeof DataSetEncoding)[keyof typeof DataSetEncoding];

const DICOM_XML = 'application/dicom+xml';

function isJsonWildcard(entry: AcceptEntry): boolean {
  return (
    (entry.type === '*' && entry.subtype === '*') || (entry.type === 'application' && entry.subtype === '*')
  );
}

function isJson(entry: AcceptEntry): boolean {
  return entry.type === 'application' && (entry.subtype === 'dicom+json' || entry.subtype === 'json');
}

// `multipart/related` (or `multipart/*`) whose `type` is application/dicom+xml or left open: the only
// multipart representation of search results and metadata.
function isMultipartXml(entry: AcceptEntry): boolean {
  if (entry.type !== 'multipart' || (entry.subtype !== 'related' && entry.subtype !== '*')) return false;
  const type = entry.params.get('type');
  return type === undefined || type.toLowerCase() === DICOM_XML;
}

function isXml(entry: AcceptEntry): boolean {
  return entry.type === 'application' && entry.subtype === 'dicom+xml';
}

/**
 * JSON or XML by the weights of the Accept list: the higher q wins; on a tie JSON named explicitly wins
 * (it is the default), XML named explicitly wins over JSON reached only through a wildcard (`*\/*, xml`
 * asks for XML). Undefined when the list accepts neither.
 */
function choose(
  accept: string | undefined,
  xml: (entry: AcceptEntry) => boolean,
): DataSetEncoding | undefined {
  const entries = parseAccept(accept);
  const weight = (matches: (entry: AcceptEntry) => boolean) =>
    Math.max(0, ...entries.filter(matches).map((e) => e.q));
  const json = weight(isJson);
  const xmlWeight = weight(xml);
  const wildcard = weight(isJsonWildcard);
  if (json > 0 && json >= xmlWeight) return DataSetEncoding.Json;
  if (xmlWeight > 0 && xmlWeight >= wildcard) return DataSetEncoding.Xml;
  return wildcard > 0 ? DataSetEncoding.Json : undefined;
}

/**
 * The acceptable media types of a request: the `accept` query parameter, which takes the place of the
 * Accept header when present (PS3.18 §8.3.3.1; repeated, its values are joined as one list), else the
 * header.
 */
export function acceptOf(acceptParameter: unknown, acceptHeader: string | undefined): string | undefined {
  const given =
    typeof acceptParameter === 'string'
      ? acceptParameter
      : Array.isArray(acceptParameter) && acceptParameter.every((a) => typeof a === 'string')
        ? acceptParameter.join(', ')
        : undefined;
  if (given === undefined) return acceptHeader;
  const repaired = repairedAcceptParameter(given);
  // A parameter with nothing usable in it does not replace the header.
  return parseAccept(repaired).length > 0 ? repaired : acceptHeader;
}

/**
 * Chooses the encoding of QIDO-RS results (PS3.18 §10.6.3) and WADO-RS metadata (§10.4.1.1.2, Table
 * 10.4.4-1): `application/dicom+json` (the default, also for `application/json`, `application/*` and
 * `*\/*`) or `multipart/related; type="application/dicom+xml"`, whichever the Accept list prefers (JSON
 * on a tie, being the default). A list
 * naming neither is answered 406 (PS3.18 §8.7), naming the resource in `what`. A bare
 * `application/dicom+xml` is not enough: these resources answer several data sets, so XML comes as one
 * part each.
 */
export function negotiateDataSets(accept: string | undefined, what: string): DataSetEncoding {
  const encoding = choose(accept, isMultipartXml);
  if (encoding !== undefined) return encoding;
  throw new AppError(
    ErrorCode.NotAcceptable,
    `${what} answers application/dicom+json or multipart/related; type="${DICOM_XML}"`,
  );
}

/**
 * Chooses the encoding of WADO-RS metadata: XML when the Accept list prefers the multipart XML form,
 * else JSON — also for a list naming neither (Lightbox answered metadata in JSON whatever the Accept
 * before XML came, and clients send one Accept for every WADO-RS call, e.g. `multipart/related;
 * type="application/dicom"` or `application/dicom+json` wrapped in multipart).
 */
export function negotiateMetadata(accept: string | undefined): DataSetEncoding {
  return choose(accept, isMultipartXml) ?? DataSetEncoding.Json;
}

/**
 * Chooses the encoding of the Store Instances Response (PS3.18 §10.5.3): `application/dicom+xml` when the
 * Accept list prefers it to DICOM JSON, else `application/dicom+json` — also when it names neither: a 406
 * would leave the client without the outcome of the instances it sent.
 */
export function negotiateStoreResponse(accept: string | undefined): DataSetEncoding {
  return choose(accept, isXml) ?? DataSetEncoding.Json;
}

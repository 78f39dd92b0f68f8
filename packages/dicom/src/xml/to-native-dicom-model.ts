import { lookupTag } from '../dictionary/index.js';
import type { DicomJson, DicomJsonAttribute, DicomJsonValue, PersonNameJson } from '../json/dicom-json.js';
import { escapeXmlAttribute, escapeXmlText } from './escape-xml.js';
import { decimalString } from '../values/decimal-string.js';

/** The XML namespace of the Native DICOM Model (PS3.19 A.1.6). */
export const NATIVE_DICOM_MODEL_NAMESPACE = 'http://dicom.nema.org/PS3.19/models/NativeDICOM';

/** Options of {@link toNativeDicomModel}. */
export interface NativeDicomModelOptions {
  /**
   * Maps each BulkDataURI of the DICOM JSON to the `uri` written, e.g. to make stored relative URIs
   * absolute. Default: as given.
   */
  bulkDataUri?: (uri: string) => string;
}

// PS3.19 Table 10.2-1: the name components of one component group, in PS3.5 §6.2 PN order.
const NAME_COMPONENTS = ['FamilyName', 'GivenName', 'MiddleName', 'NamePrefix', 'NameSuffix'] as const;
const NAME_GROUPS = ['Alphabetic', 'Ideographic', 'Phonetic'] as const;
const HEX_TAG = /^[0-9A-Fa-f]{8}$/;

/**
 * Writes a data set in the DICOM JSON model (PS3.18 §F.2) as an XML document of the Native DICOM Model
 * (PS3.19 A.1): `<NativeDicomModel xml:space="preserve">` holding one `<DicomAttribute tag vr keyword>` per
 * attribute in ascending tag order, with `<Value number>`, `<PersonName number>` (Alphabetic, Ideographic
 * and Phonetic groups of FamilyName … NameSuffix), `<Item number>`, `<BulkData uri>` or `<InlineBinary>`.
 * Group lengths are left out (A.1.1). Keywords come from the dictionary; a private data element carries
 * its `privateCreator` and the tag gggg00ee (A.1.5), or its full tag when the data set has no creator for
 * its block. UTF-8, as DICOM JSON is.
 */
export function toNativeDicomModel(json: DicomJson, options: NativeDicomModelOptions = {}): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<NativeDicomModel xmlns="${NATIVE_DICOM_MODEL_NAMESPACE}" xml:space="preserve">\n`,
  ];
  writeDataSet(json, out, options);
  out.push('</NativeDicomModel>\n');
  return out.join('');
}

function writeDataSet(json: DicomJson, out: string[], options: NativeDicomModelOptions): void {
  const attributes: Array<{ key: string; attribute: DicomJsonAttribute }> = [];
  for (const [key, attribute] of Object.entries(json)) {
    if (!HEX_TAG.test(key)) throw new TypeError(`not a DICOM JSON attribute key: ${JSON.stringify(key)}`);
    attributes.push({ key: key.toUpperCase(), attribute });
  }
  // 8 upper-case hex digits sort as the tags do.
  attributes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { key, attribute } of attributes) {
    const tag = Number.parseInt(key, 16) >>> 0;
    if ((tag & 0xffff) === 0) continue; // PS3.19 A.1.1: no group lengths
    writeAttribute(tag, attribute, json, out, options);
  }
}

function writeAttribute(
  tag: number,
  attribute: DicomJsonAttribute,
  dataSet: DicomJson,
  out: string[],
  options: NativeDicomModelOptions,
): void {
  const creator = privateCreatorOf(tag, dataSet);
  // PS3.19 A.1.5: a private data element is gggg00ee with its creator, since the block it had in the
  // binary encoding is not sent; without a known creator the full tag is kept, so nothing is lost.
  const shown = creator === undefined ? tag : (tag & 0xffff00ff) >>> 0;
  let head = `<DicomAttribute tag="${hexTag(shown)}" vr="${escapeXmlAttribute(attribute.vr)}"`;
  if ((tag >>> 16) % 2 === 0) {
    // Private elements have no PS3.6 keyword (the dictionary's "PrivateCreator" is ours, not PS3.6's).
    const keyword = lookupTag(tag)?.keyword;
    if (keyword) head += ` keyword="${keyword}"`;
  }
  if (creator !== undefined) head += ` privateCreator="${escapeXmlAttribute(creator)}"`;

  const body: string[] = [];
  if (attribute.BulkDataURI !== undefined) {
    const uri = options.bulkDataUri?.(attribute.BulkDataURI) ?? attribute.BulkDataURI;
    body.push(`<BulkData uri="${escapeXmlAttribute(uri)}"/>`);
  } else if (attribute.InlineBinary !== undefined) {
    body.push(`<InlineBinary>${escapeXmlText(attribute.InlineBinary)}</InlineBinary>`);
  } else {
    const values = attribute.Value ?? [];
    values.forEach((value, i) => {
      const number = i + 1;
      if (attribute.vr === 'SQ') writeItem(number, value, body, options);
      else if (attribute.vr === 'PN') body.push(personName(number, value));
      else body.push(plainValue(number, value, attribute.vr));
    });
  }
  if (body.length === 0) {
    out.push(`${head}/>\n`);
    return;
  }
  out.push(`${head}>`, ...body, '</DicomAttribute>\n');
}

function hexTag(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * The Private Creator of a private data element (gggg,xxee), xx from 10 to FF (PS3.5 §7.8.1): the value
 * of (gggg,00xx) in the same data set; undefined for other elements, or when that element is missing.
 */
function privateCreatorOf(tag: number, dataSet: DicomJson): string | undefined {
  const group = tag >>> 16;
  const block = (tag >>> 8) & 0xff;
  if (group % 2 === 0 || group < 0x0009 || group === 0xffff || block < 0x10) return undefined;
  const creator = dataSet[hexTag(((group << 16) | block) >>> 0)]?.Value?.[0];
  return typeof creator === 'string' && creator.trim() !== '' ? creator.trim() : undefined;
}

function writeItem(
  number: number,
  value: DicomJsonValue,
  out: string[],
  options: NativeDicomModelOptions,
): void {
  const item: string[] = [];
  // An item is an object of attributes; anything else (null) is written as an empty item.
  if (value !== null && typeof value === 'object') writeDataSet(value as DicomJson, item, options);
  out.push(
    item.length === 0 ? `<Item number="${number}"/>` : `<Item number="${number}">\n${item.join('')}</Item>`,
  );
}

/**
 * One value of a PN attribute: each component group split into its components; empty components and
 * groups are left out (they are empty in the binary encoding too). A name in the PS3.5 string form
 * (`Yamada^Tarou=山田^太郎`) is accepted as well.
 */
function personName(number: number, value: DicomJsonValue): string {
  let groups: PersonNameJson;
  if (typeof value === 'string') {
    const [alphabetic, ideographic, phonetic] = value.split('=');
    groups = { Alphabetic: alphabetic, Ideographic: ideographic, Phonetic: phonetic };
  } else if (value !== null && typeof value === 'object') {
    groups = value as PersonNameJson;
  } else {
    groups = {};
  }
  let xml = '';
  for (const group of NAME_GROUPS) {
    const text = groups[group];
    if (typeof text !== 'string' || text === '') continue;
    const components = text.split('^');
    // More than five components is invalid PN; what follows the fifth is kept in NameSuffix.
    if (components.length > NAME_COMPONENTS.length)
      components.splice(NAME_COMPONENTS.length - 1, Infinity, components.slice(4).join('^'));
    let inner = '';
    components.forEach((component, i) => {
      if (component === '') return;
      const name = NAME_COMPONENTS[i]!;
      inner += `<${name}>${escapeXmlText(component)}</${name}>`;
    });
    if (inner !== '') xml += `<${group}>${inner}</${group}>`;
  }
  return xml === ''
    ? `<PersonName number="${number}"/>`
    : `<PersonName number="${number}">${xml}</PersonName>`;
}

/**
 * One value of any other VR: its text, numbers in JavaScript's shortest round-trip form (IS, FL/FD),
 * shortened to DS's 16 characters for DS. An empty value (JSON null) is an empty Value element (PS3.19 A.1.5,
 * "MPG\\XR3"); NaN and infinities, which DICOM JSON cannot carry, are written empty as well.
 */
function plainValue(number: number, value: DicomJsonValue, vr: string): string {
  let text: string;
  if (typeof value === 'string') text = escapeXmlText(value);
  else if (typeof value === 'number' && Number.isFinite(value))
    text = vr === 'DS' ? decimalString(value) : String(value);
  else text = '';
  return text === '' ? `<Value number="${number}"/>` : `<Value number="${number}">${text}</Value>`;
}

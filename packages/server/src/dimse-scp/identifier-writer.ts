/**
 * C-FIND response identifiers written straight from DICOM JSON into one buffer: the bytes
 * {@link encodeIdentifier} writes, without building a DataSet first. It covers what query responses hold —
 * text values (ASCII) and sequences of them, in a little-endian transfer syntax — and hands anything else
 * (non-ASCII text, numbers, binary values, big endian) to {@link encodeIdentifier}.
 */
import {
  hasLongLength,
  ITEM,
  ITEM_DELIMITATION,
  SEQUENCE_DELIMITATION,
  UNDEFINED_LENGTH,
  lookupTransferSyntax,
  usesSpecificCharacterSet,
  type DicomJson,
  type Vr,
} from '@lightbox/dicom';
import { encodeIdentifier } from './identifier.js';

const SPECIFIC_CHARACTER_SET = 0x00080005;
const UTF8_TERM = 'ISO_IR 192';

/** VRs whose DICOM JSON values are text (PS3.18 §F.2.3); the others go to encodeIdentifier. */
const TEXT_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT',
]); // prettier-ignore

/** One element to write: text (ASCII, unpadded) or the items of a sequence. */
interface Element {
  tag: number;
  vr: Vr;
  text?: string;
  items?: Element[][];
}

/** Thrown inside the planner when the identifier needs the general encoder. */
const GENERAL = Symbol('general');

/** Tags of the keys seen, parsed once (bounded: a peer may send any key). */
const tags = new Map<string, number>();

/** Upper-case hex tag of DICOM JSON (PS3.18 §F.2.1); anything else takes the general path. */
function tagOf(key: string): number {
  const known = tags.get(key);
  if (known !== undefined) return known;
  if (key.length !== 8) throw GENERAL;
  let tag = 0;
  for (let i = 0; i < 8; i++) {
    const c = key.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (digit < 0) throw GENERAL;
    tag = tag * 16 + digit;
  }
  if (tags.size >= 4096) tags.clear();
  tags.set(key, tag);
  return tag;
}

/** Plain ASCII without ESC: the same bytes in UTF-8 and in every DICOM character set. */
function plainAscii(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || c === 0x1b) throw GENERAL;
  }
  return text;
}

const PERSON_NAME_GROUPS: ReadonlySet<string> = new Set(['Alphabetic', 'Ideographic', 'Phonetic']);

/** A value as fromDicomJson writes it (textOf), when it is a string, null or a person name. */
function valueText(value: unknown, vr: Vr): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (vr !== 'PN' || typeof value !== 'object') throw GENERAL;
  const name = value as Record<string, unknown>;
  for (const group in name) if (!PERSON_NAME_GROUPS.has(group)) throw GENERAL;
  const groups = [name.Alphabetic, name.Ideographic, name.Phonetic].map((g) => {
    if (g === undefined) return '';
    if (typeof g !== 'string') throw GENERAL;
    return g;
  });
  return groups.join('=').replace(/=+$/, '');
}

/**
 * The elements of one data set, sorted by tag. `recode`: the response is answered in the requested
 * character set, where text loses its trailing spaces (answerInRequestedCharacterSet).
 */
function plan(json: DicomJson, recode: boolean, top: boolean): Element[] {
  const out: Element[] = [];
  for (const key in json) {
    const attribute = json[key]!;
    const tag = tagOf(key);
    const vr = attribute.vr;
    // Group lengths, binary values and a Specific Character Set of an item take the general path.
    if ((tag & 0xffff) === 0 || (tag === SPECIFIC_CHARACTER_SET && !top)) throw GENERAL;
    if (attribute.BulkDataURI !== undefined || attribute.InlineBinary !== undefined) throw GENERAL;
    const values = attribute.Value ?? [];
    if (vr === 'SQ') {
      const items = values.map((item) => {
        if (item === null || typeof item !== 'object') throw GENERAL;
        return plan(item as DicomJson, recode, false);
      });
      out.push({ tag, vr, items });
      continue;
    }
    if (!TEXT_VRS.has(vr)) throw GENERAL;
    let text = values.length === 1 ? valueText(values[0], vr) : '';
    for (let i = 0; values.length > 1 && i < values.length; i++)
      text += (i > 0 ? '\\' : '') + valueText(values[i], vr);
    plainAscii(text);
    if (recode && tag !== SPECIFIC_CHARACTER_SET && usesSpecificCharacterSet(vr))
      text = text.replace(/ +$/, '');
    out.push({ tag, vr, text });
  }
  for (let i = 1; i < out.length; i++) if (out[i - 1]!.tag > out[i]!.tag) return out.sort(byTag);
  return out;
}

function byTag(a: Element, b: Element): number {
  return a.tag - b.tag;
}

function elementsLength(elements: readonly Element[], explicitVr: boolean): number {
  let total = 0;
  for (const element of elements) {
    const head = explicitVr && hasLongLength(element.vr) ? 12 : 8;
    if (element.items !== undefined) {
      total += head + 8; // the sequence delimiter
      for (const item of element.items) total += 16 + elementsLength(item, explicitVr);
    } else {
      const length = element.text!.length + (element.text!.length % 2);
      // A short-length VR whose value no longer fits 16 bits would be written as UN.
      if (explicitVr && head === 8 && length > 0xffff) throw GENERAL;
      total += head + length;
    }
  }
  return total;
}

function writeHeader(
  out: Buffer,
  at: number,
  tag: number,
  vr: Vr,
  length: number,
  explicitVr: boolean,
): number {
  out.writeUInt16LE(tag >>> 16, at);
  out.writeUInt16LE(tag & 0xffff, at + 2);
  if (!explicitVr) {
    out.writeUInt32LE(length, at + 4);
    return at + 8;
  }
  out[at + 4] = vr.charCodeAt(0);
  out[at + 5] = vr.charCodeAt(1);
  if (!hasLongLength(vr)) {
    out.writeUInt16LE(length, at + 6);
    return at + 8;
  }
  out.writeUInt16LE(0, at + 6);
  out.writeUInt32LE(length, at + 8);
  return at + 12;
}

function writeElements(out: Buffer, at: number, elements: readonly Element[], explicitVr: boolean): number {
  for (const element of elements) {
    if (element.items !== undefined) {
      at = writeHeader(out, at, element.tag, 'SQ', UNDEFINED_LENGTH, explicitVr);
      for (const item of element.items) {
        at = writeHeader(out, at, ITEM, 'UN', UNDEFINED_LENGTH, false);
        at = writeElements(out, at, item, explicitVr);
        at = writeHeader(out, at, ITEM_DELIMITATION, 'UN', 0, false);
      }
      at = writeHeader(out, at, SEQUENCE_DELIMITATION, 'UN', 0, false);
      continue;
    }
    const text = element.text!;
    const odd = text.length % 2;
    at = writeHeader(out, at, element.tag, element.vr, text.length + odd, explicitVr);
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
    // PS3.5 §6.2: UI pads with NUL, the other text VRs with a space.
    if (odd === 1) out[at++] = element.vr === 'UI' ? 0x00 : 0x20;
  }
  return at;
}

/**
 * Encodes a response identifier as {@link encodeIdentifier} does (same bytes), in the presentation
 * context's transfer syntax and the requested Specific Character Set; cheaper for the plain case.
 */
export function writeIdentifier(
  json: DicomJson,
  transferSyntaxUid: string,
  characterSet: readonly string[] = [],
): Uint8Array {
  const syntax = lookupTransferSyntax(transferSyntaxUid);
  if (syntax === undefined || !syntax.littleEndian)
    return encodeIdentifier(json, transferSyntaxUid, characterSet);
  const terms = characterSet.map((t) => t.trim());
  // answerInRequestedCharacterSet: only a response that has Specific Character Set is re-encoded.
  const recode =
    json['00080005'] !== undefined &&
    terms.length > 0 &&
    !terms.every((t) => t === '') &&
    !terms.includes(UTF8_TERM);
  let elements: Element[];
  let length: number;
  try {
    elements = plan(json, recode, true);
    if (recode) {
      const at = elements.findIndex((e) => e.tag === SPECIFIC_CHARACTER_SET);
      elements[at] = { tag: SPECIFIC_CHARACTER_SET, vr: 'CS', text: plainAscii(terms.join('\\')) };
    }
    length = elementsLength(elements, syntax.explicitVr);
  } catch (error) {
    if (error !== GENERAL) throw error;
    return encodeIdentifier(json, transferSyntaxUid, characterSet);
  }
  const out = Buffer.allocUnsafe(length);
  const end = writeElements(out, 0, elements, syntax.explicitVr);
  if (end !== length) throw new Error(`identifier writer: ${end} of ${length} bytes written`);
  return out;
}

import {
  CharsetEncodeError,
  characterSetOf,
  DataSet,
  decodeText,
  encodeText,
  parseHexTag,
  UNDEFINED_LENGTH,
  usesSpecificCharacterSet,
  type DataElement,
  type DicomJsonAttribute,
  type Vr,
} from '@lightbox/dicom';
import { dicomDateTime, type InstanceCorrection } from './current-values.js';

const SPECIFIC_CHARACTER_SET = 0x00080005;
const ORIGINAL_ATTRIBUTES_SEQUENCE = 0x04000561;
const MODIFIED_ATTRIBUTES_SEQUENCE = 0x04000550;
const ATTRIBUTE_MODIFICATION_DATETIME = 0x04000562;
const MODIFYING_SYSTEM = 0x04000563;
const REASON_FOR_MODIFICATION = 0x04000565;
const UTF8 = ['ISO_IR 192'];

function padded(bytes: Uint8Array, vr: Vr): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = vr === 'UI' ? 0 : 0x20;
  return out;
}

function element(tag: number, vr: Vr, bytes: Uint8Array): DataElement {
  const value = padded(bytes, vr);
  return { tag, vr, length: value.length, offset: -1, bytes: value };
}

/** A DICOM JSON attribute's value as the text of a data element (values joined by `\`). */
function valueText(attribute: DicomJsonAttribute): string {
  return (attribute.Value ?? [])
    .map((value) => {
      if (value === null) return '';
      if (typeof value === 'object') {
        const groups = [value.Alphabetic, value.Ideographic, value.Phonetic].map((g) =>
          typeof g === 'string' ? g : '',
        );
        while (groups.length > 1 && groups.at(-1) === '') groups.pop();
        return groups.join('=');
      }
      return String(value);
    })
    .join('\\');
}

/** Re-encodes every text value held in memory from `terms` to UTF-8 (nested items included). */
function recodeToUtf8(dataSet: DataSet, terms: readonly string[]): void {
  for (const e of dataSet.elements.values()) {
    if (e.items !== undefined) {
      for (const item of e.items) {
        item.delete(SPECIFIC_CHARACTER_SET);
        recodeToUtf8(item, terms);
      }
    } else if (e.bytes !== undefined && e.tag !== SPECIFIC_CHARACTER_SET && usesSpecificCharacterSet(e.vr)) {
      const text = decodeText(e.bytes, terms, e.vr).replace(/ +$/, '');
      const bytes = padded(encodeText(text, UTF8, e.vr), e.vr);
      e.bytes = bytes;
      e.length = bytes.length;
    }
  }
  if (dataSet.parent === undefined) dataSet.set(element(SPECIFIC_CHARACTER_SET, 'CS', Buffer.from(UTF8[0]!)));
}

/**
 * Gives a stored object's data set the current values of its study (ADT update, merge, reconciliation) and
 * keeps the values it was stored with in Original Attributes Sequence (PS3.3 C.12.1.1.9, reason CORRECT).
 * Values are written in the object's Specific Character Set; when a current value cannot be, the whole
 * data set moves to UTF-8 (ISO_IR 192) rather than lose a character.
 */
export function correctDataSet(dataSet: DataSet, correction: InstanceCorrection): void {
  let terms: readonly string[] = characterSetOf(dataSet);
  const encoded: DataElement[] = [];
  const encodeAll = (): boolean => {
    encoded.length = 0;
    try {
      for (const [key, attribute] of Object.entries(correction.current)) {
        const vr = attribute.vr as Vr;
        encoded.push(element(parseHexTag(key)!, vr, encodeText(valueText(attribute), terms, vr)));
      }
      return true;
    } catch (error) {
      if (error instanceof CharsetEncodeError) return false;
      throw error;
    }
  };
  if (!encodeAll()) {
    recodeToUtf8(dataSet, terms);
    terms = UTF8;
    encodeAll();
  }
  const item = new DataSet(dataSet.littleEndian, dataSet);
  const modified = new DataSet(dataSet.littleEndian, item);
  for (const [key, attribute] of Object.entries(correction.replaced)) {
    const tag = parseHexTag(key)!;
    modified.set(dataSet.get(tag) ?? element(tag, attribute.vr as Vr, new Uint8Array(0)));
  }
  for (const e of encoded) dataSet.set(e);
  item.set({
    tag: MODIFIED_ATTRIBUTES_SEQUENCE,
    vr: 'SQ',
    length: UNDEFINED_LENGTH,
    offset: -1,
    items: [modified],
  });
  item.set(element(ATTRIBUTE_MODIFICATION_DATETIME, 'DT', Buffer.from(dicomDateTime(correction.at))));
  item.set(element(MODIFYING_SYSTEM, 'LO', Buffer.from('LIGHTBOX')));
  item.set(element(REASON_FOR_MODIFICATION, 'CS', Buffer.from('CORRECT')));
  const existing = dataSet.get(ORIGINAL_ATTRIBUTES_SEQUENCE);
  dataSet.set({
    tag: ORIGINAL_ATTRIBUTES_SEQUENCE,
    vr: 'SQ',
    length: existing?.length ?? UNDEFINED_LENGTH,
    offset: -1,
    items: [...(existing?.items ?? []), item],
  });
}

import {
  CharsetEncodeError,
  encodeText,
  usesSpecificCharacterSet,
  type DataSet,
  type DataElement,
  type DicomJson,
} from '@lightbox/dicom';

const SPECIFIC_CHARACTER_SET = 0x00080005;
const UTF8_TERM = 'ISO_IR 192';
const utf8 = new TextDecoder('utf-8');

function padded(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = 0x20; // text VRs pad with a space (PS3.5 §6.2)
  return out;
}

function textElements(dataSet: DataSet, out: DataElement[]): void {
  for (const element of dataSet.elements.values()) {
    if (element.items !== undefined) for (const item of element.items) textElements(item, out);
    else if (
      element.bytes !== undefined &&
      element.tag !== SPECIFIC_CHARACTER_SET &&
      usesSpecificCharacterSet(element.vr)
    ) {
      out.push(element);
    }
  }
}

/**
 * The Specific Character Set terms of a request's identifier, in order. An empty value stays an empty
 * term (DICOM JSON null): `\ISO 2022 IR 87`, the usual Japanese form, begins with the default repertoire.
 */
export function requestedCharacterSet(identifier: DicomJson): string[] {
  return (identifier['00080005']?.Value ?? []).map((term) => (term === null ? '' : String(term)));
}

/**
 * Re-encodes a response data set built in UTF-8 into the Specific Character Set of the request when every
 * value fits it (PS3.4 C.4.1.1.3.1: answer in the character set the SCU asked in); otherwise the response
 * stays in UTF-8 and says so, rather than losing characters.
 */
export function answerInRequestedCharacterSet(dataSet: DataSet, requested: readonly string[]): void {
  const terms = requested.map((t) => t.trim());
  if (terms.length === 0 || terms.every((t) => t === '') || terms.includes(UTF8_TERM)) return;
  if (!dataSet.has(SPECIFIC_CHARACTER_SET)) return; // plain ASCII: valid in every character set
  const elements: DataElement[] = [];
  textElements(dataSet, elements);
  const recoded: Array<[DataElement, Uint8Array]> = [];
  try {
    for (const element of elements) {
      recoded.push([
        element,
        padded(encodeText(utf8.decode(element.bytes!).replace(/ +$/, ''), terms, element.vr)),
      ]);
    }
  } catch (error) {
    if (error instanceof CharsetEncodeError) return;
    throw error;
  }
  for (const [element, bytes] of recoded) {
    element.bytes = bytes;
    element.length = bytes.length;
  }
  const value = padded(encodeText(terms.join('\\'), [], 'CS'));
  dataSet.set({ tag: SPECIFIC_CHARACTER_SET, vr: 'CS', length: value.length, offset: -1, bytes: value });
}

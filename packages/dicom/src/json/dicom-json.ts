import type { Vr } from '../vr.js';

/** A person name in DICOM JSON (PS3.18 §F.2.2): up to three component groups. */
export interface PersonNameJson {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

/** One value of a DICOM JSON attribute. */
export type DicomJsonValue = string | number | PersonNameJson | DicomJson | null;

/** One attribute of a DICOM JSON object (PS3.18 §F.2.2). */
export interface DicomJsonAttribute {
  vr: Vr;
  Value?: DicomJsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
}

/** A DICOM JSON object: attributes keyed by 8 upper-case hex digit tags (PS3.18 §F.2.1). */
export type DicomJson = { [tag: string]: DicomJsonAttribute };

/** Base64 of bytes (browser and Node, no Buffer). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary);
}

/** Bytes of a base64 string (browser and Node, no Buffer). */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Serialises DICOM JSON with the attributes of every object in ascending tag order (PS3.18 §F.2.2).
 * `JSON.stringify` alone cannot do this: JavaScript orders integer-like keys such as "30040002" before
 * all other keys (e.g. "00080016"), whatever the order they were added in. Each object's own keys are
 * sorted, so the cost grows with the size of the object, not with all keys of the document.
 */
export function stringifyDicomJson(json: DicomJson | readonly DicomJson[], space?: string | number): string {
  const text = write(json);
  return space === undefined ? text : JSON.stringify(JSON.parse(text), null, space);
}

function write(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : write(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const inner = object[key];
      if (inner !== undefined) parts.push(`${JSON.stringify(key)}:${write(inner)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Value Representations (PS3.5 §6.2) and the properties the reader and writer need.
 */

/** Every Value Representation of PS3.5 Table 6.2-1. */
export const VRS = [
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
] as const; // prettier-ignore

/** A Value Representation. */
export type Vr = (typeof VRS)[number];

const vrSet: ReadonlySet<string> = new Set(VRS);

/** True when `s` is one of the VRs of PS3.5. */
export function isVr(s: string): s is Vr {
  return vrSet.has(s);
}

// PS3.5 §7.1.2: these VRs have a 2-byte reserved field and a 32-bit length in explicit VR.
const longLengthVrs: ReadonlySet<Vr> = new Set<Vr>([
  'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV',
]); // prettier-ignore

/** True when the explicit VR header of `vr` has a 32-bit length (PS3.5 Table 7.1-1). */
export function hasLongLength(vr: Vr): boolean {
  return longLengthVrs.has(vr);
}

/** Size in bytes of one value of a binary numeric VR; byte order matters for these when swapping. */
export const BINARY_VALUE_SIZE: Readonly<Partial<Record<Vr, 2 | 4 | 8>>> = {
  AT: 2, // two 16-bit halves, each swapped
  FD: 8,
  FL: 4,
  OD: 8,
  OF: 4,
  OL: 4,
  OV: 8,
  OW: 2,
  SL: 4,
  SS: 2,
  SV: 8,
  UL: 4,
  US: 2,
  UV: 8,
};

const stringVrs: ReadonlySet<Vr> = new Set<Vr>([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT',
]); // prettier-ignore

/** True for VRs whose value is text. */
export function isStringVr(vr: Vr): boolean {
  return stringVrs.has(vr);
}

// PS3.5 §6.1.2.3: only these VRs are affected by Specific Character Set (0008,0005).
const charsetVrs: ReadonlySet<Vr> = new Set<Vr>(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

/** True for VRs whose text is decoded with the Specific Character Set; others are plain ASCII. */
export function usesSpecificCharacterSet(vr: Vr): boolean {
  return charsetVrs.has(vr);
}

// VRs that hold exactly one value: a backslash in them is a character, not a delimiter (PS3.5 §6.4).
const singleValuedVrs: ReadonlySet<Vr> = new Set<Vr>(['LT', 'ST', 'UT', 'UR']);

/** True for text VRs where the backslash is a value delimiter. */
export function isMultiValuedStringVr(vr: Vr): boolean {
  return stringVrs.has(vr) && !singleValuedVrs.has(vr);
}

/** The padding byte for an odd-length value (PS3.5 §6.2: UI and binary pad with NUL, text with space). */
export function paddingByte(vr: Vr): number {
  return stringVrs.has(vr) && vr !== 'UI' ? 0x20 : 0x00;
}

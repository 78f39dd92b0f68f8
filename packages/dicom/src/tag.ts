/**
 * Tags are plain unsigned 32-bit numbers, `(group << 16) | element`, so they compare and sort as numbers.
 */

/** Builds a tag from its group and element numbers. */
export function makeTag(group: number, element: number): number {
  return ((group << 16) | element) >>> 0;
}

/** The group number of a tag. */
export function tagGroup(tag: number): number {
  return tag >>> 16;
}

/** The element number of a tag. */
export function tagElement(tag: number): number {
  return tag & 0xffff;
}

/** The tag as 8 upper-case hex digits, the key form of DICOM JSON (PS3.18 §F.2.1.1). */
export function tagToHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

/** The tag in the `(GGGG,EEEE)` form of PS3.5. */
export function tagToString(tag: number): string {
  const hex = tagToHex(tag);
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

const hexTag = /^[0-9A-Fa-f]{8}$/;

/** Parses `GGGGEEEE` (8 hex digits); returns undefined for anything else. */
export function parseHexTag(s: string): number | undefined {
  return hexTag.test(s) ? Number.parseInt(s, 16) >>> 0 : undefined;
}

/** True for tags of a private group (odd group number, PS3.5 §7.8). */
export function isPrivateTag(tag: number): boolean {
  return (tag >>> 16) % 2 === 1;
}

/** Item, item delimitation and sequence delimitation tags (PS3.5 §7.5). */
export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;

/** The value of a length field meaning "undefined length" (PS3.5 §7.1.1). */
export const UNDEFINED_LENGTH = 0xffffffff;

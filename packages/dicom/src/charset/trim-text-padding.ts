/**
 * Removing the padding of text values (PS3.5 §6.2, Table 6.2-1).
 */
import type { Vr } from '../vr.js';

// Text VRs whose leading spaces are significant: only trailing padding is removed.
const trailingOnly: ReadonlySet<Vr> = new Set<Vr>(['LT', 'ST', 'UT', 'UR', 'UI']);

/**
 * Removes the padding of one decoded value: trailing spaces and NULs, and leading spaces too except for
 * LT, ST, UT (where they are significant), UR and UI. For multi-valued VRs call it on each value.
 */
export function trimTextPadding(s: string, vr: Vr): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x00) break;
    end--;
  }
  let start = 0;
  if (!trailingOnly.has(vr)) {
    while (start < end && s.charCodeAt(start) === 0x20) start++;
  }
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

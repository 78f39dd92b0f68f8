/**
 * Encoding text with ISO/IEC 2022 code extensions: PS3.5 §6.1.2.5 and the examples of Annexes H, I and K.
 */
import { isMultiValuedStringVr, type Vr } from '../vr.js';
import { encodeTable } from './encode-table.js';
import { designationEscape, type Designation } from './escape-sequences.js';
import { GraphicSets, type GraphicSet, type GraphicSetSlot } from './graphic-sets.js';
import type { Iso2022CharacterSet } from './resolve-character-set.js';

/**
 * Encodes text under a code structure of PS3.5 §6.1.2.5.4 a–c. Returns the index of the first character
 * that none of the declared sets can represent instead of throwing.
 *
 * A character is written with the set already designated where possible, else with the first set among the
 * values of (0008,0005) that has it. Before every control character, value delimiter `\` (multi-valued VRs),
 * PN delimiter `^` or `=`, and at the end, value 1's G0 and G1 are designated again (§6.1.2.5.3).
 */
export function encodeIso2022(
  text: string,
  cs: Iso2022CharacterSet,
  vr: Vr,
): Uint8Array | { readonly failedAt: number } {
  const valueDelimiter = isMultiValuedStringVr(vr);
  const personName = vr === 'PN';
  const out: number[] = [];
  let g0: GraphicSet = cs.initialG0;
  let g1: GraphicSet | undefined = cs.initialG1;

  const designate = (set: GraphicSet, slot: GraphicSetSlot): void => {
    for (const b of designationEscape(set, slot)) out.push(b);
    if (slot === 0) g0 = set;
    else g1 = set;
  };
  // PS3.5 §6.1.2.5.3: value 1's sets are active again before delimiters, controls and the end of the value.
  // G0 must be switched back explicitly (H.3 examples: ESC ( B / ESC ( J). A changed G1 is designated
  // back too when value 1 has one; when it has none (I.2, K.2) the decoder drops G1 by itself.
  const restoreInitial = (): void => {
    if (g0 !== cs.initialG0) designate(cs.initialG0, 0);
    if (g1 !== cs.initialG1) {
      if (cs.initialG1 !== undefined) designate(cs.initialG1, 1);
      else g1 = undefined;
    }
  };

  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    if (cp === 0x1b) return { failedAt: i }; // a literal ESC would be read as an escape sequence
    if (cp < 0x80) {
      const resets =
        cp < 0x20 || (valueDelimiter && cp === 0x5c) || (personName && (cp === 0x5e || cp === 0x3d));
      if (resets) restoreInitial();
      else if (g0.kind !== 'single' || g0 === GraphicSets.katakana) designate(cs.initialG0, 0);
      out.push(cp);
      i += width;
      continue;
    }
    const choice = choose(cp, g0, g1, cs.declared);
    if (choice === undefined) return { failedAt: i };
    const { set, slot, position } = choice;
    if ((slot === 0 ? g0 : g1) !== set) designate(set, slot);
    const high = slot === 1 ? 0x80 : 0;
    if (set.kind === 'double') out.push((position >> 8) | high, (position & 0xff) | high);
    else out.push(position | high);
    i += width;
  }
  restoreInitial();
  return Uint8Array.from(out);
}

interface Choice {
  readonly set: GraphicSet;
  readonly slot: GraphicSetSlot;
  readonly position: number;
}

function choose(
  cp: number,
  g0: GraphicSet,
  g1: GraphicSet | undefined,
  declared: readonly Designation[],
): Choice | undefined {
  // Stay in the current G1, then a double-byte G0, so that a run needs one escape sequence.
  if (g1 !== undefined) {
    const position = encodeTable(g1).get(cp);
    if (position !== undefined) return { set: g1, slot: 1, position };
  }
  if (g0.kind === 'double') {
    const position = encodeTable(g0).get(cp);
    if (position !== undefined) return { set: g0, slot: 0, position };
  }
  for (const { set, slot } of declared) {
    // Single-byte sets in G0 are ASCII or romaji, which the caller writes; only G1 takes the upper half.
    if (set.kind === 'single' && slot === 0) continue;
    const position = encodeTable(set).get(cp);
    if (position !== undefined) return { set, slot, position };
  }
  return undefined;
}

import type { DicomJson, DicomJsonAttribute, Vr } from '@lightbox/dicom';
import { parseAttributeMatch, type AttributeMatch } from '../../archive/query/attribute-match.js';
import { normalizeDate, normalizeTime } from '../../archive/matching/date-time-values.js';
import { normalizeAlphabeticName } from '../../archive/matching/person-name-search.js';
import { elementTexts } from '../../archive/dicom-json-values.js';

/** Keys that are never matched: Specific Character Set and Query/Retrieve level say how, not what. */
const NOT_MATCHED: ReadonlySet<string> = new Set(['00080005', '00080052']);

function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

function normalizedFor(vr: Vr, value: string): string | undefined {
  if (vr === 'DA') return normalizeDate(value);
  if (vr === 'TM') return normalizeTime(value);
  return value;
}

/** True when one stored value satisfies the match (PS3.4 C.2.2.2), by the attribute's VR. */
function valueMatches(match: AttributeMatch, vr: Vr, stored: string): boolean {
  switch (match.kind) {
    case 'universal':
      return true;
    case 'values':
      if (vr === 'PN')
        return match.values.some((v) => normalizeAlphabeticName(v) === normalizeAlphabeticName(stored));
      return match.values.some((v) => normalizedFor(vr, v) === normalizedFor(vr, stored.trim()));
    case 'wildcard':
      // Person names match without regard to case or accents, as the archive's QIDO does (PS3.4 C.2.2.2.4 allows it).
      return vr === 'PN'
        ? wildcardRegExp(normalizeAlphabeticName(match.pattern), true).test(normalizeAlphabeticName(stored))
        : wildcardRegExp(match.pattern, false).test(stored.trim());
    case 'range': {
      const value = normalizedFor(vr, stored.trim());
      if (value === undefined) return false;
      return (
        (match.from === undefined || value >= match.from) && (match.to === undefined || value <= match.to)
      );
    }
    case 'number':
      return Number(stored) === match.value;
  }
}

function elementMatches(
  key: string,
  requested: DicomJsonAttribute,
  stored: DicomJsonAttribute | undefined,
): boolean {
  if (requested.vr === 'SQ') {
    const items = (requested.Value ?? []) as DicomJson[];
    const keys = items[0];
    if (keys === undefined || Object.keys(keys).length === 0) return true;
    // Sequence matching (PS3.4 C.2.2.2.6): some stored item matches every key of the requested item.
    return ((stored?.Value ?? []) as DicomJson[]).some((item) => matchesIdentifier(item, keys));
  }
  const raw = elementTexts(requested).join('\\');
  const match = parseAttributeMatch(requested.vr, raw, key);
  if (match.kind === 'universal') return true;
  return elementTexts(stored).some((value) => value !== '' && valueMatches(match, requested.vr, value));
}

/** True when a data set matches every key of a C-FIND identifier (PS3.4 C.2.2.2), in memory. */
export function matchesIdentifier(item: DicomJson, identifier: DicomJson): boolean {
  for (const [key, requested] of Object.entries(identifier)) {
    if (NOT_MATCHED.has(key) || key.startsWith('0000')) continue;
    if (!elementMatches(key, requested, item[key])) return false;
  }
  return true;
}

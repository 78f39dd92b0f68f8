import type { DicomJson } from '@lightbox/dicom';

/**
 * The response identifier: every requested key, with the item's value or zero length when it has none
 * (PS3.4 C.4.1.1.3.2); a requested sequence item selects the attributes returned from each stored item.
 */
export function projectIdentifier(item: DicomJson, identifier: DicomJson): DicomJson {
  const out: DicomJson = {};
  for (const [key, requested] of Object.entries(identifier)) {
    if (key.startsWith('0000')) continue;
    const stored = item[key];
    if (requested.vr === 'SQ') {
      const keys = ((requested.Value ?? []) as DicomJson[])[0];
      const items = (stored?.Value ?? []) as DicomJson[];
      out[key] =
        keys === undefined || Object.keys(keys).length === 0
          ? { vr: 'SQ', Value: items }
          : { vr: 'SQ', Value: items.map((storedItem) => projectIdentifier(storedItem, keys)) };
      continue;
    }
    out[key] = stored?.Value !== undefined && stored.Value.length > 0 ? stored : { vr: requested.vr };
  }
  return out;
}

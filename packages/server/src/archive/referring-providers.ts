import type { DicomJson } from '@lightbox/dicom';

type Items = Array<Record<string, { Value?: unknown[] }>>;

/**
 * The referring provider's identifiers named by an instance: (0008,0096) Referring Physician
 * Identification Sequence → (0040,1101) Person Identification Code Sequence → (0008,0100) Code Value.
 * These, never a name, tie a study to a referring physician's account (study-level access).
 */
export function referringProviderIds(json: DicomJson): string[] {
  const ids = new Set<string>();
  for (const person of (json['00080096']?.Value ?? []) as Items) {
    for (const code of (person['00401101']?.Value ?? []) as Items) {
      const value = code['00080100']?.Value?.[0];
      if (typeof value === 'string' && value.trim() !== '') ids.add(value.trim());
    }
  }
  return [...ids];
}

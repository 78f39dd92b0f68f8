import type { DicomJson } from '@lightbox/dicom';

type Items = Array<Record<string, { Value?: unknown[] }>>;

/** Separates an identifier from its issuer in a qualified provider identifier (`ID^ISSUER`, as in HL7 XCN). */
export const PROVIDER_ISSUER_SEPARATOR = '^';

/** A provider identifier as users and orders name it: the ID alone, or `ID^ISSUER` when the issuer is known. */
export function qualifiedProviderId(id: string, issuer: string | null | undefined): string {
  return issuer === undefined || issuer === null || issuer === ''
    ? id
    : `${id}${PROVIDER_ISSUER_SEPARATOR}${issuer}`;
}

/**
 * The referring provider's identifiers named by an instance: (0008,0096) Referring Physician
 * Identification Sequence → (0040,1101) Person Identification Code Sequence → (0008,0100) Code Value,
 * each alone and, when (0008,0102) Coding Scheme Designator names its issuer, also as `ID^SCHEME`. A user
 * whose identifier names an issuer is matched by the qualified key only, so the same number issued by
 * another authority gives no access. These, never a name, tie a study to a referring physician's account.
 */
export function referringProviderIds(json: DicomJson): string[] {
  const ids = new Set<string>();
  for (const person of (json['00080096']?.Value ?? []) as Items) {
    for (const code of (person['00401101']?.Value ?? []) as Items) {
      const value = code['00080100']?.Value?.[0];
      if (typeof value !== 'string' || value.trim() === '') continue;
      ids.add(value.trim());
      const scheme = code['00080102']?.Value?.[0];
      if (typeof scheme === 'string' && scheme.trim() !== '')
        ids.add(qualifiedProviderId(value.trim(), scheme.trim()));
    }
  }
  return [...ids];
}

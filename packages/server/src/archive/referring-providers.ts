import type { DicomJson } from '@lightbox/dicom';

type Items = Array<Record<string, { Value?: unknown[] }>>;

/** Kinds of `study_access_key` rows. */
export const StudyAccessKind = {
  /** A referring provider's identifier, whoever issued it. */
  Provider: 'provider',
  /** A referring provider's identifier with its issuer, `ID^ISSUER`. */
  IssuedProvider: 'provider-issued',
} as const;
export type StudyAccessKindValue = (typeof StudyAccessKind)[keyof typeof StudyAccessKind];

/** Separates an identifier from its issuer in a qualified provider identifier (`ID^ISSUER`, as in HL7 XCN). */
export const PROVIDER_ISSUER_SEPARATOR = '^';

/** A provider identifier as users and orders name it: the ID alone, or `ID^ISSUER` when the issuer is known. */
export function qualifiedProviderId(id: string, issuer: string | null | undefined): string {
  return issuer === undefined || issuer === null || issuer === ''
    ? id
    : `${id}${PROVIDER_ISSUER_SEPARATOR}${issuer}`;
}

/** A study's access key: which kind, and its value. */
export interface ProviderKey {
  kind: StudyAccessKindValue;
  value: string;
}

/**
 * The referring provider's identifiers named by an instance: (0008,0096) Referring Physician
 * Identification Sequence → (0040,1101) Person Identification Code Sequence → (0008,0100) Code Value,
 * each as a key of its own and, when (0008,0102) Coding Scheme Designator names its issuer, also as an
 * `ID^SCHEME` key of another kind. A user whose identifier names an issuer is matched by the qualified keys
 * only (a Code Value that itself holds `^` can never pass for one), so the same number issued by another
 * authority gives no access. These, never a name, tie a study to a referring physician's account.
 */
export function referringProviderKeys(json: DicomJson): ProviderKey[] {
  const keys = new Map<string, ProviderKey>();
  const add = (kind: StudyAccessKindValue, value: string) => keys.set(`${kind} ${value}`, { kind, value });
  for (const person of (json['00080096']?.Value ?? []) as Items) {
    for (const code of (person['00401101']?.Value ?? []) as Items) {
      const value = code['00080100']?.Value?.[0];
      if (typeof value !== 'string' || value.trim() === '') continue;
      add(StudyAccessKind.Provider, value.trim());
      const scheme = code['00080102']?.Value?.[0];
      if (typeof scheme === 'string' && scheme.trim() !== '')
        add(StudyAccessKind.IssuedProvider, qualifiedProviderId(value.trim(), scheme.trim()));
    }
  }
  return [...keys.values()];
}

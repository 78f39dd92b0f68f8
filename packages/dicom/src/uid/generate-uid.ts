/**
 * Generates a new globally unique UID from a random (version 4) UUID, as PS3.5 §B.2 allows:
 * "2.25." followed by the UUID as one decimal integer. No organisational root is needed.
 */
export function generateUid(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // RFC 4122 version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return `2.25.${value.toString()}`;
}

const uidPattern = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** True when `uid` is a syntactically valid UID (PS3.5 §9.1: digits and dots, no leading zeros, ≤ 64 chars). */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && uidPattern.test(uid);
}

const storableUidPattern = /^[0-9.]{1,64}$/;

/**
 * True when `uid` can identify a stored object: digits and dots, 1–64 characters, so it is a safe key and
 * URL path segment. Looser than PS3.5 §9.1 on purpose: devices still send UIDs with leading zeros or
 * empty components (e.g. `1.2.03`), and refusing them would lose their images; new UIDs are always valid.
 */
export function isStorableUid(uid: string): boolean {
  return storableUidPattern.test(uid) && /[0-9]/.test(uid);
}

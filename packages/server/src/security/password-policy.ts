/** Shortest password accepted for a user (NIST SP 800-63B: length, not composition rules). */
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

// Passwords every guessing attack tries first; a longer breached-password list can replace this.
const COMMON = new Set([
  'password1234', 'passwordpassword', '123456789012', 'qwertyuiopas', 'administrator', 'letmeinletmein',
  'welcome12345', 'changemechangeme', 'radiology123', 'lightbox1234', 'iloveyou1234', '111111111111',
]); // prettier-ignore

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, username: string): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `a password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (username.length >= 3 && lower.includes(username.toLowerCase()))
    return 'a password must not contain the user name';
  if (new Set(password).size < 4) return 'a password needs more than three different characters';
  if (COMMON.has(lower)) return 'this password is too common';
  return undefined;
}

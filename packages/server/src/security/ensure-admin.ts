import { generatePassword } from './passwords.js';
import { Role } from './permissions.js';
import type { UserStore } from './user-store.js';

/**
 * Creates user `admin` on first start with LIGHTBOX_ADMIN_PASSWORD, or a generated password. Returns the
 * generated password so that it is printed once; undefined when the admin already existed or the
 * password came from the configuration.
 */
export async function ensureAdmin(
  users: UserStore,
  configuredPassword: string | undefined,
): Promise<string | undefined> {
  if ((await users.findByUsername('admin')) !== undefined) return undefined;
  const password = configuredPassword ?? generatePassword();
  const created = await users.create('admin', password, [Role.Admin]);
  return created && configuredPassword === undefined ? password : undefined;
}

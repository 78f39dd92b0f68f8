import { createHmac, randomBytes } from 'node:crypto';
import type { Actor, Protocol } from './actor.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { UserStore } from './user-store.js';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;

interface CachedCredential {
  userId: number;
  username: string;
  roles: string[];
  expiresAt: number;
}

/**
 * Verifies HTTP Basic credentials (RFC 7617) against the user store. argon2id costs ~100 ms by design,
 * so a verified credential is remembered for one minute under an HMAC of it (keyed by a secret that lives
 * only in this process): DICOMweb clients send the same header with every request. Failures are never
 * cached, and nothing reversible is kept.
 */
export class BasicAuthenticator {
  private readonly secret = randomBytes(32);
  private readonly cache = new Map<string, CachedCredential>();
  private decoy: Promise<string> | undefined;

  constructor(private readonly users: UserStore) {}

  /** The actor for an Authorization header value, or undefined when it is not valid Basic credentials. */
  async authenticate(
    header: string | undefined,
    protocol: Protocol,
    address?: string,
  ): Promise<Actor | undefined> {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (match === null) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    return this.authenticateUser(decoded.slice(0, colon), decoded.slice(colon + 1), protocol, address);
  }

  /**
   * The actor for a user name and password (HTTP Basic, DIMSE user identity negotiation), or undefined.
   * A verified pair is cached briefly under an HMAC of it, so argon2 does not run on every request.
   */
  async authenticateUser(
    username: string,
    password: string,
    protocol: Protocol,
    address?: string,
  ): Promise<Actor | undefined> {
    const key = createHmac('sha256', this.secret).update(`${username}:${password}`).digest('base64');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expiresAt > now) {
      return { username: cached.username, userId: cached.userId, roles: cached.roles, protocol, address };
    }
    const user = await this.users.findByUsername(username);
    // An unknown user costs the same argon2 verification as a known one, so that timing does not tell
    // which user names exist.
    const verified = await verifyPassword(user?.passwordHash ?? (await this.decoyHash()), password);
    if (user === undefined || user.disabled || !verified) return undefined;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, {
      userId: user.pk,
      username: user.username,
      roles: user.roles,
      expiresAt: now + CACHE_TTL_MS,
    });
    return { username: user.username, userId: user.pk, roles: user.roles, protocol, address };
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashPassword(randomBytes(16).toString('hex'));
    return this.decoy;
  }

  /** Forgets every cached credential (after a password change). */
  clearCache(): void {
    this.cache.clear();
  }
}

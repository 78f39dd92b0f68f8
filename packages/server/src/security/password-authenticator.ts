import { createHmac, randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { Actor, Protocol } from './actor.js';
import { AuditEventId, AuditEventType, type AuditSink } from './audit/audit-sink.js';
import { FailedLoginLimiter } from './failed-login-limiter.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { isPersonRole } from './permissions.js';
import type { User, UserStore } from './user-store.js';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;
/** Consecutive wrong passwords that lock an account… */
export const LOCKOUT_THRESHOLD = 5;
/** …for this long (or until an administrator sets a new password). */
export const LOCKOUT_MS = 15 * 60_000;

interface CachedCredential {
  user: User;
  expiresAt: number;
}

/** The outcome of a password check. */
export type PasswordCheck =
  | { ok: true; actor: Actor; user: User }
  /** Wrong, unknown, disabled or locked: the caller is told nothing more. */
  | { ok: false }
  /** Too many failures from this address: try again after this many seconds (HTTP 429). */
  | { ok: false; retryAfterSeconds: number };

/**
 * Verifies user names and passwords (HTTP Basic, the login form, DIMSE user identity negotiation).
 * argon2id costs ~100 ms by design, so a verified pair is remembered for one minute under an HMAC of it
 * (keyed by a secret that lives only in this process): DICOMweb clients send the same header with every
 * request. Failures are never cached; they count towards the address's rate limit and the account's
 * lockout, and are audited.
 */
export class PasswordAuthenticator {
  private readonly secret = randomBytes(32);
  private readonly cache = new Map<string, CachedCredential>();
  /**
   * Counts the users forgotten so far: a verification that read the user before a change was announced
   * must not cache what it read (it would outlive the change by the cache's minute).
   */
  private forgotten = 0;
  private readonly limiter = new FailedLoginLimiter();
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly audit: AuditSink,
  ) {}

  /** Checks a user name and password. */
  async check(
    username: string,
    password: string,
    protocol: Protocol,
    address?: string,
  ): Promise<PasswordCheck> {
    const key = createHmac('sha256', this.secret).update(`${username}\0${password}`).digest('base64');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expiresAt > now) {
      return { ok: true, actor: actorOf(cached.user, protocol, address), user: cached.user };
    }
    const retryAfter = this.limiter.retryAfterSeconds(address, now);
    if (retryAfter !== undefined) return { ok: false, retryAfterSeconds: retryAfter };
    if (!this.limiter.enter(address)) return { ok: false, retryAfterSeconds: 1 };
    const forgottenBefore = this.forgotten;
    try {
      return await this.verify(username, password, protocol, address, key, now, forgottenBefore);
    } finally {
      this.limiter.leave(address);
    }
  }

  private async verify(
    username: string,
    password: string,
    protocol: Protocol,
    address: string | undefined,
    cacheKey: string,
    now: number,
    forgottenBefore: number,
  ): Promise<PasswordCheck> {
    // Counted before the slow check, taken back on success: parallel guesses are limited like serial ones.
    this.limiter.recordFailure(address, now);
    const attempted: Actor = { username: username.replace(/\0/g, ''), roles: [], protocol, address };
    // NUL cannot be stored (PostgreSQL text) and is in no user's name: a failure, without a query.
    const user = username.includes('\0') ? undefined : await this.users.findByUsername(username);
    // An unknown user costs the same argon2 verification as a known one, so that timing does not tell
    // which user names exist.
    const verified = await verifyPassword(user?.passwordHash ?? (await this.decoyHash()), password);
    // The lock is read again after the slow check: guesses running in parallel may have set it meanwhile.
    const current = user !== undefined && verified ? await this.users.findByPk(user.pk) : user;
    const locked =
      current?.lockedUntil !== null && current?.lockedUntil !== undefined && current.lockedUntil > Date.now();
    if (current !== undefined && !current.disabled && verified && !locked) {
      this.limiter.forgetFailure(address, now);
      await this.users.recordSuccessfulLogin(current);
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      if (this.forgotten === forgottenBefore) {
        this.cache.set(cacheKey, { user: current, expiresAt: now + CACHE_TTL_MS });
      }
      return { ok: true, actor: actorOf(current, protocol, address), user: current };
    }
    this.audit.record({
      event: AuditEventId.UserAuthentication,
      eventType: AuditEventType.Login,
      action: 'E',
      outcome: 'failure',
      actor: attempted,
      detail: locked
        ? 'account locked'
        : current?.disabled
          ? 'account disabled'
          : 'wrong user name or password',
    });
    if (current !== undefined && !verified && !locked) {
      const lockedUntil = await this.users.recordFailedLogin(current.pk, LOCKOUT_THRESHOLD, LOCKOUT_MS);
      if (lockedUntil !== undefined) {
        // A password someone verified a moment ago works no longer on this node either (other nodes hear
        // of the lock through the user store's announcement).
        this.forgetUser(current.username);
        this.audit.record({
          event: AuditEventId.SecurityAlert,
          eventType: AuditEventType.UserSecurityAttributesChanged,
          action: 'E',
          outcome: 'failure',
          actor: attempted,
          detail: `account locked until ${new Date(lockedUntil).toISOString()} after ${LOCKOUT_THRESHOLD} wrong passwords`,
        });
      }
    }
    return { ok: false };
  }

  /** Counts a failed credential other than a password (an unknown API token) towards the address's limit. */
  recordFailedCredential(address: string | undefined): number | undefined {
    const now = Date.now();
    const retryAfter = this.limiter.retryAfterSeconds(address, now);
    if (retryAfter === undefined) this.limiter.recordFailure(address, now);
    return retryAfter;
  }

  /** Seconds the address must wait before another credential is checked, if any. */
  retryAfterSeconds(address: string | undefined): number | undefined {
    return this.limiter.retryAfterSeconds(address, Date.now());
  }

  /** The actor for a user name and password, or undefined (DIMSE user identity negotiation). */
  async authenticateUser(
    username: string,
    password: string,
    protocol: Protocol,
    address?: string,
  ): Promise<Actor | undefined> {
    const result = await this.check(username, password, protocol, address);
    return result.ok ? result.actor : undefined;
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashPassword(randomBytes(16).toString('hex'));
    return this.decoy;
  }

  /** Forgets every cached credential (when changes may have been missed). */
  forgetAll(): void {
    this.forgotten += 1;
    this.cache.clear();
  }

  /** Forgets the cached credentials of a user (after their password, roles or state changed). */
  forgetUser(username: string): void {
    this.forgotten += 1;
    for (const [key, entry] of this.cache) if (entry.user.username === username) this.cache.delete(key);
  }
}

/** The error for an address that failed too often: 429 with Retry-After. */
export function tooManyAttempts(retryAfterSeconds: number): AppError {
  return new AppError(
    ErrorCode.TooManyRequests,
    'too many failed attempts from this address; try again later',
    undefined,
    {
      retryAfterSeconds,
    },
  );
}

/** The actor a verified user acts as. */
export function actorOf(user: User, protocol: Protocol, address?: string): Actor {
  return {
    username: user.username,
    userId: user.pk,
    // A person never acts as a DICOM node, even if an older version let an account hold that role.
    roles: user.roles.filter(isPersonRole),
    protocol,
    address,
    restrictions: { providerIds: user.providerIds, institutions: user.institutions },
  };
}

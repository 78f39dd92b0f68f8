import { AppError, ErrorCode } from '../shared/app-error.js';
import type { Actor } from './actor.js';
import type { ApiToken, ApiTokenStore } from './api-token-store.js';
import { AuditEventId, AuditEventType, type AuditSink } from './audit/audit-sink.js';
import type { FederatedIdentity } from './oidc-sign-in.js';
import { tooManyAttempts, type PasswordAuthenticator } from './password-authenticator.js';
import { passwordProblem } from './password-policy.js';
import { isPersonRole, isRole, permissionsOf, Role, type PermissionValue } from './permissions.js';
import type { SessionStore } from './session-store.js';
import type { User, UserChanges, UserStore } from './user-store.js';

/** Longest lifetime of an API token, and the default. */
export const MAX_TOKEN_DAYS = 365;
export const DEFAULT_TOKEN_DAYS = 90;

/** A user as shown to administrators and to the user (no password hash). */
export interface UserProfile {
  username: string;
  displayName: string | null;
  roles: string[];
  permissions: PermissionValue[];
  disabled: boolean;
  locked: boolean;
  providerIds: string[];
  institutions: string[];
  /** How the user signs in: with a password, or through the OpenID Connect provider. */
  signIn: 'password' | 'openid-connect';
  createdAt: string;
  updatedAt: string;
}

/** What an administrator sends to create or change a user. */
export type UserInput = UserChanges;

/** The profile of a user. */
export function profileOf(user: User): UserProfile {
  return {
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    permissions: permissionsOf(user.roles),
    disabled: user.disabled,
    locked: user.lockedUntil !== null && user.lockedUntil > Date.now(),
    providerIds: user.providerIds,
    institutions: user.institutions,
    signIn: user.oidcSubject === null ? 'password' : 'openid-connect',
    createdAt: new Date(user.createdAt).toISOString(),
    updatedAt: new Date(user.updatedAt).toISOString(),
  };
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Users and their API tokens (issue #4 §1): what administrators and users themselves change. Every change
 * is audited as a security alert of the right type; disabling a user or changing a password ends the user's
 * sessions (and, for disabling, revokes their tokens) everywhere at once.
 */
export class UserAdministration {
  constructor(
    private readonly users: UserStore,
    private readonly tokens: ApiTokenStore,
    private readonly sessions: SessionStore,
    private readonly passwords: PasswordAuthenticator,
    private readonly audit: AuditSink,
  ) {}

  async list(): Promise<UserProfile[]> {
    return (await this.users.list()).map(profileOf);
  }

  async get(username: string): Promise<UserProfile> {
    return profileOf(await this.user(username));
  }

  /** Creates the user, or changes the fields given. Returns whether it was created. */
  async put(
    actor: Actor,
    username: string,
    input: UserInput,
  ): Promise<{ created: boolean; user: UserProfile }> {
    if (!USERNAME.test(username)) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        'a user name is 1–64 letters, digits, ".", "_", "@" or "-"',
        'username',
      );
    }
    for (const role of input.roles ?? []) {
      if (!isPersonRole(role))
        throw new AppError(
          ErrorCode.InvalidParameter,
          isRole(role)
            ? `${role} is not a role for a person's account`
            : `unknown role ${JSON.stringify(role)}`,
          'roles',
        );
    }
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password, username);
      if (problem !== undefined) throw new AppError(ErrorCode.InvalidParameter, problem, 'password');
    }
    const existing = await this.users.findByUsername(username);
    if (existing === undefined) {
      if (!USERNAME.test(username)) {
        throw new AppError(
          ErrorCode.InvalidParameter,
          'a user name is 1–64 letters, digits, ".", "_", "@" or "-"',
          'username',
        );
      }
      if (input.password === undefined) {
        throw new AppError(ErrorCode.InvalidParameter, 'a new user needs a password', 'password');
      }
      const { password, roles, ...details } = input;
      if (!(await this.users.create(username, password, roles ?? [], details))) {
        throw new AppError(
          ErrorCode.Conflict,
          `user ${username} was created at the same time by another request`,
        );
      }
      this.record(
        actor,
        AuditEventType.SecurityRolesChanged,
        `created user ${username} with roles ${(roles ?? []).join(', ') || 'none'}`,
      );
      return { created: true, user: await this.get(username) };
    }
    if (existing.username === actor.username && input.disabled === true) {
      throw new AppError(ErrorCode.Conflict, 'you cannot disable your own account');
    }
    // One click on one's own row must not leave the archive without an administrator to undo it.
    if (
      existing.username === actor.username &&
      input.roles !== undefined &&
      existing.roles.includes(Role.Admin) &&
      !input.roles.includes(Role.Admin)
    ) {
      throw new AppError(
        ErrorCode.Conflict,
        'you cannot remove your own admin role; another administrator can',
      );
    }
    await this.users.update(username, input);
    this.passwords.forgetUser(username);
    if (input.disabled === true) {
      await this.tokens.revokeAll(existing.pk);
      await this.sessions.endAllOf(existing.pk);
    } else if (input.password !== undefined) {
      await this.sessions.endAllOf(existing.pk);
    }
    const changed = Object.keys(input).filter((k) => k !== 'password');
    if (input.roles !== undefined) {
      this.record(
        actor,
        AuditEventType.SecurityRolesChanged,
        `roles of ${username}: ${input.roles.join(', ') || 'none'}`,
      );
    }
    if (changed.some((k) => k !== 'roles') || input.password !== undefined) {
      const what = [
        ...changed.filter((k) => k !== 'roles'),
        ...(input.password !== undefined ? ['password'] : []),
      ];
      this.record(
        actor,
        AuditEventType.UserSecurityAttributesChanged,
        `changed ${what.join(', ')} of ${username}`,
      );
    }
    return { created: false, user: await this.get(username) };
  }

  /** Disables a user (users are never deleted: the audit trail names them). */
  async disable(actor: Actor, username: string): Promise<void> {
    await this.put(actor, username, { disabled: true });
  }

  /** A user changes their own password, proving the current one. */
  async changeOwnPassword(actor: Actor, current: string, next: string): Promise<void> {
    const user = await this.user(actor.username);
    // Through the authenticator: a stolen session guessing the password meets the rate limit and lockout.
    const proof = await this.passwords.check(user.username, current, actor.protocol, actor.address);
    if (!proof.ok) {
      if ('retryAfterSeconds' in proof) {
        throw tooManyAttempts(proof.retryAfterSeconds);
      }
      throw new AppError(ErrorCode.Forbidden, 'the current password is wrong', 'currentPassword');
    }
    const problem = passwordProblem(next, user.username);
    if (problem !== undefined) throw new AppError(ErrorCode.InvalidParameter, problem, 'newPassword');
    await this.users.update(user.username, { password: next });
    this.passwords.forgetUser(user.username);
    await this.sessions.endAllOf(user.pk);
    this.record(
      actor,
      AuditEventType.UserSecurityAttributesChanged,
      `${user.username} changed their password`,
    );
  }

  /**
   * The Lightbox user of someone the identity provider vouched for: found by the provider's subject, or
   * created on first sign-in. Roles (and provider IDs, when the provider sends them) follow the provider
   * at every sign-in. A local account of the same name is never taken over: identity is not guessed.
   */
  async signInFederated(identity: FederatedIdentity, address: string | undefined): Promise<User> {
    const actor: Actor = {
      username: identity.username,
      roles: identity.roles,
      protocol: 'api',
      ...(address !== undefined ? { address } : {}),
    };
    const details = {
      displayName: identity.displayName,
      ...(identity.providerIds !== undefined ? { providerIds: identity.providerIds } : {}),
    };
    const linked = await this.users.findByOidcSubject(identity.subject);
    if (linked === undefined) {
      if (!USERNAME.test(identity.username)) {
        throw new AppError(
          ErrorCode.Conflict,
          `the identity provider's user name ${JSON.stringify(identity.username.slice(0, 80))} is not a valid Lightbox user name (1–64 letters, digits, ".", "_", "@", "-"); set oidc.usernameClaim to another claim`,
        );
      }
      if (!(await this.users.createFederated(identity.username, identity.subject, identity.roles, details))) {
        this.audit.record({
          event: AuditEventId.UserAuthentication,
          eventType: AuditEventType.Login,
          action: 'E',
          outcome: 'failure',
          actor,
          detail: `OpenID Connect: a local account named ${identity.username} exists and is not linked to ${identity.subject}`,
        });
        throw new AppError(
          ErrorCode.Conflict,
          `an account named ${identity.username} exists here and is not linked to your identity provider account; ask an administrator`,
        );
      }
      this.record(
        actor,
        AuditEventType.SecurityRolesChanged,
        `created user ${identity.username} from OpenID Connect with roles ${identity.roles.join(', ') || 'none'}`,
      );
      return (await this.users.findByOidcSubject(identity.subject))!;
    }
    if (linked.disabled) throw new AppError(ErrorCode.Unauthenticated, 'this account is disabled');
    const rolesChanged =
      JSON.stringify([...linked.roles].sort()) !== JSON.stringify([...identity.roles].sort());
    await this.users.update(linked.username, { roles: identity.roles, ...details });
    if (rolesChanged) {
      this.record(
        actor,
        AuditEventType.SecurityRolesChanged,
        `roles of ${linked.username} from OpenID Connect: ${identity.roles.join(', ') || 'none'}`,
      );
    }
    return (await this.users.findByOidcSubject(identity.subject))!;
  }

  async listTokens(username: string): Promise<ApiToken[]> {
    return this.tokens.list((await this.user(username)).pk);
  }

  /**
   * Issues an API token for a user, limited to the permissions asked for (default: all the user's), each
   * of which the user must have; expiring after `expiresInDays` (at most a year).
   */
  async issueToken(
    actor: Actor,
    username: string,
    request: { name: string; permissions?: string[]; expiresInDays?: number },
  ): Promise<{ token: string; record: ApiToken }> {
    const user = await this.user(username);
    if (user.disabled) throw new AppError(ErrorCode.Conflict, `user ${username} is disabled`);
    // A token may not outreach its maker: a request made with a narrowed token issues at most as much.
    const granted = permissionsOf(user.roles).filter(
      (p) => actor.permissions === undefined || actor.username !== username || actor.permissions.includes(p),
    );
    const asked = request.permissions ?? granted;
    for (const permission of asked) {
      if (!(granted as string[]).includes(permission)) {
        throw new AppError(
          ErrorCode.InvalidParameter,
          `user ${username} does not have the ${permission} permission`,
          'permissions',
        );
      }
    }
    const days = request.expiresInDays ?? DEFAULT_TOKEN_DAYS;
    if (!Number.isFinite(days) || days <= 0 || days > MAX_TOKEN_DAYS) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        `expiresInDays must be above 0 and at most ${MAX_TOKEN_DAYS}`,
        'expiresInDays',
      );
    }
    const issued = await this.tokens.issue(
      user.pk,
      request.name,
      asked as PermissionValue[],
      Date.now() + days * 86_400_000,
    );
    this.record(
      actor,
      AuditEventType.UserSecurityAttributesChanged,
      `issued API token ${issued.record.prefix}… (${request.name}) for ${username}`,
    );
    return issued;
  }

  async revokeToken(actor: Actor, username: string, id: number): Promise<void> {
    const user = await this.user(username);
    if (!(await this.tokens.revoke(user.pk, id))) {
      throw new AppError(ErrorCode.NotFound, `user ${username} has no active API token ${id}`);
    }
    this.record(
      actor,
      AuditEventType.UserSecurityAttributesChanged,
      `revoked API token ${id} of ${username}`,
    );
  }

  private async user(username: string): Promise<User> {
    const user = await this.users.findByUsername(username);
    if (user === undefined) throw new AppError(ErrorCode.NotFound, `no user ${username}`);
    return user;
  }

  private record(
    actor: Actor,
    type: (typeof AuditEventType)[keyof typeof AuditEventType],
    detail: string,
  ): void {
    this.audit.record({
      event: AuditEventId.SecurityAlert,
      eventType: type,
      action: 'E',
      outcome: 'success',
      actor,
      detail,
    });
  }
}

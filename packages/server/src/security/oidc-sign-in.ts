import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcConfig } from '../config/config.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { isPersonRole } from './permissions.js';

/** How long a sign-in may take at the provider. */
export const SIGN_IN_WINDOW_MS = 10 * 60_000;

/** Who the provider says signed in, in Lightbox's terms. */
export interface FederatedIdentity {
  /** `<issuer>#<sub>`: the stable link to the provider's account. */
  subject: string;
  username: string;
  displayName: string | null;
  roles: string[];
  /** Undefined when the provider is not configured to send them. */
  providerIds: string[] | undefined;
}

interface Pending {
  redirectUri: string;
  state: string;
  nonce: string;
  verifier: string;
  startedAt: number;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Maps the ID token's claims to a Lightbox identity (roles through `roleMap`, unmapped ones dropped). */
export function identityOf(
  claims: Record<string, unknown>,
  issuer: string,
  config: OidcConfig,
): FederatedIdentity {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '')
    throw new AppError(ErrorCode.Unauthenticated, 'the identity provider sent no subject');
  const named = claims[config.usernameClaim ?? 'preferred_username'];
  const username = typeof named === 'string' && named !== '' ? named : sub;
  // Only what the role map names: a provider group that happens to be called "admin" grants nothing.
  const roles = strings(claims[config.rolesClaim ?? 'roles'])
    .map((value) => config.roleMap?.[value])
    .filter((role): role is string => role !== undefined && isPersonRole(role));
  const name = claims.name;
  return {
    subject: `${issuer}#${sub}`,
    username,
    displayName: typeof name === 'string' ? name : null,
    roles: [...new Set(roles)],
    providerIds: config.providerIdsClaim === undefined ? undefined : strings(claims[config.providerIdsClaim]),
  };
}

/**
 * Sign-in through an OpenID Connect provider (issue #4 §1): the authorization code flow with PKCE, state
 * and nonce (openid-client). What the flow must remember between leaving for the provider and coming back
 * travels in a cookie sealed with AES-256-GCM under a key-ring key, so that any node can finish it.
 */
export class OidcSignIn {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(
    private readonly config: OidcConfig,
    private readonly sealKey: Buffer,
  ) {}

  /** The provider's configuration, read on first use (and again after a failure). */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        undefined,
        this.config.clientSecret === undefined
          ? client.None()
          : client.ClientSecretPost(this.config.clientSecret),
        // Plain HTTP only for a provider on this machine (the configuration refuses any other).
        new URL(this.config.issuer).protocol === 'http:'
          ? { execute: [client.allowInsecureRequests] }
          : undefined,
      )
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw new AppError(ErrorCode.OutOfResources, 'the identity provider cannot be reached', undefined, {
          cause: error,
        });
      });
    return this.discovered;
  }

  /**
   * Where to send the browser, and the sealed state to keep in a cookie until it comes back to the
   * redirect URI (the configured one, else `<public URL>/api/oidc/callback`).
   */
  async begin(publicUrl: string): Promise<{ url: URL; sealed: string }> {
    const configuration = await this.configuration();
    const redirectUri = this.config.redirectUri ?? `${publicUrl.replace(/\/$/, '')}/api/oidc/callback`;
    const pending: Pending = {
      redirectUri,
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      startedAt: Date.now(),
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url, sealed: this.seal(pending) };
  }

  /**
   * Completes the flow from the callback's query string and the sealed state; throws 401 for anything
   * amiss. The callback URL is rebuilt on the redirect URI the flow began with, which the token request
   * must repeat exactly (whatever host or path prefix the request came through).
   */
  async finish(
    callbackQuery: string,
    sealed: string | undefined,
  ): Promise<{ identity: FederatedIdentity; idToken: string | undefined }> {
    const pending = sealed === undefined ? undefined : this.open<Pending>(sealed);
    if (pending === undefined || Date.now() - pending.startedAt > SIGN_IN_WINDOW_MS) {
      throw new AppError(ErrorCode.Unauthenticated, 'the sign-in expired or did not start here; start again');
    }
    const callbackUrl = new URL(pending.redirectUri);
    callbackUrl.search = callbackQuery;
    const configuration = await this.configuration();
    let claims: Record<string, unknown> | undefined;
    let idToken: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() as Record<string, unknown> | undefined;
      idToken = tokens.id_token;
    } catch (error) {
      throw new AppError(
        ErrorCode.Unauthenticated,
        'the identity provider did not confirm the sign-in',
        undefined,
        { cause: error },
      );
    }
    if (claims === undefined)
      throw new AppError(ErrorCode.Unauthenticated, 'the identity provider sent no ID token');
    return { identity: identityOf(claims, configuration.serverMetadata().issuer, this.config), idToken };
  }

  /**
   * What to keep (sealed, in a cookie) for signing out at the provider later: the ID token, which RP-
   * initiated logout sends as id_token_hint.
   */
  sealLogoutHint(idToken: string | undefined): string {
    return this.seal({ idToken: idToken ?? null });
  }

  /**
   * Where to send the browser to end its session at the provider too (OpenID Connect RP-Initiated
   * Logout 1.0): the provider's end_session_endpoint with the ID token as hint and the app's root as
   * post_logout_redirect_uri (register it at the provider). Undefined when the provider has none.
   */
  async endSessionUrl(sealedHint: string | undefined, publicUrl: string): Promise<string | undefined> {
    const configuration = await this.configuration();
    if (configuration.serverMetadata().end_session_endpoint === undefined) return undefined;
    const hint = sealedHint === undefined ? undefined : this.open<{ idToken: string | null }>(sealedHint);
    return client.buildEndSessionUrl(configuration, {
      post_logout_redirect_uri: this.config.postLogoutRedirectUri ?? `${publicUrl.replace(/\/$/, '')}/`,
      ...(hint?.idToken ? { id_token_hint: hint.idToken } : {}),
    }).href;
  }

  private seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  private open<T>(sealed: string): T | undefined {
    try {
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const text = Buffer.concat([
        decipher.update(bytes.subarray(12, bytes.length - 16)),
        decipher.final(),
      ]).toString('utf8');
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }
}

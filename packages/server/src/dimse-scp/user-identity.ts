import type { UserIdentityRequest } from '@lightbox/dimse';
import type { Actor } from '../security/actor.js';

/** Verifies a user name and password (the HTTP Basic authenticator does). */
export interface PasswordVerifier {
  authenticateUser(
    username: string,
    password: string,
    protocol: 'dimse',
    address?: string,
  ): Promise<Actor | undefined>;
}

/** User Identity Type "username and passcode" (PS3.7 D.3.3.7.1). */
const USERNAME_AND_PASSCODE = 2;

/** The outcome of user identity negotiation. */
export type IdentityOutcome =
  /** No identity offered, or one of a type we do not use: the association acts as its calling AE. */
  | { kind: 'none' }
  /** Verified: the association acts as this Lightbox user. */
  | { kind: 'user'; actor: Actor; positiveResponse: boolean }
  /** Offered but wrong: the association is rejected. */
  | { kind: 'refused' };

const utf8 = new TextDecoder('utf-8');

/**
 * User identity negotiation (PS3.7 D.3.3.7): a user name and passcode are checked against Lightbox's
 * users; a wrong pair refuses the association. Other identity types (Kerberos, SAML, JWT, user name
 * alone) are not used and are ignored, which the standard allows; the association then acts as its AE.
 */
export async function negotiateUserIdentity(
  identity: UserIdentityRequest | undefined,
  verifier: PasswordVerifier,
  address: string | undefined,
): Promise<IdentityOutcome> {
  if (identity === undefined || identity.type !== USERNAME_AND_PASSCODE) return { kind: 'none' };
  const actor = await verifier.authenticateUser(
    utf8.decode(identity.primaryField),
    utf8.decode(identity.secondaryField),
    'dimse',
    address,
  );
  if (actor === undefined) return { kind: 'refused' };
  return { kind: 'user', actor, positiveResponse: identity.positiveResponseRequested };
}

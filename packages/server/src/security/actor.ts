import type { PermissionValue } from './permissions.js';

/** The protocols through which patient data is reached; recorded in every audit event. */
export type Protocol = 'dicomweb' | 'dimse' | 'api' | 'cli' | 'hl7' | 'fhir' | 'system';

/** Limits set on a user that narrow which studies they see (issue #4 §2). */
export interface AccessRestrictions {
  /** Provider identifiers matched against a study's referring provider. */
  providerIds: readonly string[];
  /** Institutions the user is limited to; empty: no such limit. */
  institutions: readonly string[];
}

/** Who is acting: an authenticated user (or the system itself), from where, over which protocol. */
export interface Actor {
  username: string;
  userId?: number;
  roles: readonly string[];
  protocol: Protocol;
  /** Network access point: the peer's address. */
  address?: string;
  /** Calling AE title, for DIMSE. */
  aeTitle?: string;
  /** When set (an API token's scope), only these of the roles' permissions apply. */
  permissions?: readonly PermissionValue[];
  restrictions?: AccessRestrictions;
  /** An emergency ("break-the-glass") access in force: every study is visible, and audited as such. */
  emergency?: { reason: string; expiresAt: number };
}

/** The system acting on its own (recovery, jobs). */
export function systemActor(protocol: Protocol = 'system'): Actor {
  return { username: 'lightbox', roles: ['system'], protocol };
}

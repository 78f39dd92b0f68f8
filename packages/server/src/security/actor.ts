/** The protocols through which patient data is reached; recorded in every audit event. */
export type Protocol = 'dicomweb' | 'dimse' | 'api' | 'cli' | 'hl7' | 'fhir' | 'system';

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
}

/** The system acting on its own (recovery, jobs). */
export function systemActor(protocol: Protocol = 'system'): Actor {
  return { username: 'lightbox', roles: ['system'], protocol };
}

import type { Actor } from '../security/actor.js';
import { Role } from '../security/permissions.js';

/** The actor of a DIMSE association: the calling AE at its address (user identity negotiation comes later). */
export function dimseActor(callingAeTitle: string, address: string | undefined): Actor {
  return {
    username: callingAeTitle,
    roles: [Role.DicomNode],
    protocol: 'dimse',
    aeTitle: callingAeTitle,
    ...(address !== undefined ? { address } : {}),
  };
}

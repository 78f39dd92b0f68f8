import type { Actor } from './actor.js';
import { Role } from './permissions.js';

/**
 * What part of the archive a caller may see, applied inside the query layer so that every protocol
 * (QIDO, WADO, C-FIND, C-MOVE, C-GET) returns only that (DESIGN §2, issue #4 §2).
 * - `all`: every study (administrators, radiologists, technologists, DICOM nodes, the system itself).
 * - `none`: nothing (no role that reads studies).
 * - `restricted`: a study is visible when every rule given holds: its referring provider (Referring
 *   Physician Identification Sequence → Person Identification Code Sequence → Code Value) is one of
 *   `providerIds`, and every one of its series comes from one of `institutions` (InstitutionName). Identities are
 *   matched by explicit identifiers only, never by a name string.
 */
export type AccessScope =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'restricted'; providerIds?: readonly string[]; institutions?: readonly string[] };

/** Sees everything: administrators, radiologists, and internal jobs. */
export const FULL_ACCESS: AccessScope = Object.freeze({ kind: 'all' });

const SEES_EVERY_PATIENT: readonly string[] = [
  Role.Admin,
  Role.Radiologist,
  Role.Technologist,
  Role.DicomNode,
  'system',
];

/**
 * The access scope of an actor. Roles that read every patient's studies see all of them (within the user's
 * institutions, when any are set); a data scientist likewise; a referring physician sees only the studies
 * that name one of their provider identifiers (none, when they have none). Other roles see nothing. An
 * emergency access in force sees everything.
 */
export function accessScopeOf(actor: Pick<Actor, 'roles' | 'restrictions' | 'emergency'>): AccessScope {
  if (actor.emergency !== undefined && actor.emergency.expiresAt > Date.now()) return FULL_ACCESS;
  const institutions = actor.restrictions?.institutions ?? [];
  const byInstitution = institutions.length > 0 ? { institutions } : {};
  if (actor.roles.some((role) => SEES_EVERY_PATIENT.includes(role) || role === Role.DataScientist)) {
    return institutions.length > 0 ? { kind: 'restricted', ...byInstitution } : FULL_ACCESS;
  }
  if (actor.roles.includes(Role.ReferringPhysician)) {
    return { kind: 'restricted', providerIds: actor.restrictions?.providerIds ?? [], ...byInstitution };
  }
  return { kind: 'none' };
}

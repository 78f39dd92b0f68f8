/**
 * What part of the archive a caller may see, applied inside the query layer so that every protocol
 * (QIDO, WADO, C-FIND, C-MOVE, C-GET) returns only that (DESIGN §2 "leave room"). The security issue adds
 * study-level rules (a referring physician's own patients, per-institution restrictions) as new kinds.
 */
export type AccessScope = { kind: 'all' } | { kind: 'none' };

/** Sees everything: administrators, radiologists, and internal jobs. */
export const FULL_ACCESS: AccessScope = Object.freeze({ kind: 'all' });

/** The access scope of an actor. Every authenticated user sees the whole archive until roles arrive. */
export function accessScopeOf(actor: { roles: readonly string[] }): AccessScope {
  return actor.roles.length === 0 ? { kind: 'none' } : FULL_ACCESS;
}

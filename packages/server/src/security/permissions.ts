/**
 * The permission table (DESIGN §2): every route and DIMSE service declares one of these; a route without
 * one is refused at registration. Roles map to permissions here and nowhere else.
 */
export const Permission = {
  /** No authentication: only the health check and the login page's static assets. */
  Public: 'public',
  /** Any signed-in user: their own session, password and API tokens. */
  Self: 'self',
  /** Query and retrieve studies (QIDO, WADO, C-FIND, C-MOVE, C-GET), within the caller's access scope. */
  StudyRead: 'study:read',
  /** Store instances (STOW, C-STORE, import). */
  StudyWrite: 'study:write',
  /** Break the glass: see every study for a limited time, with a stated reason. */
  EmergencyAccess: 'study:emergency',
  /** Users, roles, tokens of others, configuration, remote nodes, jobs. */
  Administer: 'admin',
  /** Search and verify the audit trail. */
  AuditRead: 'audit:read',
  /** See orders, the schedule and the modality worklist (MWL C-FIND). */
  WorklistRead: 'worklist:read',
  /** Enter, change, schedule and cancel orders; check patients in; fix reconciliation exceptions. */
  OrderWrite: 'order:write',
  /** Start, complete or discontinue exams (MPPS N-CREATE/N-SET, the technologist's screen). */
  ProcedureWrite: 'procedure:write',
} as const;

/** One of {@link Permission}. */
export type PermissionValue = (typeof Permission)[keyof typeof Permission];

/** The roles of issue #4 §2, plus remote DICOM nodes. */
export const Role = {
  Admin: 'admin',
  Radiologist: 'radiologist',
  Technologist: 'technologist',
  /** Sees only the studies of their own patients (matched by provider identifiers, never by name). */
  ReferringPhysician: 'referring-physician',
  /** Books exams; reaches orders when the RIS arrives, no images. */
  Scheduler: 'scheduler',
  /** Reads studies within the restrictions set on the user (e.g. institutions). */
  DataScientist: 'data-scientist',
  /** Reads the audit trail; no patient data beyond what the trail names. */
  SecurityOfficer: 'security-officer',
  /** A remote DICOM application entity; the DIMSE access policy decides what each node may do. */
  DicomNode: 'dicom-node',
} as const;

/** One of {@link Role}. */
export type RoleValue = (typeof Role)[keyof typeof Role];

const {
  Self,
  StudyRead,
  StudyWrite,
  EmergencyAccess,
  Administer,
  AuditRead,
  WorklistRead,
  OrderWrite,
  ProcedureWrite,
} = Permission;

/** What each role may do: the one table (issue #4 §2). */
export const ROLE_PERMISSIONS: Readonly<Record<RoleValue, readonly PermissionValue[]>> = {
  [Role.Admin]: [
    Self,
    StudyRead,
    StudyWrite,
    Administer,
    AuditRead,
    WorklistRead,
    OrderWrite,
    ProcedureWrite,
  ],
  [Role.Radiologist]: [Self, StudyRead, StudyWrite, EmergencyAccess, WorklistRead],
  [Role.Technologist]: [
    Self,
    StudyRead,
    StudyWrite,
    EmergencyAccess,
    WorklistRead,
    OrderWrite,
    ProcedureWrite,
  ],
  [Role.ReferringPhysician]: [Self, StudyRead, EmergencyAccess],
  [Role.Scheduler]: [Self, WorklistRead, OrderWrite],
  [Role.DataScientist]: [Self, StudyRead],
  [Role.SecurityOfficer]: [Self, AuditRead],
  [Role.DicomNode]: [StudyRead, StudyWrite, WorklistRead, ProcedureWrite],
};

/** Every role name. */
export const ROLES: readonly RoleValue[] = Object.values(Role);

/**
 * The roles a person's account may hold: all but `dicom-node`, which is what a remote AE acts as (study
 * read and write without a person's scope or `self`), never a user's.
 */
export const PERSON_ROLES: readonly RoleValue[] = ROLES.filter((role) => role !== Role.DicomNode);

/** True when `name` is a role a person's account may hold ({@link PERSON_ROLES}). */
export function isPersonRole(name: string): name is RoleValue {
  return (PERSON_ROLES as readonly string[]).includes(name);
}

/** True when `name` is a known role. */
export function isRole(name: string): name is RoleValue {
  return (ROLES as readonly string[]).includes(name);
}

/** True when any of the roles grants the permission. */
export function rolesGrant(roles: readonly string[], permission: PermissionValue): boolean {
  if (permission === Permission.Public) return true;
  return roles.some((role) => (isRole(role) ? ROLE_PERMISSIONS[role].includes(permission) : false));
}

/** The permissions the roles grant together. */
export function permissionsOf(roles: readonly string[]): PermissionValue[] {
  return [...new Set(roles.flatMap((role) => (isRole(role) ? ROLE_PERMISSIONS[role] : [])))];
}

/**
 * True when the actor may do what the permission covers: one of its roles grants it and, for an API
 * token limited to some permissions, the token's scope includes it.
 */
export function actorMay(
  actor: { roles: readonly string[]; permissions?: readonly PermissionValue[] },
  permission: PermissionValue,
): boolean {
  if (!rolesGrant(actor.roles, permission)) return false;
  return (
    permission === Permission.Public ||
    actor.permissions === undefined ||
    actor.permissions.includes(permission)
  );
}

/**
 * The permission table (DESIGN §2): every route and DIMSE service declares one of these; a route without
 * one is refused at registration. Roles map to permissions here and nowhere else.
 */
export const Permission = {
  /** No authentication: only the health check and the login page's static assets. */
  Public: 'public',
  /** Query and retrieve studies (QIDO, WADO, C-FIND, C-MOVE, C-GET). */
  StudyRead: 'study:read',
  /** Store instances (STOW, C-STORE, import). */
  StudyWrite: 'study:write',
  /** Users, configuration, remote nodes. */
  Administer: 'admin',
} as const;

/** One of {@link Permission}. */
export type PermissionValue = (typeof Permission)[keyof typeof Permission];

/** Roles (the security issue adds radiologist, technologist, referring physician, …). */
export const Role = {
  Admin: 'admin',
  /** A remote DICOM application entity; the DIMSE access policy decides what each node may do. */
  DicomNode: 'dicom-node',
} as const;

const ROLE_PERMISSIONS: Readonly<Record<string, readonly PermissionValue[]>> = {
  [Role.Admin]: [Permission.StudyRead, Permission.StudyWrite, Permission.Administer],
  [Role.DicomNode]: [Permission.StudyRead, Permission.StudyWrite],
};

/** True when any of the roles grants the permission. */
export function rolesGrant(roles: readonly string[], permission: PermissionValue): boolean {
  if (permission === Permission.Public) return true;
  return roles.some((role) => ROLE_PERMISSIONS[role]?.includes(permission) ?? false);
}

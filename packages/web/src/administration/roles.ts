/**
 * The roles a person's account may hold (PERSON_ROLES in security/permissions.ts on the server): all but
 * `dicom-node`, which is what remote AEs act as.
 */
export const ROLES = [
  'admin',
  'radiologist',
  'technologist',
  'referring-physician',
  'scheduler',
  'data-scientist',
  'security-officer',
];

/** The roles of Lightbox (security/permissions.ts on the server). */
export const ROLES = [
  'admin',
  'radiologist',
  'technologist',
  'referring-physician',
  'scheduler',
  'data-scientist',
  'security-officer',
  'dicom-node',
];

/**
 * The attributes a study search can be sorted by (Lightbox's `orderby` extension of QIDO-RS, after
 * dcm4chee-arc): the columns of a study list. Each has a column of its own in the index, so that the
 * sort never reads the stored DICOM JSON.
 */
export const STUDY_ORDER_ATTRIBUTES = [
  'StudyDate',
  'StudyTime',
  'PatientName',
  'PatientID',
  'PatientBirthDate',
  'AccessionNumber',
  'StudyID',
  'StudyDescription',
  'ReferringPhysicianName',
  'ModalitiesInStudy',
  'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances',
] as const;

/** One of {@link STUDY_ORDER_ATTRIBUTES}, by keyword. */
export type StudyOrderAttribute = (typeof STUDY_ORDER_ATTRIBUTES)[number];

/** One key of a study search's order: an attribute, ascending or descending. */
export interface StudyOrderKey {
  attribute: StudyOrderAttribute;
  descending: boolean;
}

/** True when a study search can be sorted by the attribute of this keyword. */
export function isStudyOrderAttribute(keyword: string): keyword is StudyOrderAttribute {
  return (STUDY_ORDER_ATTRIBUTES as readonly string[]).includes(keyword);
}

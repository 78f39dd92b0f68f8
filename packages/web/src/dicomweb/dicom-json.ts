/** A DICOM JSON data set (PS3.18 F.2): attributes keyed by 8-digit tag. */
export type DicomJson = Record<string, DicomJsonAttribute | undefined>;

/** One attribute of a DICOM JSON data set. */
export interface DicomJsonAttribute {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

/** Tags the web app reads, as DICOM JSON keys. */
export const JsonTag = {
  SpecificCharacterSet: '00080005',
  StudyDate: '00080020',
  StudyTime: '00080030',
  SeriesDate: '00080021',
  AccessionNumber: '00080050',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  ReferringPhysicianName: '00080090',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  InstitutionName: '00080080',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  PatientName: '00100010',
  PatientID: '00100020',
  IssuerOfPatientID: '00100021',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  BodyPartExamined: '00180015',
  SliceThickness: '00180050',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  StudyID: '00200010',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  ImagePositionPatient: '00200032',
  ImageOrientationPatient: '00200037',
  FrameOfReferenceUID: '00200052',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  SamplesPerPixel: '00280002',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
  PixelSpacing: '00280030',
  BitsAllocated: '00280100',
  WindowCenter: '00281050',
  WindowWidth: '00281051',
  RescaleIntercept: '00281052',
  RescaleSlope: '00281053',
} as const;

/** The first value of an attribute as text ('' when absent); person names give their Alphabetic form. */
export function textOf(data: DicomJson, tag: string): string {
  const value = data[tag]?.Value?.[0];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && 'Alphabetic' in value)
    return String((value as { Alphabetic?: string }).Alphabetic ?? '');
  return String(value);
}

/** Every value of an attribute as text. */
export function textsOf(data: DicomJson, tag: string): string[] {
  return (data[tag]?.Value ?? []).map((value) =>
    typeof value === 'object' && value !== null && 'Alphabetic' in value
      ? String((value as { Alphabetic?: string }).Alphabetic ?? '')
      : String(value),
  );
}

/** The first value of a numeric attribute, or undefined. */
export function numberOf(data: DicomJson, tag: string): number | undefined {
  const value = data[tag]?.Value?.[0];
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Every value of a numeric attribute (e.g. Image Position (Patient)), or undefined when any is missing. */
export function numbersOf(data: DicomJson, tag: string): number[] | undefined {
  const values = data[tag]?.Value;
  if (values === undefined || values.length === 0) return undefined;
  const numbers = values.map((value) => Number(value));
  return numbers.every(Number.isFinite) ? numbers : undefined;
}

/** The bytes of a value given inline (InlineBinary: base64, PS3.18 F.2.7). */
export function inlineBinaryBytes(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** A person name for display: `Family, Given Middle` (PS3.5 6.2.1 component order). */
export function displayPersonName(name: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = name.split('^');
  const rest = [prefix, given, middle].filter(Boolean).join(' ');
  const full = [family, rest].filter(Boolean).join(', ');
  return suffix ? `${full} ${suffix}` : full;
}

/** A DICOM date (YYYYMMDD) for display as YYYY-MM-DD; anything else is shown as it is. */
export function displayDate(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : date;
}

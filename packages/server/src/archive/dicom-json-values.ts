import type { DicomJsonAttribute, Vr } from '@lightbox/dicom';

/** The values of a DICOM JSON attribute as text (PN: its alphabetic group). */
export function elementTexts(element: DicomJsonAttribute | undefined): string[] {
  return (element?.Value ?? []).map((value) => {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (value !== null && typeof value === 'object' && 'Alphabetic' in value)
      return String(value.Alphabetic ?? '');
    return '';
  });
}

/** A single-valued DICOM JSON attribute from text (PN as its alphabetic group); empty when there is none. */
export function textAttribute(vr: Vr, value: string | null | undefined): DicomJsonAttribute {
  if (value === null || value === undefined || value === '') return { vr };
  return vr === 'PN' ? { vr, Value: [{ Alphabetic: value }] } : { vr, Value: [value] };
}

import { stringifyDicomJson, type DicomJson, type DicomJsonAttribute } from '@lightbox/dicom';
import { elementTexts } from './dicom-json-values.js';

/** Patient attributes that ADT updates, merges and reconciliation correct. */
const PATIENT_KEYS = ['00100010', '00100020', '00100021', '00100030', '00100040'] as const;
const ACCESSION_NUMBER = '00080050';
const ORIGINAL_ATTRIBUTES_SEQUENCE = '04000561';

function sameValue(a: DicomJsonAttribute | undefined, b: DicomJsonAttribute | undefined): boolean {
  return elementTexts(a).join('\\') === elementTexts(b).join('\\');
}

function dateTimeNow(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.(\d{3})Z$/, '.$1000+0000');
}

/**
 * Metadata as it leaves the archive: "what came in is kept; what goes out is the current truth" (DESIGN
 * §2). Where the index now holds other patient attributes or another accession number than an instance
 * was stored with (ADT update, merge, reconciliation), the current values are given and the replaced ones
 * are kept in Original Attributes Sequence (PS3.3 C.12.1.1.9, reason CORRECT). Unchanged studies are
 * returned as they are, without parsing.
 */
export function withCurrentValues(
  texts: readonly string[],
  current: { patientAttributes: string; accessionNumber: string | null } | undefined,
  now = new Date(),
): string[] {
  if (current === undefined || texts.length === 0) return [...texts];
  const patient = JSON.parse(current.patientAttributes) as DicomJson;
  const wanted: DicomJson = {};
  for (const key of PATIENT_KEYS) if (patient[key] !== undefined) wanted[key] = patient[key];
  wanted[ACCESSION_NUMBER] =
    current.accessionNumber === null ? { vr: 'SH' } : { vr: 'SH', Value: [current.accessionNumber] };
  const differs = (json: DicomJson) => Object.keys(wanted).some((key) => !sameValue(json[key], wanted[key]));
  // Metadata is written by stringifyDicomJson: an element with the current value appears verbatim.
  const verbatim = Object.entries(wanted).map(([key, value]) =>
    value.Value === undefined ? undefined : stringifyDicomJson({ [key]: value }).slice(1, -1),
  );
  return texts.map((text) => {
    if (verbatim.every((element) => element !== undefined && text.includes(element))) return text;
    const json = JSON.parse(text) as DicomJson;
    if (!differs(json)) return text;
    const replaced: DicomJson = {};
    for (const [key, value] of Object.entries(wanted)) {
      if (sameValue(json[key], value)) continue;
      replaced[key] = json[key] ?? { vr: value.vr };
      json[key] = value;
    }
    const previous = (json[ORIGINAL_ATTRIBUTES_SEQUENCE]?.Value ?? []) as DicomJson[];
    json[ORIGINAL_ATTRIBUTES_SEQUENCE] = {
      vr: 'SQ',
      Value: [
        ...previous,
        {
          '04000550': { vr: 'SQ', Value: [replaced] },
          '04000562': { vr: 'DT', Value: [dateTimeNow(now)] },
          '04000563': { vr: 'LO', Value: ['LIGHTBOX'] },
          '04000565': { vr: 'CS', Value: ['CORRECT'] },
        },
      ],
    };
    return stringifyDicomJson(json);
  });
}

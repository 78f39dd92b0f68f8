import { stringifyDicomJson, type DicomJson, type DicomJsonAttribute } from '@lightbox/dicom';
import { elementTexts } from './dicom-json-values.js';

/** Patient attributes that ADT updates, merges and reconciliation correct. */
const PATIENT_KEYS = ['00100010', '00100020', '00100021', '00100030', '00100040'] as const;
const ACCESSION_NUMBER = '00080050';
const ORIGINAL_ATTRIBUTES_SEQUENCE = '04000561';

/** The index's current patient attributes (DICOM JSON text) and accession number of a study. */
export interface CurrentStudyValues {
  patientAttributes: string;
  accessionNumber: string | null;
}

/**
 * What an instance leaves the archive with instead of what it was stored with (ADT update, merge,
 * reconciliation): the current values, the ones they replace, and when.
 */
export interface InstanceCorrection {
  /** The current values, as DICOM JSON attributes. */
  current: DicomJson;
  /** The values the instance was stored with, for Original Attributes Sequence (absent ones empty). */
  replaced: DicomJson;
  at: Date;
}

function sameValue(a: DicomJsonAttribute | undefined, b: DicomJsonAttribute | undefined): boolean {
  return elementTexts(a).join('\\') === elementTexts(b).join('\\');
}

/** A DICOM DT of a moment, in UTC. */
export function dicomDateTime(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.(\d{3})Z$/, '.$1000+0000');
}

/**
 * "What came in is kept; what goes out is the current truth" (DESIGN §2), for one study: which of its
 * instances were stored with other patient attributes or another accession number than the index now
 * holds, and what they leave the archive with (PS3.3 C.12.1.1.9: Original Attributes Sequence, reason
 * CORRECT; IHE PIR: retrieved objects carry the updated patient information).
 */
export class CurrentValues {
  private readonly wanted: DicomJson = {};
  /** Each wanted element as stringifyDicomJson writes it: an instance holding all of them is current. */
  private readonly verbatim: (string | undefined)[];

  constructor(
    current: CurrentStudyValues,
    private readonly now = new Date(),
  ) {
    const patient = JSON.parse(current.patientAttributes) as DicomJson;
    for (const key of PATIENT_KEYS) if (patient[key] !== undefined) this.wanted[key] = patient[key];
    this.wanted[ACCESSION_NUMBER] =
      current.accessionNumber === null ? { vr: 'SH' } : { vr: 'SH', Value: [current.accessionNumber] };
    this.verbatim = Object.entries(this.wanted).map(([key, value]) =>
      value.Value === undefined ? undefined : stringifyDicomJson({ [key]: value }).slice(1, -1),
    );
  }

  /** The correction an instance needs, from its stored metadata; undefined when it is current. */
  correctionOf(metadata: string | DicomJson): InstanceCorrection | undefined {
    if (typeof metadata === 'string' && this.verbatim.every((e) => e !== undefined && metadata.includes(e)))
      return undefined;
    const json = typeof metadata === 'string' ? (JSON.parse(metadata) as DicomJson) : metadata;
    const current: DicomJson = {};
    const replaced: DicomJson = {};
    for (const [key, value] of Object.entries(this.wanted)) {
      if (sameValue(json[key], value)) continue;
      current[key] = value;
      replaced[key] = json[key] ?? { vr: value.vr };
    }
    return Object.keys(current).length === 0 ? undefined : { current, replaced, at: this.now };
  }

  /** Metadata as it leaves the archive; unchanged texts are returned as they are, without parsing. */
  metadataOut(text: string): string {
    const correction = this.correctionOf(text);
    if (correction === undefined) return text;
    const json = JSON.parse(text) as DicomJson;
    Object.assign(json, correction.current);
    const previous = (json[ORIGINAL_ATTRIBUTES_SEQUENCE]?.Value ?? []) as DicomJson[];
    json[ORIGINAL_ATTRIBUTES_SEQUENCE] = {
      vr: 'SQ',
      Value: [
        ...previous,
        {
          '04000550': { vr: 'SQ', Value: [correction.replaced] },
          '04000562': { vr: 'DT', Value: [dicomDateTime(correction.at)] },
          '04000563': { vr: 'LO', Value: ['LIGHTBOX'] },
          '04000565': { vr: 'CS', Value: ['CORRECT'] },
        },
      ],
    };
    return stringifyDicomJson(json);
  }
}

/** Metadata texts as they leave the archive (see {@link CurrentValues}). */
export function withCurrentValues(
  texts: readonly string[],
  current: CurrentStudyValues | undefined,
  now = new Date(),
): string[] {
  if (current === undefined || texts.length === 0) return [...texts];
  const values = new CurrentValues(current, now);
  return texts.map((text) => values.metadataOut(text));
}

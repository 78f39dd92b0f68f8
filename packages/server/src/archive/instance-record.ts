import {
  frameRanges,
  getNumber,
  getString,
  getStrings,
  isStorableUid,
  stringifyDicomJson,
  tagToHex,
  Tag,
  toDicomJson,
  type DataElement,
  type DataSet,
  type DicomJson,
  type ElementPath,
  type Part10Object,
} from '@lightbox/dicom';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { FrameIndex, PixelDescription } from './frame-index.js';
import { PATIENT_LEVEL_TAGS, SERIES_LEVEL_TAGS, STUDY_LEVEL_TAGS } from './level-attributes.js';
import { normalizeDate, normalizeTime } from './matching/date-time-values.js';
import { fuzzyNameKeys, normalizeAlphabeticName } from './matching/person-name-search.js';
import { referringProviderKeys, type ProviderKey } from './referring-providers.js';
import { patientKeyOf } from '../patients/patient-demographics.js';

/** VOI LUT Sequence (0028,3010): noted so that rendering reads the header only when there is one. */
const VOI_LUT_SEQUENCE = 0x00283010;
/** What the index stores about one instance, extracted once at ingest. */
export interface InstanceRecord {
  patient: {
    key: string;
    patientId: string;
    issuer: string;
    name: string | null;
    nameSearch: string | null;
    nameFuzzy: string | null;
    birthDate: string | null;
    sex: string | null;
    attributes: string;
  };
  study: {
    uid: string;
    date: string | null;
    time: string | null;
    accessionNumber: string | null;
    studyId: string | null;
    description: string | null;
    referringPhysicianName: string | null;
    referringPhysicianNameSearch: string | null;
    referringPhysicianNameFuzzy: string | null;
    /** Keys of the referring provider (study-level access), from the first instance like the rest. */
    referringProviderKeys: ProviderKey[];
    attributes: string;
  };
  series: {
    uid: string;
    modality: string | null;
    number: number | null;
    description: string | null;
    ppsStartDate: string | null;
    ppsStartTime: string | null;
    bodyPartExamined: string | null;
    attributes: string;
  };
  instance: {
    sopInstanceUid: string;
    sopClassUid: string;
    number: number | null;
    rows: number | null;
    columns: number | null;
    bitsAllocated: number | null;
    numberOfFrames: number | null;
    transferSyntaxUid: string;
    /** Full DICOM JSON, BulkDataURIs relative to the DICOMweb root. */
    metadata: string;
    /** The same metadata as an object, for the index to read values from without parsing the text. */
    metadataJson: DicomJson;
    frameIndex: string | null;
  };
  blob: { key: string; size: number; sha256: string };
}

/** Binary values up to this size are inlined in metadata; larger ones become BulkDataURIs. */
const INLINE_BINARY_LIMIT = 1024;
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
/** The most frames an instance's frame index holds (whole-slide images stay well below). */
const MAX_INDEXED_FRAMES = 500_000;

function requiredUid(dataSet: DataSet, tag: number, keyword: string): string {
  const uid = getString(dataSet, tag);
  if (uid === undefined)
    throw new AppError(ErrorCode.DataSetMismatch, `${keyword} (${tagToHex(tag)}) is missing`);
  if (!isStorableUid(uid))
    throw new AppError(ErrorCode.DataSetMismatch, `${keyword} (${tagToHex(tag)}) is not a valid UID`);
  return uid;
}

function text(dataSet: DataSet, tag: number): string | null {
  return getString(dataSet, tag) ?? null;
}

function integer(dataSet: DataSet, tag: number): number | null {
  const value = getNumber(dataSet, tag);
  return value === undefined || !Number.isFinite(value) ? null : Math.trunc(value);
}

/** The relative BulkDataURI of an element: `studies/…/instances/…/bulkdata/<tag>[/<item>/<tag>…]`. */
export function bulkDataPath(
  studyUid: string,
  seriesUid: string,
  sopInstanceUid: string,
  path: ElementPath,
): string {
  const parts = path.map((p, i) => (i % 2 === 0 ? tagToHex(p) : String(p)));
  return `studies/${studyUid}/series/${seriesUid}/instances/${sopInstanceUid}/bulkdata/${parts.join('/')}`;
}

function levelJson(json: DicomJson, tags: ReadonlySet<number>): string {
  const out: DicomJson = {};
  for (const [key, value] of Object.entries(json)) {
    if (tags.has(Number.parseInt(key, 16))) out[key] = value;
  }
  return stringifyDicomJson(out);
}

/**
 * Where each frame of a stored object lies and how its pixels are described: what single frames are
 * served from without parsing the object again. Computed at ingest, and again by `lightbox reindex` for
 * objects an older version indexed differently.
 */
export function frameIndexOf(object: Part10Object): FrameIndex | undefined {
  const ds = object.dataSet;
  // A frame index is kept for up to MAX_INDEXED_FRAMES frames: a tiny object claiming millions of frames
  // must not make ingest build millions of entries. Larger objects are served by parsing them.
  const frameCount = getNumber(ds, Tag.NumberOfFrames) ?? 1;
  const fragments = ds.get(Tag.PixelData)?.encapsulated?.fragments.length ?? 0;
  const indexable = frameCount <= MAX_INDEXED_FRAMES && fragments <= MAX_INDEXED_FRAMES;
  const ranges = indexable ? frameRanges(ds, object.transferSyntaxUid) : undefined;
  const pixel: PixelDescription = {
    rows: integer(ds, Tag.Rows) ?? 0,
    columns: integer(ds, Tag.Columns) ?? 0,
    samplesPerPixel: integer(ds, Tag.SamplesPerPixel) ?? 1,
    bitsAllocated: integer(ds, Tag.BitsAllocated) ?? 16,
    bitsStored: integer(ds, Tag.BitsStored) ?? integer(ds, Tag.BitsAllocated) ?? 16,
    pixelRepresentation: integer(ds, Tag.PixelRepresentation) ?? 0,
    photometricInterpretation: text(ds, Tag.PhotometricInterpretation) ?? 'MONOCHROME2',
    planarConfiguration: integer(ds, Tag.PlanarConfiguration) ?? 0,
    rescaleSlope: getNumber(ds, Tag.RescaleSlope) ?? 1,
    rescaleIntercept: getNumber(ds, Tag.RescaleIntercept) ?? 0,
  };
  if (ds.get(VOI_LUT_SEQUENCE)?.items?.length) pixel.voiLut = true;
  const windowCenter = getNumber(ds, Tag.WindowCenter);
  const windowWidth = getNumber(ds, Tag.WindowWidth);
  if (windowCenter !== undefined && windowWidth !== undefined && windowWidth > 0) {
    pixel.window = {
      center: windowCenter,
      width: windowWidth,
      function: text(ds, Tag.VOILUTFunction) ?? 'LINEAR',
    };
  }
  return ranges === undefined
    ? undefined
    : {
        encapsulated: ranges.encapsulated,
        // A deflated object's offsets are positions in the inflated stream, not in the stored bytes.
        frames: ranges.frames.map((f) => (object.deflated ? [] : f.map((r) => [r.offset, r.length]))),
        pixel,
      };
}

/**
 * Extracts the index record of a parsed instance: identifiers (validated), the matching columns of each
 * level, the full DICOM JSON metadata (served by WADO-RS /metadata without re-reading the object) and
 * the byte ranges of its frames.
 */
export function instanceRecord(object: Part10Object, blob: InstanceRecord['blob']): InstanceRecord {
  const ds = object.dataSet;
  const sopInstanceUid = requiredUid(ds, Tag.SOPInstanceUID, 'SOPInstanceUID');
  const sopClassUid = requiredUid(ds, Tag.SOPClassUID, 'SOPClassUID');
  const studyUid = requiredUid(ds, Tag.StudyInstanceUID, 'StudyInstanceUID');
  const seriesUid = requiredUid(ds, Tag.SeriesInstanceUID, 'SeriesInstanceUID');

  const json = toDicomJson(ds, {
    bulkDataUri: (path: ElementPath, element: DataElement) => {
      const large = element.bytes === undefined || element.bytes.length > INLINE_BINARY_LIMIT;
      const binary = BINARY_VRS.has(element.vr) || element.encapsulated !== undefined;
      return (binary && large) || element.bytes === undefined
        ? bulkDataPath(studyUid, seriesUid, sopInstanceUid, path)
        : undefined;
    },
  });
  // PS3.18 §10.4.1.1.3 lists AvailableTransferSyntaxUID among the attributes metadata may carry.
  json['00083002'] = { vr: 'UI', Value: [object.transferSyntaxUid] };

  const patientId = getString(ds, Tag.PatientID) ?? '';
  const issuer = getString(ds, Tag.IssuerOfPatientID) ?? '';
  // Patients are identified by PatientID + IssuerOfPatientID. An empty PatientID identifies nobody: each
  // such study gets a patient record of its own rather than being merged with other unidentified studies.
  const patientKey = patientId === '' ? `study:${studyUid}` : patientKeyOf(patientId, issuer);
  const patientName = getStrings(ds, Tag.PatientName)[0] ?? null;
  const referring = getStrings(ds, Tag.ReferringPhysicianName)[0] ?? null;
  const dateOf = (tag: number) => {
    const value = getString(ds, tag);
    return value === undefined ? null : (normalizeDate(value) ?? null);
  };
  const timeOf = (tag: number) => {
    const value = getString(ds, tag);
    return value === undefined ? null : (normalizeTime(value) ?? null);
  };
  const frameIndex = frameIndexOf(object);

  return {
    patient: {
      key: patientKey,
      patientId,
      issuer,
      name: patientName || null,
      nameSearch: patientName ? normalizeAlphabeticName(patientName) : null,
      nameFuzzy: patientName ? fuzzyNameKeys(patientName) : null,
      birthDate: dateOf(Tag.PatientBirthDate),
      sex: text(ds, Tag.PatientSex),
      attributes: levelJson(json, PATIENT_LEVEL_TAGS),
    },
    study: {
      uid: studyUid,
      date: dateOf(Tag.StudyDate),
      time: timeOf(Tag.StudyTime),
      accessionNumber: text(ds, Tag.AccessionNumber),
      studyId: text(ds, Tag.StudyID),
      description: text(ds, Tag.StudyDescription),
      referringPhysicianName: referring || null,
      referringPhysicianNameSearch: referring ? normalizeAlphabeticName(referring) : null,
      referringPhysicianNameFuzzy: referring ? fuzzyNameKeys(referring) : null,
      referringProviderKeys: referringProviderKeys(json),
      attributes: levelJson(json, STUDY_LEVEL_TAGS),
    },
    series: {
      uid: seriesUid,
      modality: text(ds, Tag.Modality),
      number: integer(ds, Tag.SeriesNumber),
      description: text(ds, Tag.SeriesDescription),
      ppsStartDate: dateOf(Tag.PerformedProcedureStepStartDate),
      ppsStartTime: timeOf(Tag.PerformedProcedureStepStartTime),
      bodyPartExamined: text(ds, Tag.BodyPartExamined),
      attributes: levelJson(json, SERIES_LEVEL_TAGS),
    },
    instance: {
      sopInstanceUid,
      sopClassUid,
      number: integer(ds, Tag.InstanceNumber),
      rows: integer(ds, Tag.Rows),
      columns: integer(ds, Tag.Columns),
      bitsAllocated: integer(ds, Tag.BitsAllocated),
      numberOfFrames: integer(ds, Tag.NumberOfFrames),
      transferSyntaxUid: object.transferSyntaxUid,
      metadata: stringifyDicomJson(json),
      metadataJson: json,
      frameIndex: frameIndex === undefined ? null : JSON.stringify(frameIndex),
    },
    blob,
  };
}

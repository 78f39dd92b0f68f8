import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildFileMeta,
  DataSet,
  encodedLength,
  encodeText,
  Tag,
  TransferSyntaxUid,
  UNDEFINED_LENGTH,
  writePart10,
  type DataElement,
  type Part10Object,
  type Vr,
} from '@lightbox/dicom';

/** SOP classes of the synthetic images, by modality (PS3.4 Annex B.5). */
export const SOP_CLASS_BY_MODALITY: Readonly<Record<string, string>> = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  CR: '1.2.840.10008.5.1.4.1.1.1',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
  MG: '1.2.840.10008.5.1.4.1.1.1.2',
  US: '1.2.840.10008.5.1.4.1.1.6.1',
  PT: '1.2.840.10008.5.1.4.1.1.128',
};

/** Private creator and element of the synthetic objects: what a "private/any attribute" query matches. */
export const PRIVATE_CREATOR = 'LIGHTBOX BENCH';
/** (0009,1001): a site code in the private block reserved by {@link PRIVATE_CREATOR}. */
export const PRIVATE_SITE_TAG = 0x00091001;

/** The attributes of one synthetic image; everything else is fixed CT-like content. */
export interface SyntheticImageAttributes {
  patientId: string;
  patientName: string;
  issuerOfPatientId?: string;
  patientBirthDate: string;
  patientSex: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
  studyId: string;
  studyDescription: string;
  referringPhysicianName: string;
  modality: string;
  seriesNumber: number;
  seriesDescription: string;
  bodyPartExamined: string;
  institutionName: string;
  siteCode: string;
  instanceNumber: number;
  rows: number;
  columns: number;
}

function text(tag: number, vr: Vr, value: string): DataElement {
  const bytes = encodeText(value, ['ISO_IR 100'], vr);
  return { tag, vr, length: bytes.length, offset: -1, bytes };
}

function us(tag: number, value: number): DataElement {
  return { tag, vr: 'US', length: 2, offset: -1, bytes: Uint8Array.of(value & 0xff, value >> 8) };
}

/**
 * The data set of a synthetic image without its Pixel Data: a realistic CT-like header (about 70
 * attributes: patient, study, series, equipment, acquisition, image plane and pixel modules, a private
 * block), little endian.
 */
export function syntheticHeader(a: SyntheticImageAttributes): DataSet {
  const ds = new DataSet(true);
  const z = (a.instanceNumber * 1.25 - 200).toFixed(2);
  const elements: DataElement[] = [
    text(Tag.SpecificCharacterSet, 'CS', 'ISO_IR 100'),
    text(Tag.ImageType, 'CS', 'ORIGINAL\\PRIMARY\\AXIAL'),
    text(Tag.SOPClassUID, 'UI', SOP_CLASS_BY_MODALITY[a.modality] ?? SOP_CLASS_BY_MODALITY.CT!),
    text(Tag.SOPInstanceUID, 'UI', a.sopUid),
    text(Tag.StudyDate, 'DA', a.studyDate),
    text(Tag.SeriesDate, 'DA', a.studyDate),
    text(Tag.AcquisitionDate, 'DA', a.studyDate),
    text(Tag.ContentDate, 'DA', a.studyDate),
    text(Tag.StudyTime, 'TM', a.studyTime),
    text(Tag.SeriesTime, 'TM', a.studyTime),
    text(Tag.AcquisitionTime, 'TM', a.studyTime),
    text(Tag.ContentTime, 'TM', a.studyTime),
    text(Tag.AccessionNumber, 'SH', a.accessionNumber),
    text(Tag.Modality, 'CS', a.modality),
    text(Tag.Manufacturer, 'LO', 'Lightbox Bench Medical'),
    text(Tag.InstitutionName, 'LO', a.institutionName),
    text(Tag.ReferringPhysicianName, 'PN', a.referringPhysicianName),
    text(Tag.StationName, 'SH', 'BENCH01'),
    text(Tag.StudyDescription, 'LO', a.studyDescription),
    text(Tag.SeriesDescription, 'LO', a.seriesDescription),
    text(Tag.ManufacturerModelName, 'LO', 'Synthetic 64'),
    text(0x00090010, 'LO', PRIVATE_CREATOR),
    text(PRIVATE_SITE_TAG, 'LO', a.siteCode),
    text(Tag.PatientName, 'PN', a.patientName),
    text(Tag.PatientID, 'LO', a.patientId),
    text(Tag.PatientBirthDate, 'DA', a.patientBirthDate),
    text(Tag.PatientSex, 'CS', a.patientSex),
    text(Tag.BodyPartExamined, 'CS', a.bodyPartExamined),
    text(Tag.SliceThickness, 'DS', '1.25'),
    text(Tag.KVP, 'DS', '120'),
    text(Tag.DataCollectionDiameter, 'DS', '500'),
    text(Tag.SoftwareVersions, 'LO', 'bench-1.0'),
    text(Tag.ReconstructionDiameter, 'DS', '360'),
    text(Tag.GantryDetectorTilt, 'DS', '0'),
    text(Tag.TableHeight, 'DS', '160'),
    text(Tag.RotationDirection, 'CS', 'CW'),
    text(Tag.ExposureTime, 'IS', '500'),
    text(Tag.XRayTubeCurrent, 'IS', '250'),
    text(Tag.Exposure, 'IS', '125'),
    text(Tag.ConvolutionKernel, 'SH', 'STANDARD'),
    text(Tag.PatientPosition, 'CS', 'HFS'),
    text(Tag.StudyInstanceUID, 'UI', a.studyUid),
    text(Tag.SeriesInstanceUID, 'UI', a.seriesUid),
    text(Tag.StudyID, 'SH', a.studyId),
    text(Tag.SeriesNumber, 'IS', String(a.seriesNumber)),
    text(Tag.AcquisitionNumber, 'IS', '1'),
    text(Tag.InstanceNumber, 'IS', String(a.instanceNumber)),
    text(Tag.ImagePositionPatient, 'DS', `-180\\-180\\${z}`),
    text(Tag.ImageOrientationPatient, 'DS', '1\\0\\0\\0\\1\\0'),
    text(Tag.FrameOfReferenceUID, 'UI', `${a.seriesUid.slice(0, 60)}.1`),
    text(Tag.PositionReferenceIndicator, 'LO', 'SN'),
    text(Tag.SliceLocation, 'DS', z),
    us(Tag.SamplesPerPixel, 1),
    text(Tag.PhotometricInterpretation, 'CS', 'MONOCHROME2'),
    us(Tag.Rows, a.rows),
    us(Tag.Columns, a.columns),
    text(Tag.PixelSpacing, 'DS', '0.703125\\0.703125'),
    us(Tag.BitsAllocated, 16),
    us(Tag.BitsStored, 12),
    us(Tag.HighBit, 11),
    us(Tag.PixelRepresentation, 0),
    text(Tag.WindowCenter, 'DS', '40'),
    text(Tag.WindowWidth, 'DS', '400'),
    text(Tag.RescaleIntercept, 'DS', '-1024'),
    text(Tag.RescaleSlope, 'DS', '1'),
    text(Tag.RescaleType, 'LO', 'HU'),
  ];
  if (a.issuerOfPatientId !== undefined)
    elements.push(text(Tag.IssuerOfPatientID, 'LO', a.issuerOfPatientId));
  for (const element of elements) ds.set(element);
  return ds;
}

/** A synthetic image as a Part 10 object in memory, with its pixel data (native or one encapsulated frame). */
export function syntheticPart10(
  attributes: SyntheticImageAttributes,
  pixels: Uint8Array,
  transferSyntaxUid: string = TransferSyntaxUid.ExplicitVRLittleEndian,
  encapsulated = false,
): Uint8Array {
  const ds = syntheticHeader(attributes);
  if (encapsulated) {
    ds.set({
      tag: Tag.PixelData,
      vr: 'OB',
      length: UNDEFINED_LENGTH,
      offset: -1,
      encapsulated: {
        basicOffsetTable: new Uint8Array(4),
        fragments: [{ offset: -1, length: pixels.length, bytes: pixels }],
      },
    });
  } else {
    ds.set({ tag: Tag.PixelData, vr: 'OW', length: pixels.length, offset: -1, bytes: pixels });
  }
  return writePart10(ds, { transferSyntaxUid });
}

/**
 * A synthetic image as `readPart10` hands it to `instanceRecord` after an uncompressed ingest: the header
 * in memory, Pixel Data left in the source with its offset, computed from the encoded lengths of what
 * precedes it in an Explicit VR Little Endian file.
 */
export function syntheticParsedObject(attributes: SyntheticImageAttributes): Part10Object {
  const transferSyntaxUid = TransferSyntaxUid.ExplicitVRLittleEndian;
  const dataSet = syntheticHeader(attributes);
  const meta = buildFileMeta(dataSet, transferSyntaxUid);
  const explicit = { explicitVr: true, littleEndian: true };
  const dataSetOffset = 132 + encodedLength(meta, explicit);
  const pixelLength = attributes.rows * attributes.columns * 2;
  const pixelOffset = dataSetOffset + encodedLength(dataSet, explicit) + 12;
  dataSet.set({ tag: Tag.PixelData, vr: 'OW', length: pixelLength, offset: pixelOffset });
  return {
    meta,
    dataSet,
    transferSyntaxUid,
    hasPreamble: true,
    dataSetOffset,
    deflated: false,
    stoppedAt: undefined,
  };
}

/** A small deterministic pseudo-random generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 16-bit CT-like slice (12 bits stored, little endian): air around an elliptic body of soft tissue
 * with a bony ring and two organs, plus noise, so that a lossless codec sees realistic entropy.
 */
export function syntheticCtPixels(rows: number, columns: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  const out = new Uint8Array(rows * columns * 2);
  const view = new DataView(out.buffer);
  const cy = rows / 2;
  const cx = columns / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const dy = (r - cy) / (rows * 0.36);
      const dx = (c - cx) / (columns * 0.44);
      const d = Math.sqrt(dx * dx + dy * dy);
      let hu = -1000;
      if (d < 1) hu = 40;
      if (d > 0.9 && d < 1) hu = 700;
      const o1 = Math.hypot((r - cy * 0.8) / (rows * 0.12), (c - cx * 0.7) / (columns * 0.1));
      if (o1 < 1) hu = 60;
      const o2 = Math.hypot((r - cy * 1.1) / (rows * 0.08), (c - cx * 1.3) / (columns * 0.09));
      if (o2 < 1) hu = -500;
      const noise = d < 1 ? (random() + random() + random() - 1.5) * 30 : (random() - 0.5) * 4;
      const value = Math.max(0, Math.min(4095, Math.round(hu + 1024 + noise)));
      view.setUint16((r * columns + c) * 2, value, true);
    }
  }
  return out;
}

/**
 * Compresses a 16-bit little-endian frame losslessly to a JPEG 2000 codestream with Debian's
 * `opj_compress` (libopenjp2-tools), through a 16-bit PGM. Returns undefined when the tool is missing.
 */
export function jpeg2000Codestream(
  pixels: Uint8Array,
  rows: number,
  columns: number,
): Uint8Array | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'lightbox-bench-j2k-'));
  try {
    const header = Buffer.from(`P5\n${columns} ${rows}\n4095\n`, 'latin1');
    const body = Buffer.alloc(rows * columns * 2);
    for (let i = 0; i < rows * columns; i++)
      body.writeUInt16BE(pixels[2 * i]! | (pixels[2 * i + 1]! << 8), 2 * i);
    const pgm = path.join(dir, 'frame.pgm');
    const j2k = path.join(dir, 'frame.j2k');
    writeFileSync(pgm, Buffer.concat([header, body]));
    const run = spawnSync('opj_compress', ['-i', pgm, '-o', j2k], { encoding: 'utf8' });
    if (run.error !== undefined || run.status !== 0) return undefined;
    return new Uint8Array(readFileSync(j2k));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

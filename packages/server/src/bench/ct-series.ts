import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateUid } from '@lightbox/dicom';
import { syntheticPart10, type SyntheticImageAttributes } from './synthetic-ct.js';

/** A series of synthetic CT slices to store, with the UIDs needed to read it back. */
export interface SeriesPlan {
  studyUid: string;
  seriesUid: string;
  sopUids: string[];
}

/** A new study with one series of `instances` slices (fresh UIDs). */
export function seriesPlan(instances: number): SeriesPlan {
  return {
    studyUid: generateUid(),
    seriesUid: generateUid(),
    sopUids: Array.from({ length: instances }, () => generateUid()),
  };
}

/** The patient ID of the synthetic CTs labelled `label` (what a C-FIND or QIDO matches them by). */
export function ctPatientId(label: string): string {
  return `BENCH-${label}`;
}

/** The attributes of slice `k` of a planned series: a 512×512 chest CT of patient `BENCH-<label>`. */
export function ctAttributes(plan: SeriesPlan, k: number, label: string): SyntheticImageAttributes {
  return {
    patientId: ctPatientId(label),
    patientName: `BENCH^${label}`,
    patientBirthDate: '19700101',
    patientSex: 'O',
    studyUid: plan.studyUid,
    seriesUid: plan.seriesUid,
    sopUid: plan.sopUids[k]!,
    studyDate: '20240601',
    studyTime: '101500',
    accessionNumber: `BENCH${label}`.slice(0, 16),
    studyId: '1',
    studyDescription: 'CT CHEST bench',
    referringPhysicianName: 'REFERRER^BENCH',
    modality: 'CT',
    seriesNumber: 1,
    seriesDescription: 'Axial 1.25 mm',
    bodyPartExamined: 'CHEST',
    institutionName: 'Bench Hospital',
    siteCode: 'SITE00',
    instanceNumber: k + 1,
    rows: 512,
    columns: 512,
  };
}

/** A CT series written as Part 10 files, one per slice, in slice order. */
export interface CtSeriesFiles {
  plan: SeriesPlan;
  patientId: string;
  files: string[];
  /** Bytes of all the files together. */
  bytes: number;
}

/** Writes a new `instances`-slice CT series (Explicit VR Little Endian) to `dir`, one file per slice. */
export function writeCtSeriesFiles(
  dir: string,
  instances: number,
  pixels: Uint8Array,
  label: string,
): CtSeriesFiles {
  mkdirSync(dir, { recursive: true });
  const plan = seriesPlan(instances);
  const files: string[] = [];
  let bytes = 0;
  for (let k = 0; k < instances; k++) {
    const object = syntheticPart10(ctAttributes(plan, k, label), pixels);
    const file = path.join(dir, `${String(k + 1).padStart(5, '0')}.dcm`);
    writeFileSync(file, object);
    files.push(file);
    bytes += object.length;
  }
  return { plan, patientId: ctPatientId(label), files, bytes };
}

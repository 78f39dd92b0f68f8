import { createHash } from 'node:crypto';
import { Tag, type DicomJson } from '@lightbox/dicom';
import { instanceRecord, type InstanceRecord } from '../archive/instance-record.js';
import { fuzzyKeyList } from '../archive/matching/person-name-search.js';
import { attributeValueKeys } from '../index-store/attribute-values.js';
import { instanceRow, patientRow, seriesRow, studyRow } from '../index-store/instance-record-rows.js';
import { patientCount, seriesPerStudy, syntheticInstance, type ArchiveScale } from './synthetic-archive.js';
import { syntheticParsedObject } from './synthetic-ct.js';

/** Ingest times of the synthetic index: one instance per millisecond from this instant. */
const BASE_TIME_MS = Date.UTC(2024, 0, 1);

/** Rows of the index tables, by table, as column → value objects. */
export interface Rows {
  patient: Record<string, unknown>[];
  study: Record<string, unknown>[];
  series: Record<string, unknown>[];
  instance: Record<string, unknown>[];
  person_name_key: Record<string, unknown>[];
  study_access_key: Record<string, unknown>[];
  attribute_value: Record<string, unknown>[];
}

/** A blob description for an instance whose object is never stored (index-only benchmarks). */
export function fakeBlob(ordinal: number): InstanceRecord['blob'] {
  const hex = createHash('sha256').update(String(ordinal)).digest('hex');
  const day = new Date(BASE_TIME_MS).toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    key: `${day}/${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}.dcm`,
    size: 0,
    sha256: hex,
  };
}

/**
 * The rows that committing every instance of studies [from, to) one by one through
 * `KyselyIndexStore.commitInstance` would leave, computed set-wise: the same `instanceRecord` output per
 * instance, patients inserted on first sight, study and series attributes from their first instance,
 * counters and modality/SOP class sets as the commits would update them. Keys are assigned in
 * ingest order, as the autoincrement would.
 */
export function rowsOf(scale: ArchiveScale, from: number, to: number, timing: { micros: number }): Rows {
  const rows: Rows = {
    patient: [],
    study: [],
    series: [],
    instance: [],
    person_name_key: [],
    study_access_key: [],
    attribute_value: [],
  };
  // The phonetic keys of a new patient's or study's name, as KyselyIndexStore records them.
  const nameKeys = (tag: number, ownerPk: number, fuzzy: string | null) => {
    for (const key of fuzzyKeyList(fuzzy))
      rows.person_name_key.push({ tag, owner_pk: ownerPk, name_key: key });
  };
  const perStudySeries = seriesPerStudy(scale);
  for (let i = from; i < to; i++) {
    const studyPk = i + 1;
    const records: InstanceRecord[] = [];
    const started = performance.now();
    for (let k = 0; k < scale.instancesPerStudy; k++) {
      const ordinal = i * scale.instancesPerStudy + k;
      const object = syntheticParsedObject(syntheticInstance(scale, i, k));
      const blob = fakeBlob(ordinal);
      blob.size = object.dataSet.get(0x7fe00010)!.offset + object.dataSet.get(0x7fe00010)!.length;
      records.push(instanceRecord(object, blob));
    }
    timing.micros += (performance.now() - started) * 1000;
    const first = records[0]!;
    // Study i belongs to patient i mod P, so a patient is first seen in study i < P.
    const patientPk = (i % patientCount(scale)) + 1;
    const t0 = BASE_TIME_MS + i * scale.instancesPerStudy;
    if (i < patientCount(scale)) {
      rows.patient.push({ pk: patientPk, ...patientRow(first.patient, t0) });
      nameKeys(Tag.PatientName, patientPk, first.patient.nameFuzzy);
    }
    const modalities: string[] = [];
    const sopClasses: string[] = [];
    const seriesPks = new Map<string, number>();
    const seriesCounts = new Map<number, number>();
    // The attribute values the commits would record: distinct per study (attribute-values.ts).
    const values = new Set<string>();
    records.forEach((r, k) => {
      const creates = { study: k === 0, series: !seriesPks.has(r.series.uid) };
      for (const key of attributeValueKeys(JSON.parse(r.instance.metadata) as DicomJson, creates)) {
        const id = `${key.tag}\\${key.value}`;
        if (values.has(id)) continue;
        values.add(id);
        rows.attribute_value.push({ tag: key.tag, value: key.value, study_pk: studyPk });
      }
      if (r.series.modality !== null && !modalities.includes(r.series.modality))
        modalities.push(r.series.modality);
      if (!sopClasses.includes(r.instance.sopClassUid)) sopClasses.push(r.instance.sopClassUid);
      let seriesPk = seriesPks.get(r.series.uid);
      if (seriesPk === undefined) {
        seriesPk = i * perStudySeries + seriesPks.size + 1;
        seriesPks.set(r.series.uid, seriesPk);
        rows.series.push({ pk: seriesPk, ...seriesRow(r.series, studyPk, t0 + k) });
      }
      seriesCounts.set(seriesPk, (seriesCounts.get(seriesPk) ?? 0) + 1);
      rows.instance.push({
        pk: i * scale.instancesPerStudy + k + 1,
        ...instanceRow(r, seriesPk, studyPk, t0 + k),
      });
    });
    for (const row of rows.series) {
      const count = seriesCounts.get(row.pk as number);
      if (count !== undefined) {
        row.number_of_instances = count;
        row.updated_at = t0 + records.length - 1;
      }
    }
    const s = first.study;
    const set = (members: string[]) => (members.length === 0 ? '' : `\\${members.join('\\')}\\`);
    // The study as created, then as its instances' commits leave it.
    rows.study.push({
      pk: studyPk,
      ...studyRow(s, patientPk, t0),
      modalities_in_study: set(modalities),
      sop_classes_in_study: set(sopClasses),
      number_of_series: seriesPks.size,
      number_of_instances: records.length,
      updated_at: t0 + records.length - 1,
    });
    nameKeys(Tag.ReferringPhysicianName, studyPk, s.referringPhysicianNameFuzzy);
    for (const { kind, value } of s.referringProviderKeys)
      rows.study_access_key.push({ study_pk: studyPk, kind, value });
  }
  return rows;
}

import { lookupTag, tagToHex, type DicomJson, type Vr } from '@lightbox/dicom';
import type { QueryMatch } from '../index-store.js';
import { levelOfTag } from '../level-attributes.js';
import type { ArchiveQuery } from './archive-query.js';

// Return keys each level always carries (PS3.18 Tables 10.6.3-3/4/5; RetrieveURL is added by the
// DICOMweb adapter, which knows the base URL).
const STUDY_RETURN_KEYS = [
  0x00080020, 0x00080030, 0x00080050, 0x00080056, 0x00080061, 0x00080090, 0x00080201, 0x00081030, 0x00100010,
  0x00100020, 0x00100021, 0x00100030, 0x00100040, 0x0020000d, 0x00200010, 0x00201206, 0x00201208,
]; // prettier-ignore
const SERIES_RETURN_KEYS = [
  0x00080060, 0x00080201, 0x0008103e, 0x0020000e, 0x00200011, 0x00201209, 0x00400244, 0x00400245, 0x00400275,
]; // prettier-ignore
const INSTANCE_RETURN_KEYS = [
  0x00080016, 0x00080018, 0x00080056, 0x00080201, 0x00200013, 0x00280008, 0x00280010, 0x00280011, 0x00280100,
]; // prettier-ignore

function vrOf(tag: number): Vr {
  return lookupTag(tag)?.vrs[0] ?? 'UN';
}

function parse(text: string | undefined): DicomJson {
  return text === undefined ? {} : (JSON.parse(text) as DicomJson);
}

function integer(value: number | null | undefined, vr: Vr = 'IS') {
  return value === null || value === undefined ? { vr } : { vr, Value: [value] };
}

/** The return keys of a query: the level's required keys (and higher levels' when not scoped), the
 * matching keys, and includefield. */
function returnKeys(query: ArchiveQuery): Set<number> {
  const keys = new Set<number>();
  const add = (list: readonly number[]) => list.forEach((t) => keys.add(t));
  if (query.level === 'study') add(STUDY_RETURN_KEYS);
  if (query.level === 'series') {
    add(SERIES_RETURN_KEYS);
    if (query.studyUid === undefined) add(STUDY_RETURN_KEYS);
  }
  if (query.level === 'instance') {
    add(INSTANCE_RETURN_KEYS);
    if (query.seriesUid === undefined) add(SERIES_RETURN_KEYS);
    if (query.studyUid === undefined) add(STUDY_RETURN_KEYS);
  }
  for (const filter of query.filters) keys.add(filter.path[0]!);
  if (query.includeFields !== 'all') add(query.includeFields);
  return keys;
}

/**
 * Builds the DICOM JSON of one query match: the stored attributes of the level (current values from
 * the index), the counters and sets the archive maintains, reduced to the return keys (PS3.18 §10.6.3).
 * Required keys without a value are returned empty, as C-FIND does. Serialise with
 * `stringifyDicomJson`, which writes the tags in ascending order.
 */
export function queryResultJson(match: QueryMatch, query: ArchiveQuery): DicomJson {
  const keys = returnKeys(query);
  const all: DicomJson = {};
  if (query.level === 'instance') {
    // The instance's own attributes first: the index's patient, study and series values and the
    // counters below overlay them, so that the answer carries the current values.
    const coveredByIndex = (t: number) =>
      INSTANCE_RETURN_KEYS.includes(t) || !['instance'].includes(levelOfTag(t)) || t === 0x00201209;
    if (query.includeFields === 'all' || [...keys].some((t) => !coveredByIndex(t))) {
      Object.assign(all, parse(match.instanceMetadata));
    }
  }
  Object.assign(all, parse(match.patientAttributes), parse(match.studyAttributes));
  all['00080056'] = { vr: 'CS', Value: ['ONLINE'] };
  all['00080061'] =
    match.modalitiesInStudy.length > 0 ? { vr: 'CS', Value: match.modalitiesInStudy } : { vr: 'CS' };
  all['00080062'] =
    match.sopClassesInStudy.length > 0 ? { vr: 'UI', Value: match.sopClassesInStudy } : { vr: 'UI' };
  all['00201206'] = integer(match.numberOfStudySeries);
  all['00201208'] = integer(match.numberOfStudyInstances);
  if (query.level !== 'study') {
    Object.assign(all, parse(match.seriesAttributes));
    all['00201209'] = integer(match.numberOfSeriesInstances);
  }
  if (query.level === 'instance') {
    const i = match.instance!;
    all['00080016'] = { vr: 'UI', Value: [i.sopClassUid] };
    all['00080018'] = { vr: 'UI', Value: [match.sopInstanceUid!] };
    all['00200013'] = integer(i.instanceNumber);
    all['00280010'] = integer(i.rows, 'US');
    all['00280011'] = integer(i.columns, 'US');
    all['00280100'] = integer(i.bitsAllocated, 'US');
    all['00280008'] = integer(i.numberOfFrames);
  }
  if (query.includeFields === 'all') return all;
  const out: DicomJson = {};
  for (const tag of keys) {
    const key = tagToHex(tag);
    out[key] = all[key] ?? { vr: vrOf(tag) };
  }
  return out;
}

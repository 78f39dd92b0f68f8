import type { Vr } from '@lightbox/dicom';
import type { AttributeMatch } from './attribute-match.js';
import type { StudyOrderKey } from './study-order.js';

/** Query/retrieve levels of the study root information model (PS3.4 §C.3.2, PS3.18 §10.6). */
export const QueryLevel = { Study: 'study', Series: 'series', Instance: 'instance' } as const;

/** One of {@link QueryLevel}. */
export type QueryLevel = (typeof QueryLevel)[keyof typeof QueryLevel];

/** A matching key: an attribute (or a path into a sequence: [sequenceTag, tag]) and how to match it. */
export interface AttributeFilter {
  /** Tag path: [tag] for a top-level attribute, [sequenceTag, tag] for sequence matching (PS3.4 §C.2.2.2.6). */
  path: readonly number[];
  vr: Vr;
  match: AttributeMatch;
}

/** A query of the archive, the same for QIDO-RS and C-FIND. */
export interface ArchiveQuery {
  level: QueryLevel;
  /** Restricts the query to one study (QIDO `/studies/{uid}/series`, or a C-FIND key at a higher level). */
  studyUid?: string;
  /** Restricts the query to one series. */
  seriesUid?: string;
  filters: AttributeFilter[];
  /** PS3.18 §8.3.4.1 fuzzymatching: person names match by sound, ignoring case and accents. */
  fuzzy: boolean;
  /** Extra attributes to return (PS3.18 includefield), or every attribute of the level. */
  includeFields: readonly number[] | 'all';
  /**
   * The order of a study search, most significant key first (QIDO-RS `orderby`, a Lightbox extension).
   * Absent or empty: the level's own order (studies newest first).
   */
  orderBy?: readonly StudyOrderKey[];
  limit: number;
  offset: number;
}

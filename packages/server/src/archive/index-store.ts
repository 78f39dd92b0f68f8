import type { CurrentStudyValues, InstanceCorrection } from './current-values.js';
import type { DuplicatePolicyValue } from '../config/config.js';
import type { AccessScope } from '../security/access-scope.js';
import type { FrameIndex } from './frame-index.js';
import type { InstanceRecord } from './instance-record.js';
import type { ArchiveQuery } from './query/archive-query.js';

/** What a commit did with an instance. */
export interface CommitOutcome {
  status: 'stored' | 'already-stored' | 'replaced';
  /** A blob no longer referenced after the commit (the replaced one, or the new one when already stored). */
  unreferencedBlobKey?: string;
}

/** Where a stored instance is and what a retriever needs to know to serve it. */
export interface StoredInstance {
  /** The patient's ID (for the audit trail's participant objects). */
  patientId: string;
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  blobKey: string;
  size: number;
  numberOfFrames: number | null;
  bitsAllocated: number | null;
  frameIndex: FrameIndex | null;
  /**
   * The current values the object leaves the archive with, when its study's patient attributes or
   * accession number changed since it was stored (set by the archive for retrieval, not by the index).
   */
  correction?: InstanceCorrection;
}

/** Stored instances with their metadata texts, and the study's current values. */
export interface InstancesWithMetadata {
  instances: (StoredInstance & { metadata: string })[];
  current?: CurrentStudyValues;
}

/** The metadata of selected instances, and the patients they belong to (for the audit trail). */
export interface InstanceMetadata {
  patientIds: string[];
  /** DICOM JSON texts. */
  metadata: string[];
  /**
   * The index's current patient attributes (DICOM JSON text) and accession number of the study, which
   * ADT updates, merges and reconciliation may have changed since the objects were stored.
   */
  current?: CurrentStudyValues;
}

/** Selects the instances of a study, of a series, or one instance. */
export interface InstanceSelector {
  studyUid: string;
  seriesUid?: string;
  sopInstanceUid?: string;
}

/** One match of an {@link ArchiveQuery}: the level's stored attributes and its counters. */
export interface QueryMatch {
  /** DICOM JSON texts of the patient, study, series and instance levels reached by the query. */
  patientAttributes: string;
  studyAttributes: string;
  seriesAttributes?: string;
  instanceMetadata?: string;
  studyUid: string;
  seriesUid?: string;
  sopInstanceUid?: string;
  modalitiesInStudy: string[];
  sopClassesInStudy: string[];
  numberOfStudySeries: number;
  numberOfStudyInstances: number;
  numberOfSeriesInstances?: number;
  /** Instance columns, at instance level. */
  instance?: {
    sopClassUid: string;
    instanceNumber: number | null;
    rows: number | null;
    columns: number | null;
    bitsAllocated: number | null;
    numberOfFrames: number | null;
  };
}

/**
 * The index port (DESIGN §2): what the archive domain needs from the database. One implementation on
 * Kysely serves SQLite and PostgreSQL. Every read takes an access scope applied inside the query.
 */
export interface IndexStore {
  /** Records a blob about to be written (phase 1 of the two-phase write). */
  beginWrite(blobKey: string): Promise<void>;
  /** Forgets a pending blob; true when this call removed the row (recovery claims a write this way). */
  abandonWrite(blobKey: string): Promise<boolean>;
  /** Blobs recorded as pending for longer than `ageMs`: left by a crash, to be deleted. */
  pendingWrites(ageMs: number): Promise<string[]>;
  /**
   * Indexes an instance whose blob is durable and clears its pending row, in one transaction. A blob the
   * commit leaves unreferenced (duplicate kept out, or object replaced) stays recorded as pending, for the
   * caller to delete and then {@link abandonWrite}.
   */
  commitInstance(record: InstanceRecord, policy: DuplicatePolicyValue): Promise<CommitOutcome>;
  /** The stored instances selected, ordered by series and instance number. */
  findInstances(selector: InstanceSelector, scope: AccessScope): Promise<StoredInstance[]>;
  /** The same, each with its metadata text, and the study's current values. */
  findInstancesWithMetadata(selector: InstanceSelector, scope: AccessScope): Promise<InstancesWithMetadata>;
  /** The DICOM JSON metadata texts of the selected instances, in the same order. */
  instanceMetadata(selector: InstanceSelector, scope: AccessScope): Promise<InstanceMetadata>;
  /** Runs a QIDO/C-FIND query. */
  query(query: ArchiveQuery, scope: AccessScope): Promise<QueryMatch[]>;
  /** A page of every stored instance in the order they were indexed, after `after` (maintenance). */
  storedObjects(after: number, limit: number): Promise<StoredObject[]>;
  /** Replaces an instance's frame index, unless its object was replaced meanwhile; true when it did. */
  setFrameIndex(object: StoredObject, frameIndex: string | null): Promise<boolean>;
}

/** A stored instance as maintenance walks them: its row, object and frame index as stored. */
export interface StoredObject {
  /** Position in the walk (the instance row's key). */
  pk: number;
  sopInstanceUid: string;
  blobKey: string;
  frameIndex: string | null;
}

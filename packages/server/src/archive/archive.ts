import type { DicomJson } from '@lightbox/dicom';
import type { Readable } from 'node:stream';
import { accessScopeOf } from '../security/access-scope.js';
import type { Actor } from '../security/actor.js';
import { AuditEventId, type TransferParticipants } from '../security/audit/audit-sink.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { BlobRange } from '../storage/blob-store.js';
import type { ArchiveDeps } from './archive-deps.js';
import type { InstanceMetadata, InstanceSelector, StoredInstance } from './index-store.js';
import type { ArchiveQuery } from './query/archive-query.js';
import { queryResultJson } from './query/query-results.js';
import { recoverPendingWrites } from './recover-pending-writes.js';
import { CurrentValues, withCurrentValues } from './current-values.js';
import { reindexFrames, type ReindexSummary } from './reindex-frames.js';
import { storeInstance, type StoreOptions, type StoreOutcome } from './store-instance.js';

/** The archive domain: store, find and serve instances. Protocol adapters call only this. */
export interface Archive {
  /** Stores one Part 10 object from a stream (STOW-RS, C-STORE, import). */
  storeInstance(
    source: AsyncIterable<Uint8Array>,
    actor: Actor,
    options?: StoreOptions,
  ): Promise<StoreOutcome>;
  /** QIDO-RS / C-FIND: the matches as DICOM JSON, in a stable order. */
  query(query: ArchiveQuery, actor: Actor): Promise<DicomJson[]>;
  /**
   * The stored instances of a study, series or instance (in the actor's access scope), for an answer that
   * may yet be refused or fail before it sends anything: nothing is audited until the caller records the
   * instances it is about to send. NotFound when there are none. To send whole objects (`purpose` 'send',
   * the default), each instance whose study changed since it was stored (ADT update, merge,
   * reconciliation) carries the correction it leaves the archive with; for pixel data alone ('pixels':
   * frames, rendered images) none is worked out.
   */
  prepareInstances(
    selector: InstanceSelector,
    actor: Actor,
    purpose?: 'send' | 'pixels',
  ): Promise<PendingInstances>;
  /** Metadata (DICOM JSON texts) of a study, series or instance; NotFound when there are none. */
  instanceMetadata(selector: InstanceSelector, actor: Actor): Promise<string[]>;
  /**
   * The instances of a study, series or instance (as for 'pixels') and their metadata, read for an
   * answer that may yet be refused or turn out empty: nothing is audited until the caller records what
   * it answered. NotFound when there are none.
   */
  prepareTransfer(selector: InstanceSelector, actor: Actor): Promise<PendingTransfer>;
  /** Whether the actor may see a study that exists: nothing is read of it, and nothing audited. */
  studyInScope(studyUid: string, actor: Actor): Promise<boolean>;
  /** Streams a stored object, or a byte range of it. */
  openObject(instance: StoredInstance, range?: BlobRange): Promise<Readable>;
  /** Reads a byte range of a stored object into memory. */
  readObjectRange(instance: StoredInstance, range: BlobRange): Promise<Uint8Array>;
  /** Cleans up after interrupted writes (see {@link recoverPendingWrites}). */
  recoverPendingWrites(ageMs: number): Promise<number>;
  /** Computes every stored instance's frame index again (see {@link reindexFrames}); nothing leaves the archive. */
  reindexFrames(onProgress: (summary: ReindexSummary) => void): Promise<ReindexSummary>;
}

/** Instances read for an answer that is not audited yet (see {@link Archive.prepareInstances}). */
export interface PendingInstances {
  instances: StoredInstance[];
  /**
   * Audits instances of the selected study as transferred (110104), naming that study and their
   * patients, and the AEs that sent and received them when the transfer went between two (C-MOVE, C-GET,
   * send jobs); none sent records nothing.
   */
  recordTransfer(sent: readonly StoredInstance[], participants?: TransferParticipants): void;
}

/** Instances read for a transfer that is not audited yet (see {@link Archive.prepareTransfer}). */
export interface PendingTransfer {
  instances: StoredInstance[];
  /** Their DICOM JSON texts as stored at ingest (without the study's current values). */
  metadata: string[];
  /** Audits the metadata as accessed: the answer told something of it, but sent no instance. */
  recordAccess(): void;
  /** Audits these instances as transferred, and the metadata as accessed. */
  recordTransfer(sent: readonly StoredInstance[]): void;
}

/** The selected instances, each with the correction it leaves the archive with, if any. */
async function selectedWithCorrections(
  index: ArchiveDeps['index'],
  selector: InstanceSelector,
  actor: Actor,
): Promise<StoredInstance[]> {
  const { instances, current } = await index.findInstancesWithMetadata(selector, accessScopeOf(actor));
  const values = current === undefined ? undefined : new CurrentValues(current);
  return instances.map(({ metadata, ...instance }) => {
    const correction = values?.correctionOf(metadata);
    return correction === undefined ? instance : { ...instance, correction };
  });
}

/** Most participant objects of each kind recorded for one query. */
const AUDITED_PARTICIPANTS = 100;

function notFound(selector: InstanceSelector): AppError {
  const what = selector.sopInstanceUid
    ? `instance ${selector.sopInstanceUid}`
    : selector.seriesUid
      ? `series ${selector.seriesUid}`
      : `study ${selector.studyUid}`;
  return new AppError(ErrorCode.NotFound, `${what} is not in the archive`);
}

/** Creates the archive over its ports. */
export function createArchive(deps: ArchiveDeps): Archive {
  const { index, blobs, audit } = deps;
  const recordTransfer = (
    actor: Actor,
    selector: InstanceSelector,
    sent: readonly StoredInstance[],
    participants?: TransferParticipants,
  ) =>
    audit.record({
      event: AuditEventId.InstancesTransferred,
      action: 'R',
      outcome: 'success',
      actor,
      patientIds: [...new Set(sent.map((i) => i.patientId))],
      studyUids: [selector.studyUid],
      detail: `${sent.length} instances`,
      ...(participants !== undefined ? { transfer: participants } : {}),
    });
  const recordMetadataAccess = (actor: Actor, selector: InstanceSelector, found: InstanceMetadata) =>
    audit.record({
      event: AuditEventId.InstancesAccessed,
      action: 'R',
      outcome: 'success',
      actor,
      patientIds: found.patientIds,
      studyUids: [selector.studyUid],
      detail: `metadata of ${found.metadata.length} instances`,
    });
  const prepareInstances: Archive['prepareInstances'] = async (selector, actor, purpose = 'send') => {
    const instances =
      purpose === 'pixels'
        ? await index.findInstances(selector, accessScopeOf(actor))
        : await selectedWithCorrections(index, selector, actor);
    if (instances.length === 0) throw notFound(selector);
    return {
      instances,
      recordTransfer: (sent, participants) => {
        if (sent.length > 0) recordTransfer(actor, selector, sent, participants);
      },
    };
  };
  return {
    storeInstance: (source, actor, options) => storeInstance(deps, source, actor, options),
    reindexFrames: (onProgress) => reindexFrames(deps, onProgress),

    async query(query, actor) {
      const matches = await index.query(query, accessScopeOf(actor));
      const results = matches.map((m) => queryResultJson(m, query));
      // The patients and studies a query disclosed are its participant objects (capped: a page of a
      // worklist names many, and the detail says how many there were).
      const patientIds = new Set<string>();
      const studiesSeen = new Set<string>();
      for (const [i, result] of results.entries()) {
        if (patientIds.size >= AUDITED_PARTICIPANTS) break;
        // Series and instances are answered without the patient's keys: their study's patient is named
        // all the same (read once per study).
        const match = matches[i]!;
        let id = result['00100020']?.Value?.[0];
        if (id === undefined && !studiesSeen.has(match.studyUid)) {
          studiesSeen.add(match.studyUid);
          id = (JSON.parse(match.patientAttributes) as DicomJson)['00100020']?.Value?.[0];
        }
        if (typeof id === 'string' && id !== '') patientIds.add(id);
      }
      const studyUids = new Set(matches.slice(0, AUDITED_PARTICIPANTS).map((m) => m.studyUid));
      audit.record({
        event: AuditEventId.Query,
        action: 'E',
        outcome: 'success',
        actor,
        patientIds: [...patientIds],
        studyUids: [...studyUids],
        detail: `${query.level} query, ${query.filters.length} keys, ${matches.length} matches`,
      });
      return results;
    },

    prepareInstances,

    async studyInScope(studyUid, actor) {
      const query: ArchiveQuery = {
        level: 'study',
        filters: [{ path: [0x0020000d], vr: 'UI', match: { kind: 'values', values: [studyUid] } }],
        fuzzy: false,
        includeFields: [],
        limit: 1,
        offset: 0,
      };
      return (await index.query(query, accessScopeOf(actor))).length > 0;
    },

    async instanceMetadata(selector, actor) {
      const found = await index.instanceMetadata(selector, accessScopeOf(actor));
      if (found.metadata.length === 0) throw notFound(selector);
      recordMetadataAccess(actor, selector, found);
      return withCurrentValues(found.metadata, found.current);
    },

    async prepareTransfer(selector, actor) {
      // One read of the instances with their metadata: the two lists cannot disagree.
      const read = await index.findInstancesWithMetadata(selector, accessScopeOf(actor));
      if (read.instances.length === 0) throw notFound(selector);
      const instances = read.instances.map(({ metadata: _metadata, ...instance }) => instance);
      const found: InstanceMetadata = {
        patientIds: [...new Set(read.instances.map((i) => i.patientId))],
        metadata: read.instances.map((i) => i.metadata),
      };
      return {
        instances,
        metadata: found.metadata,
        recordAccess: () => recordMetadataAccess(actor, selector, found),
        recordTransfer: (sent) => {
          recordTransfer(actor, selector, sent);
          recordMetadataAccess(actor, selector, found);
        },
      };
    },

    openObject: (instance, range) => blobs.get(instance.blobKey, range),
    readObjectRange: (instance, range) => blobs.read(instance.blobKey, range),
    recoverPendingWrites: (ageMs) => recoverPendingWrites(deps, ageMs),
  };
}

import { randomUUID } from 'node:crypto';
import {
  DicomParseError,
  getString,
  lookupTransferSyntax,
  ParseFailure,
  readPart10,
  Tag,
  type Part10Object,
} from '@lightbox/dicom';
import { AppError, ErrorCode, isAppError } from '../shared/app-error.js';
import type { Actor } from '../security/actor.js';
import { AuditEventId, type TransferParticipants } from '../security/audit/audit-sink.js';
import { teeAsyncIterable } from '../streams/tee-async-iterable.js';
import type { ArchiveDeps } from './archive-deps.js';
import type { CommitOutcome } from './index-store.js';
import { instanceRecord, type InstanceRecord } from './instance-record.js';

/** Options of one store. */
export interface StoreOptions {
  /** STOW-RS to /studies/{uid}: the instance must belong to this study (PS3.18 §10.5.1). */
  expectedStudyUid?: string;
  /** C-STORE: the data set must carry the Affected SOP Instance and Class UIDs of the command (PS3.4 B.2.3). */
  expectedSop?: { classUid: string; instanceUid: string };
  /** C-STORE: the AE that sent the instance and Lightbox's, named by the audit event (PS3.15 A.5.3.4). */
  transfer?: TransferParticipants;
}

/** The outcome of storing one instance: durable and indexed, or refused with a standard status. */
export type StoreOutcome =
  | {
      ok: true;
      status: 'stored' | 'already-stored' | 'replaced';
      sopClassUid: string;
      sopInstanceUid: string;
      studyUid: string;
      seriesUid: string;
    }
  | { ok: false; error: AppError; sopClassUid?: string; sopInstanceUid?: string };

/** An error of the byte source itself (client went away, malformed multipart): rethrown to the adapter. */
class SourceError extends Error {
  constructor(readonly original: unknown) {
    super('source failed');
  }
}

async function* guarded(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (error) {
    throw new SourceError(error);
  }
}

/** Blob keys are chosen before the bytes arrive: UTC date folders, then a random name. */
function newBlobKey(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/${randomUUID()}.dcm`;
}

function asAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof DicomParseError) {
    return error.reason === ParseFailure.UnsupportedTransferSyntax
      ? new AppError(ErrorCode.TransferSyntaxNotSupported, error.message)
      : new AppError(
          ErrorCode.CannotUnderstand,
          error.reason === ParseFailure.NotDicom ? error.message : `malformed DICOM object: ${error.message}`,
        );
  }
  return new AppError(ErrorCode.OutOfResources, 'the archive could not store the object', undefined, {
    cause: error,
  });
}

/** An object whose header is refused (not the study of the request, not the SOP of the command, …). */
class RefusedObject extends Error {
  constructor(readonly refusal: { error: AppError; sopClassUid?: string; sopInstanceUid?: string }) {
    super(refusal.error.message);
  }
}

/**
 * PS3.5 §A.4: Pixel Data is encapsulated (undefined length, an offset table item and fragments) only
 * under an encapsulated transfer syntax. An SCU that negotiates Explicit or Implicit VR Little Endian and
 * then sends a compressed file's data set unchanged (odil's `store` command does) delivers JPEG or RLE
 * fragments under a native syntax; kept, they would be served as uncompressed pixels (WADO-RS frames) and
 * sent on as such. Refused as malformed (C000) instead, saying why.
 */
function checkPixelDataEncoding(object: Part10Object): void {
  if (object.dataSet.get(Tag.PixelData)?.encapsulated === undefined) return;
  if (lookupTransferSyntax(object.transferSyntaxUid)?.encapsulated !== false) return;
  throw new AppError(
    ErrorCode.CannotUnderstand,
    // The first 64 characters are what a C-STORE-RSP's Error Comment (LO) can carry.
    `compressed Pixel Data in a native transfer syntax (PS3.5 A.4): ${object.transferSyntaxUid} ` +
      'was negotiated, but the Pixel Data is encapsulated; send it in a context of its compressed syntax',
  );
}

/** The index record of a parsed object, checked against the request; size and checksum come later. */
function draftRecord(object: Part10Object, blobKey: string, options: StoreOptions): InstanceRecord {
  try {
    checkPixelDataEncoding(object);
    const record = instanceRecord(object, { key: blobKey, size: 0, sha256: '' });
    if (options.expectedStudyUid !== undefined && record.study.uid !== options.expectedStudyUid) {
      throw new AppError(
        ErrorCode.DataSetMismatch,
        `StudyInstanceUID ${record.study.uid} does not match the study of the request (${options.expectedStudyUid})`,
      );
    }
    const sop = options.expectedSop;
    if (
      sop !== undefined &&
      (record.instance.sopInstanceUid !== sop.instanceUid || record.instance.sopClassUid !== sop.classUid)
    ) {
      throw new AppError(
        ErrorCode.DataSetMismatch,
        'the SOP Class or Instance UID of the data set differs from the one in the command',
      );
    }
    return record;
  } catch (error) {
    throw new RefusedObject({
      error: asAppError(error),
      sopClassUid: getString(object.dataSet, Tag.SOPClassUID),
      sopInstanceUid: getString(object.dataSet, Tag.SOPInstanceUID),
    });
  }
}

/**
 * Stores one DICOM Part 10 object from a byte stream: the single entry point of STOW-RS, C-STORE and
 * import (DESIGN §2). Two-phase and crash-safe (issue #2 §5):
 *  1. a pending row names the blob about to be written (committed before the blob gets its key);
 *  2. the bytes stream to the blob store (a temp file, renamed to its key once step 1 is committed, then
 *     the file and its directory synced) while the header is parsed from the same chunks — nothing is
 *     buffered whole;
 *  3. one transaction indexes patient/study/series/instance and clears the pending row.
 * Steps 1 and 2 overlap, as do the parsed header's checks and the blob's sync.
 * Success is returned only after step 3. A failure at any point deletes the blob and the pending row;
 * a crash leaves the pending row, and recovery deletes the blob it names.
 */
export async function storeInstance(
  deps: ArchiveDeps,
  source: AsyncIterable<Uint8Array>,
  actor: Actor,
  options: StoreOptions = {},
): Promise<StoreOutcome> {
  const { index, blobs, audit, logger, config } = deps;
  const blobKey = newBlobKey();
  // The pending row is written while the bytes stream in; the blob store publishes the object under its
  // key only once the row is committed, so a crash still never leaves a durable object nobody names.
  const pending = index.beginWrite(blobKey);
  const tee = teeAsyncIterable(guarded(source));
  pending.catch((error: unknown) => tee.abort(error));
  const discard = async () => {
    try {
      await pending;
    } catch {
      return; // nothing was recorded, so nothing was published either
    }
    try {
      // Claimed first, as recovery does: when a commit failed without our knowing whether it went
      // through (a connection lost after COMMIT), a missing row means the object is indexed and stays. A
      // crash between the two steps leaks one unreferenced file, never an acknowledged instance.
      if (await index.abandonWrite(blobKey)) await blobs.delete(blobKey);
    } catch (error) {
      // The pending row stays (or the file does); the recovery sweep retries.
      logger.warn({ err: error, blobKey }, 'could not discard a rejected object');
    }
  };

  const [toStorage, toParser] = tee.branches;
  const stored = blobs.put(blobKey, toStorage, { publishAfter: pending }).catch((error: unknown) => {
    tee.abort(error);
    throw error;
  });
  // The index record is built (and checked) from the header as soon as it is parsed, while the blob is
  // still being written and synced; its size and checksum are filled in once the blob is durable.
  const drafted = readPart10(toParser, { bulkDataThreshold: config.bulkDataThreshold }).then((object) =>
    draftRecord(object, blobKey, options),
  );
  drafted.catch((error: unknown) => tee.abort(error));
  let draft: InstanceRecord;
  let blob: { size: number; sha256: string };
  try {
    [draft, blob] = await Promise.all([drafted, stored]);
  } catch (error) {
    await Promise.allSettled([drafted, stored]);
    await discard();
    if (error instanceof SourceError) throw error.original;
    const refusal = error instanceof RefusedObject ? error.refusal : { error: asAppError(error) };
    if (refusal.error.code === ErrorCode.OutOfResources) logger.error({ err: error }, 'store failed');
    return { ok: false, ...refusal };
  }

  const record: InstanceRecord = { ...draft, blob: { key: blobKey, size: blob.size, sha256: blob.sha256 } };
  let outcome: CommitOutcome;
  try {
    outcome = await index.commitInstance(record, config.duplicatePolicy);
  } catch (error) {
    await discard();
    const failure = asAppError(error);
    if (failure.code === ErrorCode.OutOfResources) logger.error({ err: error }, 'index commit failed');
    return {
      ok: false,
      error: failure,
      sopClassUid: record.instance.sopClassUid,
      sopInstanceUid: record.instance.sopInstanceUid,
    };
  }
  // Committed: from here on nothing may undo the store. A blob the commit left unreferenced stays
  // recorded as pending if its deletion fails, and the recovery sweep deletes it later.
  if (outcome.unreferencedBlobKey !== undefined) {
    const key = outcome.unreferencedBlobKey;
    try {
      await blobs.delete(key);
      await index.abandonWrite(key);
    } catch (error) {
      logger.warn({ err: error, blobKey: key }, 'could not delete an unreferenced object; recovery will');
    }
  }
  audit.record({
    event: AuditEventId.InstancesTransferred,
    action: outcome.status === 'already-stored' ? 'R' : 'C',
    outcome: 'success',
    actor,
    patientIds: [record.patient.patientId],
    studyUids: [record.study.uid],
    ...(options.transfer !== undefined ? { transfer: options.transfer } : {}),
  });
  deps.instanceStored?.({
    studyUid: record.study.uid,
    accessionNumber: record.study.accessionNumber,
    patientId: record.patient.patientId,
    issuer: record.patient.issuer,
    modality: record.series.modality,
    isNew: outcome.status !== 'already-stored',
  });
  return {
    ok: true,
    status: outcome.status,
    sopClassUid: record.instance.sopClassUid,
    sopInstanceUid: record.instance.sopInstanceUid,
    studyUid: record.study.uid,
    seriesUid: record.series.uid,
  };
}

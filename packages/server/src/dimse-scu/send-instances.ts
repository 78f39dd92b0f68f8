import { CommandField, Status, type Association } from '@lightbox/dimse';
import type { Archive } from '../archive/archive.js';
import type { StoredInstance } from '../archive/index-store.js';
import { contextFor } from './storage-contexts.js';
import { instanceDataSet, type OutgoingDataSet } from './instance-data-set.js';

/** Counts of C-STORE sub-operations (PS3.4 C.4.2.1.5 / C.4.3.1.4). */
export interface SubOperationCounts {
  remaining: number;
  completed: number;
  failed: number;
  warning: number;
  /** SOP Instance UIDs that failed (Failed SOP Instance UID List, 0008,0058). */
  failedUids: string[];
}

/** Options of {@link sendInstances}. */
export interface SendOptions {
  /** C-MOVE: who asked (Move Originator AE Title and Message ID, PS3.7 §9.3.1.1). */
  moveOriginator?: { aeTitle: string; messageId: number };
  /** Called after each sub-operation, with the counts so far. */
  onProgress?: (counts: SubOperationCounts) => Promise<void>;
  /** Checked before each sub-operation; true stops the sending (C-CANCEL). */
  cancelled?: () => boolean;
  /**
   * C-GET: only contexts of these SOP classes may carry a C-STORE, those for which the peer took the SCP
   * role (PS3.7 D.3.3.4; without role selection the requestor of an association is SCU only).
   */
  sopClasses?: ReadonlySet<string>;
  /**
   * Called once, just before the first C-STORE request goes out, with the instances the sub-operations set
   * out to send (those an accepted context can carry): the transfer is audited then, so that nothing sent
   * goes unrecorded and a send that never starts records nothing.
   */
  onFirstStore?: (planned: readonly StoredInstance[]) => void;
}

/** An instance made ready to send: the context it goes on, and its data set being opened. */
interface Prepared {
  context: ReturnType<typeof contextFor>;
  data?: Promise<OutgoingDataSet>;
}

/** Releases a data set opened ahead that will not be sent. */
async function discard(data: Promise<OutgoingDataSet> | undefined): Promise<void> {
  try {
    await (await data)?.close();
  } catch {
    // it could not be opened: nothing to release
  }
}

/**
 * Sends stored instances with C-STORE over an open association, one at a time, each as stored when the
 * peer accepted that transfer syntax and converted otherwise. A refusal or failure of one instance is
 * counted and the others still go.
 */
export async function sendInstances(
  archive: Archive,
  association: Association,
  instances: readonly StoredInstance[],
  options: SendOptions = {},
): Promise<SubOperationCounts & { cancelled: boolean; sentUids: string[] }> {
  /** Instances the peer took (success or warning). */
  const sentUids: string[] = [];
  const counts: SubOperationCounts = {
    remaining: instances.length,
    completed: 0,
    failed: 0,
    warning: 0,
    failedUids: [],
  };
  const accepted = association
    .presentationContexts()
    .filter((c) => options.sopClasses === undefined || options.sopClasses.has(c.abstractSyntax));
  // The next instance is opened (its meta header read and parsed) while the peer stores the current one.
  const prepare = (index: number): Prepared | undefined => {
    const instance = instances[index];
    if (instance === undefined) return undefined;
    const context = contextFor(instance, accepted);
    if (context === undefined) return { context };
    const data = instanceDataSet(archive, instance, context.transferSyntax);
    data.catch(() => {}); // awaited when its turn comes
    return { context, data };
  };
  let upcoming = prepare(0);
  let started = false;
  // Set once the first C-STORE is recorded: a recorder that throws stops the sending (below) rather than
  // counting as one failed instance and letting the rest go out unrecorded.
  let recordingFailed: { error: unknown } | undefined;
  const starting = () => {
    if (started) return;
    try {
      options.onFirstStore?.(instances.filter((i) => contextFor(i, accepted) !== undefined));
    } catch (error) {
      recordingFailed = { error };
      throw error;
    }
    started = true;
  };
  try {
    return await sendEach();
  } finally {
    await discard(upcoming?.data); // stopped early (cancelled, association lost, a progress report failed)
  }

  async function sendEach(): Promise<SubOperationCounts & { cancelled: boolean; sentUids: string[] }> {
    for (const [index, instance] of instances.entries()) {
      const { context, data: opening } = upcoming!;
      upcoming = undefined;
      if (options.cancelled?.() === true) {
        await discard(opening);
        return { ...counts, cancelled: true, sentUids };
      }
      upcoming = prepare(index + 1);
      counts.remaining--;
      let status: number = Status.ProcessingFailure;
      if (context !== undefined) {
        let data: OutgoingDataSet | undefined;
        try {
          data = await opening!;
          starting();
          const response = await association.sendRequest(
            context.id,
            {
              commandField: CommandField.CStoreRq,
              priority: 0,
              affectedSopClassUid: instance.sopClassUid,
              affectedSopInstanceUid: instance.sopInstanceUid,
              ...(options.moveOriginator !== undefined
                ? {
                    moveOriginatorAeTitle: options.moveOriginator.aeTitle,
                    moveOriginatorMessageId: options.moveOriginator.messageId,
                  }
                : {}),
            },
            data.body,
          );
          status = response.command.status ?? Status.ProcessingFailure;
        } catch {
          await data?.close().catch(() => {});
          if (recordingFailed !== undefined) throw recordingFailed.error;
          if (!association.isOpen) {
            counts.failed += 1 + counts.remaining;
            counts.failedUids.push(instance.sopInstanceUid);
            counts.remaining = 0;
            return { ...counts, cancelled: false, sentUids };
          }
          status = Status.ProcessingFailure;
        }
      }
      // PS3.4 B.2.3: 0000 success, Bxxx warning, anything else failure.
      if (status === Status.Success || (status & 0xf000) === 0xb000) sentUids.push(instance.sopInstanceUid);
      if (status === Status.Success) counts.completed++;
      else if ((status & 0xf000) === 0xb000) counts.warning++;
      else {
        counts.failed++;
        counts.failedUids.push(instance.sopInstanceUid);
      }
      await options.onProgress?.({ ...counts, failedUids: [...counts.failedUids] });
    }
    return { ...counts, cancelled: false, sentUids };
  }
}

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { InstanceArrival } from '../archive/archive-deps.js';
import type { Tables } from '../db/tables.js';
import { patientKeyOf } from '../patients/patient-demographics.js';
import { systemActor } from '../security/actor.js';
import { ExamStatus } from './exam-status.js';
import type { Ris } from './ris.js';
import { ExceptionKind, type Reconciliation } from './reconciliation.js';

/** Studies already linked are remembered so that the rest of a study's instances cost nothing. */
const REMEMBERED_STUDIES = 10_000;

/**
 * Follows exams from the images that arrive (issue #6 §4, §5): an instance whose accession number names an
 * order of the same patient links its study to the order, and an exam not yet started is marked in
 * progress — so a modality that sends no MPPS still moves the exam on. Mismatches are left for
 * the reconciliation queue, never linked by guess.
 */
export class ExamTracker {
  private readonly linked = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly ris: Ris,
    private readonly reconciliation: Reconciliation,
    private readonly logger: Logger,
  ) {}

  /** Called by the archive after each stored instance: work is queued, the store is never delayed. */
  instanceArrived(arrival: InstanceArrival): void {
    if (arrival.accessionNumber === null || this.linked.has(arrival.studyUid)) return;
    this.queue = this.queue
      .then(() => this.link(arrival))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, study: arrival.studyUid }, 'linking images to an order failed'),
      );
  }

  /** Resolves when every arrival told so far has been handled (for tests and shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  private async link(arrival: InstanceArrival): Promise<void> {
    if (this.linked.has(arrival.studyUid)) return;
    this.remember(arrival.studyUid);
    const accession = arrival.accessionNumber!;
    const order = await this.ris.orderByAccession(accession);
    if (order === undefined) {
      const linkedElsewhere = await this.db
        .selectFrom('imaging_order')
        .select('pk')
        .where('study_instance_uid', '=', arrival.studyUid)
        .executeTakeFirst();
      if (linkedElsewhere !== undefined) return; // reconciled earlier: the index holds the order's accession
      await this.reconciliation.raise(
        ExceptionKind.UnknownAccession,
        arrival.studyUid,
        accession,
        null,
        `accession number ${accession} names no order`,
      );
      return;
    }
    const patient = await this.db
      .selectFrom('patient')
      .select(['pk', 'merged_into_pk'])
      .where('patient_key', '=', patientKeyOf(arrival.patientId, arrival.issuer))
      .executeTakeFirst();
    if (patient === undefined || (patient.merged_into_pk ?? patient.pk) !== order.patient_pk) {
      await this.reconciliation.raise(
        ExceptionKind.PatientMismatch,
        arrival.studyUid,
        accession,
        order.pk,
        `accession number ${accession} names an order of another patient`,
      );
      return;
    }
    if (order.study_instance_uid !== arrival.studyUid) {
      // The modality made its own Study Instance UID: the order now points at the study it produced.
      const taken = await this.db
        .selectFrom('imaging_order')
        .select('pk')
        .where('study_instance_uid', '=', arrival.studyUid)
        .executeTakeFirst();
      if (taken !== undefined) return;
      await this.db
        .updateTable('imaging_order')
        .set({ study_instance_uid: arrival.studyUid, updated_at: Date.now() })
        .where('pk', '=', order.pk)
        .execute();
    }
    if (
      order.status === ExamStatus.Ordered ||
      order.status === ExamStatus.Scheduled ||
      order.status === ExamStatus.Arrived
    ) {
      await this.ris.setExamStatus(
        { orderPk: order.pk },
        ExamStatus.InProgress,
        'images arrived',
        systemActor(),
      );
    }
  }

  /**
   * Completes the exams that images started when the modality sent no MPPS: once no image has arrived for
   * `quietMs`, the exam is taken as done. Exams with an MPPS wait for its N-SET instead.
   */
  async completeQuietExams(quietMs: number, now = Date.now()): Promise<number> {
    const quiet = await this.db
      .selectFrom('imaging_order as o')
      .innerJoin('study as s', 's.study_instance_uid', 'o.study_instance_uid')
      .select('o.pk')
      .where('o.status', '=', ExamStatus.InProgress)
      .where('s.updated_at', '<', now - quietMs)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('performed_step as p')
              .select('p.sop_instance_uid')
              .whereRef('p.order_pk', '=', 'o.pk'),
          ),
        ),
      )
      .limit(500)
      .execute();
    for (const { pk } of quiet) {
      await this.ris.setExamStatus(
        { orderPk: pk },
        ExamStatus.Completed,
        'images complete (no MPPS)',
        systemActor(),
      );
    }
    return quiet.length;
  }

  private remember(studyUid: string): void {
    if (this.linked.size >= REMEMBERED_STUDIES) this.linked.clear();
    this.linked.add(studyUid);
  }
}

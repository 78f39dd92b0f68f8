import type { DicomJson } from '@lightbox/dicom';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { Actor } from '../security/actor.js';
import { AuditEventId, type AuditSink } from '../security/audit/audit-sink.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { ExamStatus } from './exam-status.js';
import { ExceptionKind, type Reconciliation } from './reconciliation.js';
import type { Ris } from './ris.js';
import { elementTexts } from '../archive/dicom-json-values.js';

/** Performed Procedure Step Status (0040,0252), PS3.3 C.4.14. */
export const PerformedStatus = {
  InProgress: 'IN PROGRESS',
  Completed: 'COMPLETED',
  Discontinued: 'DISCONTINUED',
} as const;

const EXAM_STATUS_OF: Readonly<Record<string, string>> = {
  [PerformedStatus.InProgress]: ExamStatus.InProgress,
  [PerformedStatus.Completed]: ExamStatus.Completed,
  [PerformedStatus.Discontinued]: ExamStatus.Discontinued,
};

const STATUS_KEY = '00400252';
const SCHEDULED_STEP_ATTRIBUTES = '00400270';

function first(json: DicomJson, key: string): string | undefined {
  const value = elementTexts(json[key])[0];
  return value === undefined || value === '' ? undefined : value;
}

/** The accession numbers and study UIDs the MPPS names in its Scheduled Step Attributes Sequence. */
function scheduledReferences(json: DicomJson): { accessions: string[]; studyUids: string[] } {
  const items = (json[SCHEDULED_STEP_ATTRIBUTES]?.Value ?? []) as DicomJson[];
  const accessions = items.map((item) => first(item, '00080050')).filter((v): v is string => v !== undefined);
  const studyUids = items.map((item) => first(item, '0020000D')).filter((v): v is string => v !== undefined);
  return { accessions, studyUids };
}

/**
 * Modality Performed Procedure Step (PS3.4 F.7; IHE RAD-6/RAD-7): the modality says the exam started
 * (N-CREATE, IN PROGRESS) and ended (N-SET, COMPLETED or DISCONTINUED). The exam of the order named by
 * the Scheduled Step Attributes Sequence follows. An MPPS naming no known order (an unscheduled exam) is
 * kept unlinked and its study goes to the reconciliation queue, where it is linked to an order.
 */
export class PerformedProcedureSteps {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly ris: Ris,
    private readonly audit: AuditSink,
    private readonly reconciliation: Reconciliation,
  ) {}

  /** N-CREATE: records a new step in progress. */
  async create(sopInstanceUid: string, attributes: DicomJson, actor: Actor): Promise<void> {
    const status = first(attributes, STATUS_KEY);
    if (status !== PerformedStatus.InProgress) {
      throw new AppError(
        ErrorCode.InvalidAttributeValue,
        `PerformedProcedureStepStatus must be IN PROGRESS on creation, not ${status ?? 'empty'}`,
        STATUS_KEY,
      );
    }
    const orderPk = await this.orderOf(attributes);
    const now = Date.now();
    const inserted = await this.db
      .insertInto('performed_step')
      .values({
        sop_instance_uid: sopInstanceUid,
        status,
        order_pk: orderPk ?? null,
        station_ae: actor.aeTitle ?? actor.username,
        study_instance_uid: scheduledReferences(attributes).studyUids[0] ?? null,
        attributes: JSON.stringify(attributes),
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('sop_instance_uid').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      throw new AppError(
        ErrorCode.DuplicateInstance,
        `performed procedure step ${sopInstanceUid} already exists`,
      );
    }
    if (orderPk === undefined) await this.queueUnscheduled(attributes, actor);
    await this.follow(orderPk, status, actor, attributes);
  }

  /** An exam performed without an order of ours: its study waits in the reconciliation queue. */
  private async queueUnscheduled(attributes: DicomJson, actor: Actor): Promise<void> {
    const { accessions, studyUids } = scheduledReferences(attributes);
    const studyUid = studyUids[0];
    if (studyUid === undefined) return;
    const patientId = first(attributes, '00100020');
    const procedure = first(attributes, '00400254') ?? first(attributes, '00081030');
    await this.reconciliation.raise(
      ExceptionKind.UnscheduledProcedure,
      studyUid,
      accessions[0] ?? null,
      null,
      [
        `${actor.aeTitle ?? actor.username} performed an exam that names no known order`,
        patientId !== undefined ? `patient ID ${patientId}` : 'no patient ID',
        accessions[0] !== undefined ? `accession ${accessions[0]}` : 'no accession number',
        ...(procedure !== undefined ? [procedure] : []),
      ].join('; '),
    );
  }

  /** N-SET: applies the modifications; once COMPLETED or DISCONTINUED the step is final. */
  async update(sopInstanceUid: string, modifications: DicomJson, actor: Actor): Promise<DicomJson> {
    const stored = await this.db
      .selectFrom('performed_step')
      .selectAll()
      .where('sop_instance_uid', '=', sopInstanceUid)
      .executeTakeFirst();
    if (stored === undefined) {
      throw new AppError(ErrorCode.NotFound, `performed procedure step ${sopInstanceUid} is unknown`);
    }
    if (stored.status !== PerformedStatus.InProgress) {
      throw new AppError(ErrorCode.NoLongerUpdatable, `performed procedure step is ${stored.status}`);
    }
    const attributes = { ...(JSON.parse(stored.attributes) as DicomJson), ...modifications };
    const status = first(attributes, STATUS_KEY) ?? PerformedStatus.InProgress;
    if (!Object.values(PerformedStatus).includes(status as never)) {
      throw new AppError(
        ErrorCode.InvalidAttributeValue,
        `PerformedProcedureStepStatus ${status} is not defined`,
        STATUS_KEY,
      );
    }
    // PS3.4 F.7.2.2.2: the step may only leave IN PROGRESS with its final attributes; we require the end time.
    if (status !== PerformedStatus.InProgress && first(attributes, '00400250') === undefined) {
      throw new AppError(
        ErrorCode.InvalidAttributeValue,
        'PerformedProcedureStepEndDate is required to complete or discontinue',
        '00400250',
      );
    }
    const orderPk = stored.order_pk ?? (await this.orderOf(attributes));
    await this.db
      .updateTable('performed_step')
      .set({
        status,
        attributes: JSON.stringify(attributes),
        order_pk: orderPk ?? null,
        updated_at: Date.now(),
      })
      .where('sop_instance_uid', '=', sopInstanceUid)
      .where('status', '=', PerformedStatus.InProgress)
      .execute();
    await this.follow(orderPk, status, actor, attributes);
    return attributes;
  }

  private async orderOf(attributes: DicomJson): Promise<number | undefined> {
    const { accessions, studyUids } = scheduledReferences(attributes);
    for (const accession of accessions) {
      const order = await this.ris.orderByAccession(accession);
      if (order !== undefined) return order.pk;
    }
    for (const uid of studyUids) {
      const order = await this.db
        .selectFrom('imaging_order')
        .select('pk')
        .where('study_instance_uid', '=', uid)
        .executeTakeFirst();
      if (order !== undefined) return order.pk;
    }
    return undefined;
  }

  private async follow(
    orderPk: number | undefined,
    status: string,
    actor: Actor,
    attributes: DicomJson,
  ): Promise<void> {
    if (orderPk === undefined) {
      this.audit.record({
        event: AuditEventId.ProcedureRecord,
        action: 'C',
        outcome: 'success',
        actor,
        patientIds: [first(attributes, '00100020') ?? ''].filter((id) => id !== ''),
        detail: `performed procedure step ${status} for no known order`,
      });
      return;
    }
    const examStatus = EXAM_STATUS_OF[status];
    if (examStatus === undefined) return;
    try {
      await this.ris.setExamStatus({ orderPk }, examStatus, undefined, actor);
    } catch (error) {
      // A cancelled or already completed exam keeps its status; the MPPS itself is still recorded.
      if (!(error instanceof AppError && error.code === ErrorCode.Conflict)) throw error;
    }
  }
}

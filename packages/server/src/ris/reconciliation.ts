import { stringifyDicomJson, type DicomJson } from '@lightbox/dicom';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { Actor } from '../security/actor.js';
import { AuditEventId, type AuditSink } from '../security/audit/audit-sink.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { ExamStatus, FINAL_EXAM_STATUSES } from './exam-status.js';
import type { Ris } from './ris.js';

/** Why arriving images went to the exceptions queue. */
export const ExceptionKind = {
  /** The accession number names no order. */
  UnknownAccession: 'unknown-accession',
  /** The accession number names an order of another patient. */
  PatientMismatch: 'patient-mismatch',
  /** A modality performed a procedure (MPPS) that names no known order: an unscheduled exam. */
  UnscheduledProcedure: 'unscheduled-procedure',
} as const;

/** An exception as the API and the web app show it. */
export interface ExceptionView {
  id: number;
  kind: string;
  state: string;
  studyInstanceUid: string;
  accessionNumber: string | null;
  studyDate: string | null;
  modalities: string[];
  patient: { patientId: string; issuer: string; name: string | null };
  order: { accessionNumber: string; patient: { patientId: string; name: string | null } } | null;
  detail: string;
  createdAt: number;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolution: string | null;
}

/** How an exception is resolved: the study linked to an order, or the exception dismissed. */
export type ExceptionResolution =
  { action: 'link'; accessionNumber: string } | { action: 'dismiss'; reason: string };

/**
 * The reconciliation queue (issue #6 §5; IHE PIR/SWF): studies whose accession number matched no order,
 * or an order of another patient. Linking a study to an order moves it to the order's patient and
 * accession number in the index; what the modality sent is kept, in the stored objects and as a study
 * correction (for Original Attributes Sequence when objects leave). Every resolution is audited.
 */
export class Reconciliation {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly ris: Ris,
    private readonly audit: AuditSink,
  ) {}

  /** Queues a study (once: a study already queued is left as it is). */
  async raise(
    kind: string,
    studyUid: string,
    accessionNumber: string | null,
    orderPk: number | null,
    detail: string,
  ): Promise<void> {
    await this.db
      .insertInto('reconciliation_exception')
      .values({
        kind,
        state: 'open',
        study_instance_uid: studyUid,
        accession_number: accessionNumber,
        order_pk: orderPk,
        detail,
        resolution: null,
        resolved_by: null,
        resolved_at: null,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('study_instance_uid').doNothing())
      .execute();
  }

  /** The exceptions in a state, newest first. */
  async list(state: string, actor: Actor, limit = 200): Promise<ExceptionView[]> {
    const views = await this.views({ state }, limit);
    this.audit.record({
      event: AuditEventId.Query,
      action: 'E',
      outcome: 'success',
      actor,
      patientIds: [
        ...new Set(
          views
            .slice(0, 100)
            .map((v) => v.patient.patientId)
            .filter(Boolean),
        ),
      ],
      detail: `reconciliation exceptions (${state}), ${views.length}`,
    });
    return views;
  }

  private async views(filter: { state?: string; id?: number }, limit: number): Promise<ExceptionView[]> {
    let query = this.db
      .selectFrom('reconciliation_exception as e')
      .leftJoin('study as s', 's.study_instance_uid', 'e.study_instance_uid')
      .leftJoin('patient as p', 'p.pk', 's.patient_pk')
      .leftJoin('imaging_order as o', 'o.pk', 'e.order_pk')
      .leftJoin('patient as op', 'op.pk', 'o.patient_pk')
      .select([
        'e.pk',
        'e.kind',
        'e.state',
        'e.study_instance_uid',
        'e.accession_number',
        'e.detail',
        'e.created_at',
        'e.resolved_at',
        'e.resolved_by',
        'e.resolution',
        's.study_date',
        's.modalities_in_study',
        'p.patient_id',
        'p.issuer_of_patient_id',
        'p.patient_name',
        'o.accession_number as order_accession',
        'op.patient_id as order_patient_id',
        'op.patient_name as order_patient_name',
      ])
      .orderBy('e.pk', 'desc')
      .limit(limit);
    if (filter.state !== undefined) query = query.where('e.state', '=', filter.state);
    if (filter.id !== undefined) query = query.where('e.pk', '=', filter.id);
    const rows = await query.execute();
    return rows.map((row): ExceptionView => ({
      id: row.pk,
      kind: row.kind,
      state: row.state,
      studyInstanceUid: row.study_instance_uid,
      accessionNumber: row.accession_number,
      studyDate: row.study_date ?? null,
      modalities: (row.modalities_in_study ?? '').split('\\').filter(Boolean),
      patient: {
        patientId: row.patient_id ?? '',
        issuer: row.issuer_of_patient_id ?? '',
        name: row.patient_name ?? null,
      },
      order:
        row.order_accession == null
          ? null
          : {
              accessionNumber: row.order_accession,
              patient: { patientId: row.order_patient_id ?? '', name: row.order_patient_name ?? null },
            },
      detail: row.detail,
      createdAt: row.created_at,
      resolvedAt: row.resolved_at,
      resolvedBy: row.resolved_by,
      resolution: row.resolution,
    }));
  }

  /** Resolves an open exception; returns it as it now is. */
  async resolve(id: number, resolution: ExceptionResolution, actor: Actor): Promise<ExceptionView> {
    const now = Date.now();
    const linked = await this.db.transaction().execute(async (trx) => {
      const exception = await trx
        .selectFrom('reconciliation_exception')
        .selectAll()
        .where('pk', '=', id)
        .executeTakeFirst();
      if (exception === undefined) throw new AppError(ErrorCode.NotFound, `no exception ${id}`);
      if (exception.state !== 'open')
        throw new AppError(ErrorCode.Conflict, `exception ${id} is already ${exception.state}`);
      if (resolution.action === 'dismiss') {
        await trx
          .updateTable('reconciliation_exception')
          .set({
            state: 'dismissed',
            resolution: resolution.reason,
            resolved_by: actor.username,
            resolved_at: now,
          })
          .where('pk', '=', id)
          .execute();
        return undefined;
      }
      const order = await trx
        .selectFrom('imaging_order')
        .selectAll()
        .where('accession_number', '=', resolution.accessionNumber)
        .executeTakeFirst();
      if (order === undefined) {
        throw new AppError(
          ErrorCode.NotFound,
          `order ${resolution.accessionNumber} is unknown`,
          'accessionNumber',
        );
      }
      if (FINAL_EXAM_STATUSES.has(order.status) && order.status !== ExamStatus.Completed) {
        throw new AppError(ErrorCode.Conflict, `order ${order.accession_number} is ${order.status}`);
      }
      const study = await trx
        .selectFrom('study')
        .selectAll()
        .where('study_instance_uid', '=', exception.study_instance_uid)
        .executeTakeFirst();
      if (study === undefined) {
        throw new AppError(
          ErrorCode.Conflict,
          exception.kind === ExceptionKind.UnscheduledProcedure
            ? 'no images of this exam have arrived yet: link it once they have'
            : 'the study is no longer in the archive',
        );
      }
      const other = await trx
        .selectFrom('imaging_order')
        .select('accession_number')
        .where('study_instance_uid', '=', study.study_instance_uid)
        .where('pk', '!=', order.pk)
        .executeTakeFirst();
      if (other !== undefined) {
        throw new AppError(
          ErrorCode.Conflict,
          `the study already belongs to order ${other.accession_number}`,
        );
      }
      const sentPatient = await trx
        .selectFrom('patient')
        .select(['patient_id', 'attributes'])
        .where('pk', '=', study.patient_pk)
        .executeTakeFirstOrThrow();
      // What the modality sent, as it was in the index: kept for Original Attributes Sequence.
      const sent = JSON.parse(sentPatient.attributes) as DicomJson;
      const original: DicomJson = {};
      for (const key of ['00100010', '00100020', '00100021'])
        if (sent[key] !== undefined) original[key] = sent[key];
      original['00080050'] =
        study.accession_number === null ? { vr: 'SH' } : { vr: 'SH', Value: [study.accession_number] };
      const studyAttributes = JSON.parse(study.attributes) as DicomJson;
      studyAttributes['00080050'] = { vr: 'SH', Value: [order.accession_number] };
      await trx
        .updateTable('study')
        .set({
          patient_pk: order.patient_pk,
          accession_number: order.accession_number,
          attributes: stringifyDicomJson(studyAttributes),
          updated_at: now,
        })
        .where('pk', '=', study.pk)
        .execute();
      await trx
        .insertInto('study_correction')
        .values({
          study_instance_uid: study.study_instance_uid,
          original: stringifyDicomJson(original),
          reason: `reconciled with order ${order.accession_number}`,
          actor: actor.username,
          corrected_at: now,
        })
        .execute();
      await trx
        .updateTable('imaging_order')
        .set({ study_instance_uid: study.study_instance_uid, updated_at: now })
        .where('pk', '=', order.pk)
        .execute();
      // The modality's performed steps of this study (an unscheduled exam's MPPS) now belong to the order.
      await trx
        .updateTable('performed_step')
        .set({ order_pk: order.pk, updated_at: now })
        .where('study_instance_uid', '=', study.study_instance_uid)
        .where('order_pk', 'is', null)
        .execute();
      await trx
        .updateTable('reconciliation_exception')
        .set({
          state: 'resolved',
          order_pk: order.pk,
          resolution: `linked to order ${order.accession_number}`,
          resolved_by: actor.username,
          resolved_at: now,
        })
        .where('pk', '=', id)
        .execute();
      const orderPatient = await trx
        .selectFrom('patient')
        .select('patient_id')
        .where('pk', '=', order.patient_pk)
        .executeTakeFirstOrThrow();
      return {
        order,
        studyUid: study.study_instance_uid,
        patientIds: [sentPatient.patient_id, orderPatient.patient_id],
      };
    });
    if (linked !== undefined) {
      this.audit.record({
        event: AuditEventId.PatientRecord,
        action: 'U',
        outcome: 'success',
        actor,
        patientIds: [...new Set(linked.patientIds)],
        studyUids: [linked.studyUid],
        detail: `study reconciled with order ${linked.order.accession_number}`,
      });
      const { status } = linked.order;
      if (status === ExamStatus.Ordered || status === ExamStatus.Scheduled || status === ExamStatus.Arrived) {
        await this.ris.setExamStatus(
          { orderPk: linked.order.pk },
          ExamStatus.InProgress,
          'images reconciled',
          actor,
        );
      }
    } else {
      this.audit.record({
        event: AuditEventId.ProcedureRecord,
        action: 'U',
        outcome: 'success',
        actor,
        detail: `reconciliation exception ${id} dismissed`,
      });
    }
    const [view] = await this.views({ id }, 1);
    return view!;
  }
}

import { randomUUID } from 'node:crypto';
import { generateUid, type DicomJson } from '@lightbox/dicom';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { UnitOfWork } from '../db/group-commit.js';
import type { ImagingOrderTable, Tables } from '../db/tables.js';
import type { PatientDemographics } from '../patients/patient-demographics.js';
import { mergePatients, registerPatient, type PatientRegistration } from '../patients/patient-registry.js';
import type { Actor } from '../security/actor.js';
import { AuditEventId, type AuditEvent, type AuditSink } from '../security/audit/audit-sink.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { accessionNumberFor, stepIdFor } from './accession-number.js';
import {
  advances,
  ExamStatus,
  FINAL_EXAM_STATUSES,
  OPEN_STEP_STATUSES,
  stepStatusOf,
  StepStatus,
} from './exam-status.js';
import type { OrderReference, OrderRequest, StepRequest } from './order-request.js';
import { findStation } from './modality-stations.js';
import { catalogEntry, type ProcedureType } from './procedure-catalog.js';
import { queryWorklist } from './worklist/query-worklist.js';
import { examHistory, listOrders, type OrderFilter, type OrderView } from './order-view.js';

type Tx = Transaction<Tables>;

/** An order row. */
export type ImagingOrder = Selectable<ImagingOrderTable>;

/** What the RIS tells the sender about an order it accepted. */
export interface OrderSummary {
  accessionNumber: string;
  studyInstanceUid: string;
  status: string;
  patientId: string;
}

/** A change of an exam's status, as the RIS tells it to listeners (outbound HL7, the web app). */
export interface ExamStatusChange {
  order: ImagingOrder;
  previous: string;
  status: string;
  reason?: string;
}

/** One order message's instruction (HL7 ORC-1): applied together with the others of the message. */
export type OrderCommand =
  | { kind: 'place'; request: OrderRequest }
  | { kind: 'change'; reference: OrderReference; request: OrderRequest }
  | { kind: 'status'; reference: OrderReference; status: string; reason?: string };

/** A slot an exam is booked into (the scheduling calendar). DICOM DA and TM. */
export interface ScheduleSlot {
  date: string;
  time: string;
  modality?: string;
  stationAe?: string;
  stationName?: string;
  location?: string;
  durationMinutes?: number;
  /** Scheduled Performing Physician's Name (0040,0006): the technologist who is to perform it ('' for none). */
  performingTechnologist?: string;
}

/**
 * More to write in the transaction of a change, once the change is made (the HL7 interface logs the
 * message and its acknowledgement this way: applied and logged together, or neither).
 */
export type AlsoInTransaction<T> = (trx: Transaction<Tables>, result: T) => Promise<void>;

/** A unit of work: one transaction, and what to tell once it has committed. */
interface Work {
  trx: Tx;
  changes: ExamStatusChange[];
  audits: AuditEvent[];
  /** Accession numbers of the orders this unit of work changed (the screens are told once it commits). */
  touched: Set<string>;
}

/** Who acts, as recorded in the exam history. */
function actorName(actor: Actor): string {
  return actor.aeTitle !== undefined && actor.protocol === 'dimse'
    ? `${actor.username} (AE)`
    : actor.username;
}

function blankToNull(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}

function summaryOf(order: ImagingOrder, patientId: string): OrderSummary {
  return {
    accessionNumber: order.accession_number,
    studyInstanceUid: order.study_instance_uid,
    status: order.status,
    patientId,
  };
}

/**
 * The RIS domain (issue #6): patients from ADT, orders and their scheduled procedure steps, and the exam
 * status that MPPS, arriving images and the department's screens drive. Every change runs in one
 * transaction — a message is applied whole or not at all — and is audited once committed.
 */
export class Ris {
  private readonly listeners: ((change: ExamStatusChange) => void)[] = [];
  private readonly recorders: ((change: ExamStatusChange, trx: Tx) => Promise<void>)[] = [];
  private readonly orderRecorders: ((accessionNumbers: string[], trx: Tx) => Promise<void>)[] = [];
  private readonly orderListeners: ((accessionNumbers: string[]) => void)[] = [];

  private readonly transact: UnitOfWork;

  /**
   * @param transact - how changes are committed (default: a transaction each); with {@link unitsOfWork}
   *   on SQLite, changes that arrive together share one commit
   */
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly audit: AuditSink,
    transact?: UnitOfWork,
  ) {
    this.transact = transact ?? ((task) => this.db.transaction().execute(task));
  }

  /**
   * Records something of every exam status change in the transaction that makes it (outbound HL7 is
   * queued this way, so a change is never committed without its messages).
   */
  recordExamStatusWith(recorder: (change: ExamStatusChange, trx: Tx) => Promise<void>): void {
    this.recorders.push(recorder);
  }

  /**
   * Records the orders each change touched in its transaction (PostgreSQL: a NOTIFY, delivered to every
   * node once the transaction commits).
   */
  recordOrderChangesWith(recorder: (accessionNumbers: string[], trx: Tx) => Promise<void>): void {
    this.orderRecorders.push(recorder);
  }

  /** Hears, after each commit, which orders it changed (placed, changed, booked, moved on). */
  onOrdersChanged(listener: (accessionNumbers: string[]) => void): void {
    this.orderListeners.push(listener);
  }

  /** Hears of every exam status change after its transaction committed. */
  onExamStatus(listener: (change: ExamStatusChange) => void): void {
    this.listeners.push(listener);
  }

  /** Creates or updates a patient (ADT A01, A04, A08, A31). */
  recordPatient(
    demographics: PatientDemographics,
    actor: Actor,
    also?: AlsoInTransaction<{ created: boolean; changed: string[] }>,
  ): Promise<{ created: boolean; changed: string[] }> {
    return this.run(async (work) => {
      const result = await registerPatient(work.trx, demographics, Date.now());
      work.audits.push({
        event: AuditEventId.PatientRecord,
        action: result.created ? 'C' : 'U',
        outcome: 'success',
        actor,
        patientIds: [demographics.patientId],
        detail: result.created
          ? 'patient created'
          : `updated: ${result.changed.join(', ') || 'nothing changed'}`,
      });
      return { created: result.created, changed: result.changed };
    }, also);
  }

  /** Merges the prior patient into the survivor (ADT A40); the prior's studies and orders move. */
  mergePatient(
    survivor: PatientDemographics,
    prior: { patientId: string; issuer: string },
    actor: Actor,
    also?: AlsoInTransaction<{ studies: string[]; orders: number }>,
  ): Promise<{ studies: string[]; orders: number }> {
    return this.run(async (work) => {
      const merge = await mergePatients(work.trx, survivor, prior, actorName(actor), Date.now());
      work.audits.push({
        event: AuditEventId.PatientRecord,
        action: 'U',
        outcome: 'success',
        actor,
        patientIds: [survivor.patientId, prior.patientId],
        studyUids: merge.studies,
        detail: `merged ${prior.patientId} into ${survivor.patientId}: ${merge.studies.length} studies, ${merge.orders} orders moved`,
      });
      return { studies: merge.studies, orders: merge.orders };
    }, also);
  }

  /** Places a new order; it is scheduled at once when it says when and on which modality. */
  placeOrder(request: OrderRequest, actor: Actor, source: 'hl7' | 'ui'): Promise<OrderSummary> {
    return this.run((work) => this.place(work, request, actor, source));
  }

  /** Changes an order (HL7 XO): what the request carries replaces what the order had. */
  changeOrder(reference: OrderReference, request: OrderRequest, actor: Actor): Promise<OrderSummary> {
    return this.run((work) => this.change(work, reference, request, actor));
  }

  /**
   * Moves an exam to a new status (check-in, cancellation, no-show, discontinuation, start, completion).
   * A status the exam already has is accepted without change; a move backwards is refused.
   */
  setExamStatus(
    reference: OrderReference | { orderPk: number },
    status: string,
    reason: string | undefined,
    actor: Actor,
  ): Promise<ImagingOrder> {
    return this.run((work) => this.moveExam(work, reference, status, reason, actor));
  }

  /** Applies the commands of one order message together: all of them, or none. */
  applyOrders(
    commands: readonly OrderCommand[],
    actor: Actor,
    also?: AlsoInTransaction<OrderSummary[]>,
  ): Promise<OrderSummary[]> {
    return this.run(async (work) => {
      const summaries: OrderSummary[] = [];
      for (const command of commands) {
        if (command.kind === 'place') summaries.push(await this.place(work, command.request, actor, 'hl7'));
        else if (command.kind === 'change') {
          summaries.push(await this.change(work, command.reference, command.request, actor));
        } else {
          const order = await this.moveExam(work, command.reference, command.status, command.reason, actor);
          summaries.push(summaryOf(order, await this.patientIdOf(work.trx, order)));
        }
      }
      return summaries;
    }, also);
  }

  /** Modality Worklist C-FIND (PS3.4 K.6): the matching scheduled steps, projected on the requested keys. */
  async worklist(identifier: DicomJson, maxResults: number, actor: Actor): Promise<DicomJson[]> {
    const results = await queryWorklist(this.db, identifier, maxResults);
    const patientIds = new Set<string>();
    for (const result of results) {
      const id = result['00100020']?.Value?.[0];
      if (typeof id === 'string' && patientIds.size < 100) patientIds.add(id);
    }
    this.audit.record({
      event: AuditEventId.Query,
      action: 'E',
      outcome: 'success',
      actor,
      patientIds: [...patientIds],
      detail: `modality worklist query, ${Object.keys(identifier).length} keys, ${results.length} matches`,
    });
    return results;
  }

  /** The orders the department's screens list (audited as a query). */
  async orders(filter: OrderFilter, actor: Actor): Promise<OrderView[]> {
    const orders = await listOrders(this.db, filter);
    this.audit.record({
      event: AuditEventId.Query,
      action: 'E',
      outcome: 'success',
      actor,
      patientIds: [...new Set(orders.slice(0, 100).map((o) => o.patient.patientId))],
      detail: `order list, ${orders.length} orders`,
    });
    return orders;
  }

  /** One order with its steps and status history; NotFound when unknown. */
  async order(
    accessionNumber: string,
    actor: Actor,
  ): Promise<OrderView & { history: Awaited<ReturnType<typeof examHistory>> }> {
    const [order] = await listOrders(this.db, { accessionNumber, limit: 1, offset: 0 });
    if (order === undefined) throw new AppError(ErrorCode.NotFound, `order ${accessionNumber} is unknown`);
    this.audit.record({
      event: AuditEventId.OrderRecord,
      action: 'R',
      outcome: 'success',
      actor,
      patientIds: [order.patient.patientId],
      detail: `order ${accessionNumber} read`,
    });
    return { ...order, history: await examHistory(this.db, accessionNumber) };
  }

  /**
   * Books (or moves) an exam into a slot: the order's requested time and its open steps follow, and an
   * order not yet scheduled gets its step and becomes scheduled.
   */
  schedule(accessionNumber: string, requested: ScheduleSlot, actor: Actor): Promise<OrderSummary> {
    return this.run(async (work) => {
      const { trx } = work;
      const now = Date.now();
      let order = await this.requireOrder(trx, { accessionNumber });
      if (FINAL_EXAM_STATUSES.has(order.status) || order.status === ExamStatus.InProgress) {
        throw new AppError(
          ErrorCode.Conflict,
          `exam ${accessionNumber} is ${order.status} and cannot be rescheduled`,
        );
      }
      // A booking on a station of the department takes its name and room, unless the slot says otherwise.
      const station =
        requested.stationAe === undefined || requested.stationAe === ''
          ? undefined
          : await findStation(trx, requested.stationAe);
      const modality = requested.modality ?? order.modality;
      if (station?.modality != null && modality !== null && station.modality !== modality) {
        throw new AppError(
          ErrorCode.Conflict,
          `station ${station.ae_title} is a ${station.modality} station; exam ${accessionNumber} is ${modality}`,
          'stationAe',
        );
      }
      const slot: ScheduleSlot =
        requested.stationAe === undefined
          ? requested
          : {
              ...requested,
              stationName: requested.stationName ?? station?.station_name ?? '',
              location: requested.location ?? station?.location ?? '',
            };
      order = await trx
        .updateTable('imaging_order')
        .set({
          requested_date: slot.date,
          requested_time: slot.time,
          ...(slot.modality !== undefined ? { modality: slot.modality } : {}),
          updated_at: now,
        })
        .where('pk', '=', order.pk)
        .returningAll()
        .executeTakeFirstOrThrow();
      const stationFields = {
        start_date: slot.date,
        start_time: slot.time,
        modality: order.modality,
        ...(slot.stationAe !== undefined ? { station_ae: slot.stationAe } : {}),
        ...(slot.stationName !== undefined ? { station_name: blankToNull(slot.stationName) } : {}),
        ...(slot.location !== undefined ? { location: blankToNull(slot.location) } : {}),
        ...(slot.durationMinutes !== undefined ? { duration_minutes: slot.durationMinutes } : {}),
        ...(slot.performingTechnologist !== undefined
          ? { performing_physician: blankToNull(slot.performingTechnologist) }
          : {}),
        updated_at: now,
      };
      const open = await trx
        .updateTable('procedure_step')
        .set(stationFields)
        .where('order_pk', '=', order.pk)
        .where('status', 'in', OPEN_STEP_STATUSES)
        .executeTakeFirst();
      if (Number(open.numUpdatedRows) === 0) {
        const procedure =
          order.procedure_code === null
            ? undefined
            : await catalogEntry(
                trx,
                {
                  code: order.procedure_code,
                  scheme: order.procedure_scheme ?? 'L',
                  meaning: order.procedure_description ?? order.procedure_code,
                },
                order.modality ?? undefined,
                now,
              );
        await this.scheduleSteps(
          trx,
          order,
          [
            {
              ...(slot.stationAe !== undefined ? { stationAe: slot.stationAe } : {}),
              ...(slot.stationName !== undefined ? { stationName: slot.stationName } : {}),
              ...(slot.location !== undefined ? { location: slot.location } : {}),
            },
          ],
          procedure,
          now,
        );
        // The new step takes what the slot says over the catalog's defaults.
        await trx
          .updateTable('procedure_step')
          .set(stationFields)
          .where('order_pk', '=', order.pk)
          .where('status', 'in', OPEN_STEP_STATUSES)
          .execute();
      }
      if (order.status === ExamStatus.Ordered) {
        order = await this.moveStatus(work, order, ExamStatus.Scheduled, undefined, actor, now);
      }
      const patientId = await this.patientIdOf(trx, order);
      work.audits.push({
        event: AuditEventId.OrderRecord,
        action: 'U',
        outcome: 'success',
        actor,
        patientIds: [patientId],
        detail: `exam ${accessionNumber} scheduled ${slot.date} ${slot.time}${slot.stationAe ? ` on ${slot.stationAe}` : ''}`,
      });
      work.touched.add(order.accession_number);
      return summaryOf(order, patientId);
    });
  }

  /**
   * Takes a booked exam off the calendar: its open steps are cancelled (they leave the worklist) and the
   * order waits to be booked again. Only an exam not yet begun (scheduled) can be unbooked.
   */
  unschedule(accessionNumber: string, reason: string | undefined, actor: Actor): Promise<OrderSummary> {
    return this.run(async (work) => {
      const { trx } = work;
      const now = Date.now();
      let order = await this.requireOrder(trx, { accessionNumber });
      if (order.status !== ExamStatus.Scheduled) {
        throw new AppError(
          ErrorCode.Conflict,
          `exam ${accessionNumber} is ${order.status}; only a scheduled exam can be unbooked`,
        );
      }
      await trx
        .updateTable('procedure_step')
        .set({ status: StepStatus.Canceled, updated_at: now })
        .where('order_pk', '=', order.pk)
        .where('status', 'in', OPEN_STEP_STATUSES)
        .execute();
      order = await this.moveStatus(work, order, ExamStatus.Ordered, reason ?? 'unbooked', actor, now);
      const patientId = await this.patientIdOf(trx, order);
      work.audits.push({
        event: AuditEventId.OrderRecord,
        action: 'U',
        outcome: 'success',
        actor,
        patientIds: [patientId],
        detail: `exam ${accessionNumber} unbooked`,
      });
      work.touched.add(order.accession_number);
      return summaryOf(order, patientId);
    });
  }

  /** The order a reference names, or undefined. */
  async findOrder(reference: OrderReference): Promise<ImagingOrder | undefined> {
    return this.lookupOrder(this.db, reference);
  }

  /** The order with this accession number, or undefined. */
  async orderByAccession(accessionNumber: string): Promise<ImagingOrder | undefined> {
    return this.db
      .selectFrom('imaging_order')
      .selectAll()
      .where('accession_number', '=', accessionNumber)
      .executeTakeFirst();
  }

  private async place(
    work: Work,
    request: OrderRequest,
    actor: Actor,
    source: 'hl7' | 'ui',
  ): Promise<OrderSummary> {
    const { trx } = work;
    const now = Date.now();
    const registration = await registerPatient(trx, request.patient, now);
    const { patient } = registration;
    this.auditPatientRegistration(work, registration, actor);
    await this.refuseDuplicate(trx, request);
    const procedure =
      request.procedure !== undefined
        ? await catalogEntry(trx, request.procedure, request.modality, now)
        : undefined;
    const modality = request.modality ?? request.steps?.[0]?.modality ?? procedure?.modality ?? undefined;
    // The order's rows are written once with their final values: whether it is scheduled is known
    // before it is inserted (fewer statements per order: docs/benchmarks.md, RIS).
    const planned = this.plannedSteps(
      { requested_date: blankToNull(request.requestedDate), modality: modality ?? null },
      request.steps ?? [],
      procedure,
    );
    const status = planned.length > 0 ? ExamStatus.Scheduled : ExamStatus.Ordered;
    const given = request.accessionNumber;
    let order = await trx
      .insertInto('imaging_order')
      .values({
        patient_pk: patient.pk,
        accession_number: given ?? `pending:${randomUUID()}`,
        placer_order_number: blankToNull(request.placerOrderNumber),
        placer_issuer: request.placerIssuer ?? '',
        filler_order_number: blankToNull(request.fillerOrderNumber) ?? given ?? null,
        status,
        status_reason: null,
        priority: request.priority ?? 'ROUTINE',
        reason: blankToNull(request.reason),
        procedure_code: request.procedure?.code ?? null,
        procedure_scheme: request.procedure?.scheme ?? null,
        procedure_description: request.procedure?.meaning ?? null,
        modality: modality ?? null,
        requested_date: blankToNull(request.requestedDate),
        requested_time: blankToNull(request.requestedTime),
        ordering_provider: blankToNull(request.orderingProvider),
        referring_physician: blankToNull(request.referringPhysician),
        referring_provider_id: blankToNull(request.referringProviderId),
        referring_provider_issuer: blankToNull(request.referringProviderId)
          ? blankToNull(request.referringProviderIssuer?.trim())
          : null,
        patient_location: blankToNull(request.patientLocation),
        admission_id: blankToNull(request.admissionId),
        study_instance_uid: request.studyInstanceUid ?? generateUid(),
        requested_procedure_id: request.requestedProcedureId ?? given ?? '',
        source,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (given === undefined) {
      // A generated accession number is the order's row number: known only once it is inserted.
      const accession = accessionNumberFor(order.pk);
      order = await trx
        .updateTable('imaging_order')
        .set({
          accession_number: accession,
          requested_procedure_id: request.requestedProcedureId ?? accession,
          filler_order_number: order.filler_order_number ?? accession,
        })
        .where('pk', '=', order.pk)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const history = [ExamStatus.Ordered, ...(status === ExamStatus.Scheduled ? [ExamStatus.Scheduled] : [])];
    await trx
      .insertInto('exam_event')
      .values(
        history.map((step) => ({
          order_pk: order.pk,
          status: step,
          reason: null,
          actor: actorName(actor),
          occurred_at: now,
        })),
      )
      .execute();
    await this.insertSteps(trx, order, planned, procedure, now);
    if (status === ExamStatus.Scheduled) {
      await this.announce(work, { order, previous: ExamStatus.Ordered, status });
    }
    work.audits.push({
      event: AuditEventId.OrderRecord,
      action: 'C',
      outcome: 'success',
      actor,
      patientIds: [patient.patient_id],
      detail: `order ${order.accession_number} placed (${order.status})`,
    });
    work.touched.add(order.accession_number);
    return summaryOf(order, patient.patient_id);
  }

  private async change(
    work: Work,
    reference: OrderReference,
    request: OrderRequest,
    actor: Actor,
  ): Promise<OrderSummary> {
    const { trx } = work;
    const now = Date.now();
    const current = await this.requireOrder(trx, reference);
    if (FINAL_EXAM_STATUSES.has(current.status)) {
      throw new AppError(
        ErrorCode.Conflict,
        `order ${current.accession_number} is ${current.status} and cannot change`,
      );
    }
    const registration = await registerPatient(trx, request.patient, now);
    const { patient } = registration;
    this.auditPatientRegistration(work, registration, actor);
    if (patient.pk !== current.patient_pk) {
      throw new AppError(
        ErrorCode.Conflict,
        `order ${current.accession_number} belongs to another patient; merge or move the patient first`,
        'PID-3',
      );
    }
    const fields = {
      ...(request.priority !== undefined ? { priority: request.priority } : {}),
      ...(request.reason !== undefined ? { reason: blankToNull(request.reason) } : {}),
      ...(request.procedure !== undefined
        ? {
            procedure_code: request.procedure.code,
            procedure_scheme: request.procedure.scheme,
            procedure_description: request.procedure.meaning,
          }
        : {}),
      ...(request.modality !== undefined ? { modality: request.modality } : {}),
      ...(request.requestedDate !== undefined ? { requested_date: blankToNull(request.requestedDate) } : {}),
      ...(request.requestedTime !== undefined ? { requested_time: blankToNull(request.requestedTime) } : {}),
      ...(request.orderingProvider !== undefined
        ? { ordering_provider: blankToNull(request.orderingProvider) }
        : {}),
      ...(request.referringPhysician !== undefined
        ? { referring_physician: blankToNull(request.referringPhysician) }
        : {}),
      // The provider ID gives its physician the order's study (docs/security.md): a corrected PV1-8
      // moves that access to the right physician.
      // An ID and its issuer change together: a new ID never keeps the issuer of the one it replaces.
      ...(request.referringProviderId !== undefined
        ? {
            referring_provider_id: blankToNull(request.referringProviderId),
            referring_provider_issuer: blankToNull(request.referringProviderId)
              ? blankToNull(request.referringProviderIssuer?.trim())
              : null,
          }
        : {}),
      ...(request.patientLocation !== undefined
        ? { patient_location: blankToNull(request.patientLocation) }
        : {}),
      updated_at: now,
    };
    let order = await trx
      .updateTable('imaging_order')
      .set(fields)
      .where('pk', '=', current.pk)
      .returningAll()
      .executeTakeFirstOrThrow();
    // The open steps follow the new time and modality; an order that could not be scheduled may now be.
    const open = await trx
      .selectFrom('procedure_step')
      .select('pk')
      .where('order_pk', '=', order.pk)
      .where('status', 'in', OPEN_STEP_STATUSES)
      .execute();
    if (open.length > 0) {
      await trx
        .updateTable('procedure_step')
        .set({
          start_date: order.requested_date,
          start_time: order.requested_time,
          modality: order.modality,
          updated_at: now,
        })
        .where(
          'pk',
          'in',
          open.map((s) => s.pk),
        )
        .execute();
    } else if (order.status === ExamStatus.Ordered) {
      const procedure =
        request.procedure !== undefined
          ? await catalogEntry(trx, request.procedure, request.modality, now)
          : undefined;
      if ((await this.scheduleSteps(trx, order, request.steps ?? [], procedure, now)) > 0) {
        order = await this.moveStatus(work, order, ExamStatus.Scheduled, undefined, actor, now);
      }
    }
    work.audits.push({
      event: AuditEventId.OrderRecord,
      action: 'U',
      outcome: 'success',
      actor,
      patientIds: [patient.patient_id],
      detail: `order ${order.accession_number} changed`,
    });
    work.touched.add(order.accession_number);
    return summaryOf(order, patient.patient_id);
  }

  private async moveExam(
    work: Work,
    reference: OrderReference | { orderPk: number },
    status: string,
    reason: string | undefined,
    actor: Actor,
  ): Promise<ImagingOrder> {
    const { trx } = work;
    const current =
      'orderPk' in reference
        ? await trx
            .selectFrom('imaging_order')
            .selectAll()
            .where('pk', '=', reference.orderPk)
            .executeTakeFirstOrThrow()
        : await this.requireOrder(trx, reference);
    if (current.status === status) return current;
    if (!advances(current.status, status)) {
      throw new AppError(
        ErrorCode.Conflict,
        `exam ${current.accession_number} is ${current.status}; it cannot become ${status}`,
      );
    }
    const order = await this.moveStatus(work, current, status, reason, actor, Date.now());
    work.audits.push({
      event: AuditEventId.ProcedureRecord,
      action: 'U',
      outcome: 'success',
      actor,
      patientIds: [await this.patientIdOf(trx, order)],
      studyUids: [order.study_instance_uid],
      detail: `exam ${order.accession_number} ${status}${reason ? `: ${reason}` : ''}`,
    });
    return order;
  }

  /** An order's PID that created or changed the patient is a patient record event of its own. */
  private auditPatientRegistration(work: Work, registration: PatientRegistration, actor: Actor): void {
    if (!registration.created && registration.changed.length === 0) return;
    work.audits.push({
      event: AuditEventId.PatientRecord,
      action: registration.created ? 'C' : 'U',
      outcome: 'success',
      actor,
      patientIds: [registration.patient.patient_id],
      detail: registration.created
        ? 'patient created by an order'
        : `updated by an order: ${registration.changed.join(', ')}`,
    });
  }

  private async patientIdOf(trx: Tx, order: ImagingOrder): Promise<string> {
    const patient = await trx
      .selectFrom('patient')
      .select('patient_id')
      .where('pk', '=', order.patient_pk)
      .executeTakeFirstOrThrow();
    return patient.patient_id;
  }

  private async lookupOrder(
    db: Kysely<Tables>,
    reference: OrderReference,
  ): Promise<ImagingOrder | undefined> {
    let query = db.selectFrom('imaging_order').selectAll();
    if (reference.placerOrderNumber) {
      query = query
        .where('placer_order_number', '=', reference.placerOrderNumber)
        .where('placer_issuer', '=', reference.placerIssuer ?? '');
    } else if (reference.fillerOrderNumber) {
      query = query.where('filler_order_number', '=', reference.fillerOrderNumber);
    } else if (reference.accessionNumber) {
      query = query.where('accession_number', '=', reference.accessionNumber);
    } else {
      return undefined;
    }
    return query.orderBy('pk', 'desc').executeTakeFirst();
  }

  private async requireOrder(trx: Tx, reference: OrderReference): Promise<ImagingOrder> {
    if (!reference.placerOrderNumber && !reference.fillerOrderNumber && !reference.accessionNumber) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        'the message names no order (placer or filler order number)',
        'ORC-2',
      );
    }
    const order = await this.lookupOrder(trx, reference);
    if (order === undefined) {
      const named = reference.placerOrderNumber ?? reference.fillerOrderNumber ?? reference.accessionNumber;
      throw new AppError(
        ErrorCode.NotFound,
        `order ${named} is unknown`,
        reference.placerOrderNumber ? 'ORC-2' : 'ORC-3',
      );
    }
    return order;
  }

  private async refuseDuplicate(trx: Tx, request: OrderRequest): Promise<void> {
    if (request.placerOrderNumber) {
      const found = await this.lookupOrder(trx, {
        placerOrderNumber: request.placerOrderNumber,
        ...(request.placerIssuer !== undefined ? { placerIssuer: request.placerIssuer } : {}),
      });
      if (found !== undefined) {
        throw new AppError(ErrorCode.Conflict, `order ${request.placerOrderNumber} already exists`, 'ORC-2');
      }
    }
    if (request.studyInstanceUid) {
      const found = await trx
        .selectFrom('imaging_order')
        .select('accession_number')
        .where('study_instance_uid', '=', request.studyInstanceUid)
        .executeTakeFirst();
      if (found !== undefined) {
        throw new AppError(
          ErrorCode.Conflict,
          `Study Instance UID ${request.studyInstanceUid} already belongs to order ${found.accession_number}`,
          'StudyInstanceUID',
        );
      }
    }
    if (request.accessionNumber) {
      const found = await trx
        .selectFrom('imaging_order')
        .select('pk')
        .where('accession_number', '=', request.accessionNumber)
        .executeTakeFirst();
      if (found !== undefined) {
        throw new AppError(
          ErrorCode.Conflict,
          `accession number ${request.accessionNumber} is already in use`,
          'OBR-18',
        );
      }
    }
  }

  /**
   * Creates the order's scheduled procedure steps: those the message lists (OMI's IPC segments), else one
   * from the order's requested time and modality when its procedure is scheduled automatically. Returns
   * how many were created.
   */
  private async scheduleSteps(
    trx: Tx,
    order: ImagingOrder,
    requested: readonly StepRequest[],
    procedure: ProcedureType | undefined,
    now: number,
  ): Promise<number> {
    const steps = this.plannedSteps(order, requested, procedure);
    await this.insertSteps(trx, order, steps, procedure, now);
    return steps.length;
  }

  /**
   * The steps an order gets: those the message lists (OMI's IPC segments), else one from its requested
   * time and modality when its procedure is scheduled automatically, else none.
   */
  private plannedSteps(
    order: Pick<ImagingOrder, 'requested_date' | 'modality'>,
    requested: readonly StepRequest[],
    procedure: ProcedureType | undefined,
  ): StepRequest[] {
    if (requested.length > 0) return [...requested];
    const automatic =
      (procedure?.auto_schedule ?? 1) === 1 && order.requested_date !== null && order.modality !== null;
    return automatic ? [{}] : [];
  }

  private async insertSteps(
    trx: Tx,
    order: ImagingOrder,
    steps: readonly StepRequest[],
    procedure: ProcedureType | undefined,
    now: number,
  ): Promise<void> {
    for (const step of steps) {
      const inserted = await trx
        .insertInto('procedure_step')
        .values({
          order_pk: order.pk,
          step_id: step.stepId ?? `pending:${randomUUID()}`,
          status: StepStatus.Scheduled,
          station_ae: step.stationAe ?? procedure?.station_ae ?? '',
          station_name: step.stationName ?? procedure?.station_name ?? null,
          location: step.location ?? procedure?.location ?? null,
          modality: step.modality ?? order.modality,
          start_date: order.requested_date,
          start_time: order.requested_time,
          duration_minutes: procedure?.duration_minutes ?? 30,
          performing_physician: null,
          description: step.description ?? order.procedure_description,
          protocol_code: step.protocol?.code ?? order.procedure_code,
          protocol_scheme: step.protocol?.scheme ?? order.procedure_scheme,
          protocol_meaning: step.protocol?.meaning ?? order.procedure_description,
          created_at: now,
          updated_at: now,
        })
        .returning('pk')
        .executeTakeFirstOrThrow();
      if (step.stepId === undefined) {
        await trx
          .updateTable('procedure_step')
          .set({ step_id: stepIdFor(inserted.pk) })
          .where('pk', '=', inserted.pk)
          .execute();
      }
    }
  }

  private async moveStatus(
    work: Work,
    order: ImagingOrder,
    status: string,
    reason: string | undefined,
    actor: Actor,
    now: number,
  ): Promise<ImagingOrder> {
    const { trx } = work;
    const updated = await trx
      .updateTable('imaging_order')
      .set({ status, status_reason: reason ?? null, updated_at: now })
      .where('pk', '=', order.pk)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Withdrawn or finished steps leave the worklist; the others follow the exam.
    await trx
      .updateTable('procedure_step')
      .set({ status: stepStatusOf(status), updated_at: now })
      .where('order_pk', '=', order.pk)
      .where('status', 'not in', [StepStatus.Completed, StepStatus.Discontinued, StepStatus.Canceled])
      .execute();
    await this.recordEvent(trx, order.pk, status, reason, actor, now);
    await this.announce(work, {
      order: updated,
      previous: order.status,
      status,
      ...(reason ? { reason } : {}),
    });
    return updated;
  }

  /** A status change: recorded in its transaction (outbound HL7), told to listeners once committed. */
  private async announce(work: Work, change: ExamStatusChange): Promise<void> {
    for (const recorder of this.recorders) await recorder(change, work.trx);
    work.changes.push(change);
    work.touched.add(change.order.accession_number);
  }

  /**
   * Runs one unit of work in a transaction; the audit trail and listeners hear of the exam status changes it made once it has
   * committed, never of a change that was rolled back.
   */
  private async run<T>(task: (work: Work) => Promise<T>, also?: AlsoInTransaction<T>): Promise<T> {
    const changes: ExamStatusChange[] = [];
    const audits: AuditEvent[] = [];
    const touched = new Set<string>();
    const unit = async (trx: Tx) => {
      const done = await task({ trx, changes, audits, touched });
      if (also !== undefined) await also(trx, done);
      if (touched.size > 0) for (const recorder of this.orderRecorders) await recorder([...touched], trx);
      return done;
    };
    const result = await this.transact(unit);
    for (const event of audits) this.audit.record(event);
    for (const change of changes) for (const listener of this.listeners) listener(change);
    if (touched.size > 0) for (const listener of this.orderListeners) listener([...touched]);
    return result;
  }

  private async recordEvent(
    trx: Tx,
    orderPk: number,
    status: string,
    reason: string | undefined,
    actor: Actor,
    now: number,
  ): Promise<void> {
    await trx
      .insertInto('exam_event')
      .values({
        order_pk: orderPk,
        status,
        reason: reason ?? null,
        actor: actorName(actor),
        occurred_at: now,
      })
      .execute();
  }
}

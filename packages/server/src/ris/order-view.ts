import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';

/** A scheduled procedure step as the API shows it. */
export interface StepView {
  stepId: string;
  status: string;
  stationAe: string;
  stationName: string | null;
  location: string | null;
  modality: string | null;
  startDate: string | null;
  startTime: string | null;
  durationMinutes: number;
  /** Scheduled Performing Physician's Name (0040,0006): the technologist it is assigned to. */
  performingTechnologist: string | null;
  description: string | null;
}

/** An order as the API and the web app show it. */
export interface OrderView {
  accessionNumber: string;
  status: string;
  statusReason: string | null;
  priority: string;
  patient: {
    patientId: string;
    issuer: string;
    name: string | null;
    birthDate: string | null;
    sex: string | null;
  };
  procedure: { code: string; scheme: string | null; meaning: string | null } | null;
  modality: string | null;
  requestedDate: string | null;
  requestedTime: string | null;
  reason: string | null;
  orderingProvider: string | null;
  referringPhysician: string | null;
  /** The referring physician's identifier (HL7 PV1-8.1): grants them the study (docs/security.md). */
  referringProviderId: string | null;
  /** Who issued `referringProviderId` (HL7 PV1-8.9), when known. */
  referringProviderIssuer: string | null;
  placerOrderNumber: string | null;
  fillerOrderNumber: string | null;
  studyInstanceUid: string;
  patientLocation: string | null;
  source: string;
  createdAt: number;
  updatedAt: number;
  steps: StepView[];
}

/** Filters of the order list. Dates are DICOM DA (YYYYMMDD). */
export interface OrderFilter {
  status?: readonly string[];
  modality?: string;
  /** Requested (or scheduled) date range, inclusive. */
  from?: string;
  to?: string;
  patientId?: string;
  accessionNumber?: string;
  stationAe?: string;
  /** Orders of these studies (the study list's status column). */
  studyInstanceUids?: readonly string[];
  limit: number;
  offset: number;
}

/**
 * Lists orders with their patient and steps, for the department's screens: newest requested time first
 * within the filters, paged.
 */
export async function listOrders(db: Kysely<Tables>, filter: OrderFilter): Promise<OrderView[]> {
  let query = db
    .selectFrom('imaging_order as o')
    .innerJoin('patient as p', 'p.pk', 'o.patient_pk')
    .selectAll('o')
    .select([
      'p.patient_id',
      'p.issuer_of_patient_id',
      'p.patient_name',
      'p.patient_birth_date',
      'p.patient_sex',
    ]);
  if (filter.status !== undefined && filter.status.length > 0)
    query = query.where('o.status', 'in', filter.status);
  if (filter.modality !== undefined) query = query.where('o.modality', '=', filter.modality);
  if (filter.from !== undefined) query = query.where('o.requested_date', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('o.requested_date', '<=', filter.to);
  if (filter.patientId !== undefined) query = query.where('p.patient_id', '=', filter.patientId);
  if (filter.accessionNumber !== undefined)
    query = query.where('o.accession_number', '=', filter.accessionNumber);
  if (filter.studyInstanceUids !== undefined && filter.studyInstanceUids.length > 0) {
    query = query.where('o.study_instance_uid', 'in', filter.studyInstanceUids);
  }
  if (filter.stationAe !== undefined) {
    const station = filter.stationAe;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('procedure_step as s')
          .select('s.pk')
          .whereRef('s.order_pk', '=', 'o.pk')
          .where('s.station_ae', '=', station),
      ),
    );
  }
  // Orders not yet given a date first (they need booking), the same on every database.
  const rows = await query
    .orderBy(sql`case when o.requested_date is null then 0 else 1 end`)
    .orderBy('o.requested_date', 'desc')
    .orderBy('o.requested_time', 'desc')
    .orderBy('o.pk', 'desc')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  if (rows.length === 0) return [];
  const steps = await db
    .selectFrom('procedure_step')
    .selectAll()
    .where(
      'order_pk',
      'in',
      rows.map((r) => r.pk),
    )
    .orderBy('pk')
    .execute();
  return rows.map((row) => ({
    accessionNumber: row.accession_number,
    status: row.status,
    statusReason: row.status_reason,
    priority: row.priority,
    patient: {
      patientId: row.patient_id,
      issuer: row.issuer_of_patient_id,
      name: row.patient_name,
      birthDate: row.patient_birth_date,
      sex: row.patient_sex,
    },
    procedure:
      row.procedure_code === null
        ? null
        : { code: row.procedure_code, scheme: row.procedure_scheme, meaning: row.procedure_description },
    modality: row.modality,
    requestedDate: row.requested_date,
    requestedTime: row.requested_time,
    reason: row.reason,
    orderingProvider: row.ordering_provider,
    referringPhysician: row.referring_physician,
    referringProviderId: row.referring_provider_id,
    referringProviderIssuer: row.referring_provider_issuer,
    placerOrderNumber: row.placer_order_number,
    fillerOrderNumber: row.filler_order_number,
    studyInstanceUid: row.study_instance_uid,
    patientLocation: row.patient_location,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    steps: steps
      .filter((s) => s.order_pk === row.pk)
      .map((s) => ({
        stepId: s.step_id,
        status: s.status,
        stationAe: s.station_ae,
        stationName: s.station_name,
        location: s.location,
        modality: s.modality,
        startDate: s.start_date,
        startTime: s.start_time,
        durationMinutes: s.duration_minutes,
        performingTechnologist: s.performing_physician,
        description: s.description,
      })),
  }));
}

/** The status history of an order, oldest first. */
export async function examHistory(
  db: Kysely<Tables>,
  accessionNumber: string,
): Promise<{ status: string; reason: string | null; actor: string; at: number }[]> {
  const rows = await db
    .selectFrom('exam_event as e')
    .innerJoin('imaging_order as o', 'o.pk', 'e.order_pk')
    .select(['e.status', 'e.reason', 'e.actor', 'e.occurred_at'])
    .where('o.accession_number', '=', accessionNumber)
    .orderBy('e.pk')
    .execute();
  return rows.map((r) => ({ status: r.status, reason: r.reason, actor: r.actor, at: r.occurred_at }));
}

import type { FastifyInstance } from 'fastify';
import { ExamStatus } from '../ris/exam-status.js';
import { Priority, type OrderRequest, type PriorityValue } from '../ris/order-request.js';
import type { Ris, ScheduleSlot } from '../ris/ris.js';
import { actorMay, Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

const dicomDate = { type: 'string', pattern: '^\\d{8}$' } as const;
const dicomTime = { type: 'string', pattern: '^\\d{4}(\\d{2})?$' } as const;
const shortText = { type: 'string', minLength: 1, maxLength: 64 } as const;

const orderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['patient', 'modality'],
  properties: {
    patient: {
      type: 'object',
      additionalProperties: false,
      required: ['patientId'],
      properties: {
        patientId: shortText,
        issuer: { type: 'string', maxLength: 64 },
        name: { type: 'string', maxLength: 200 },
        birthDate: dicomDate,
        sex: { type: 'string', enum: ['M', 'F', 'O'] },
      },
    },
    procedure: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'meaning'],
      properties: {
        code: shortText,
        scheme: shortText,
        meaning: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
    modality: { type: 'string', pattern: '^[A-Z]{2,16}$' },
    accessionNumber: { type: 'string', minLength: 1, maxLength: 16 },
    priority: { type: 'string', enum: Object.values(Priority) },
    requestedDate: dicomDate,
    requestedTime: dicomTime,
    reason: { type: 'string', maxLength: 200 },
    orderingProvider: { type: 'string', maxLength: 200 },
    referringPhysician: { type: 'string', maxLength: 200 },
    // The referring physician's identifier (as in HL7 PV1-8.1): it grants them the study (docs/security.md).
    referringProviderId: { type: 'string', minLength: 1, maxLength: 64 },
    // Who issued it (as in HL7 PV1-8.9): a user whose identifier names an issuer is matched by both.
    referringProviderIssuer: { type: 'string', minLength: 1, maxLength: 64 },
    stationAe: { type: 'string', minLength: 1, maxLength: 16 },
  },
} as const;

interface OrderBody {
  patient: { patientId: string; issuer?: string; name?: string; birthDate?: string; sex?: string };
  procedure?: { code: string; scheme?: string; meaning: string };
  modality: string;
  accessionNumber?: string;
  priority?: PriorityValue;
  requestedDate?: string;
  requestedTime?: string;
  reason?: string;
  orderingProvider?: string;
  referringPhysician?: string;
  referringProviderId?: string;
  referringProviderIssuer?: string;
  stationAe?: string;
}

/** Statuses the department sets by hand: check-in, no-show, cancellation, start, completion. */
const MANUAL_STATUSES = [
  ExamStatus.Arrived,
  ExamStatus.NoShow,
  ExamStatus.Cancelled,
  ExamStatus.Discontinued,
  ExamStatus.InProgress,
  ExamStatus.Completed,
];

/** Statuses that say the exam was performed (or broken off): procedure:write, not only order:write. */
const PERFORMED_STATUSES: ReadonlySet<string> = new Set([
  ExamStatus.InProgress,
  ExamStatus.Completed,
  ExamStatus.Discontinued,
]);

const statusBody = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { type: 'string', enum: MANUAL_STATUSES },
    reason: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const scheduleBody = {
  type: 'object',
  additionalProperties: false,
  required: ['date', 'time'],
  properties: {
    date: dicomDate,
    time: dicomTime,
    modality: { type: 'string', pattern: '^[A-Z]{2,16}$' },
    stationAe: { type: 'string', maxLength: 16 },
    stationName: { type: 'string', maxLength: 16 },
    location: { type: 'string', maxLength: 16 },
    durationMinutes: { type: 'integer', minimum: 5, maximum: 1440 },
    performingTechnologist: { type: 'string', maxLength: 200 },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string' },
    modality: { type: 'string' },
    from: dicomDate,
    to: dicomDate,
    patientId: { type: 'string' },
    accessionNumber: { type: 'string' },
    stationAe: { type: 'string' },
    studyInstanceUid: { type: 'string', pattern: '^[0-9.,]{1,13000}$' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

interface ListQuery {
  status?: string;
  modality?: string;
  from?: string;
  to?: string;
  patientId?: string;
  accessionNumber?: string;
  stationAe?: string;
  /** Comma-separated Study Instance UIDs. */
  studyInstanceUid?: string;
  limit: number;
  offset: number;
}

type ByAccession = { Params: { accession: string } };

/** Seconds are optional in the API; the RIS keeps TM as HHMMSS. */
function fullTime(time: string | undefined): string | undefined {
  return time === undefined ? undefined : time.padEnd(6, '0');
}

/**
 * Orders (issue #6): the list and detail the department's screens show, order entry, the scheduling
 * calendar's booking, and status changes by hand (check-in, no-show, cancellation with a reason).
 */
export function ordersRoutes(app: FastifyInstance, ris: Ris): void {
  const read = { permission: Permission.WorklistRead };
  const write = { permission: Permission.OrderWrite };

  app.get<{ Querystring: ListQuery }>(
    '/orders',
    { config: read, schema: { querystring: listQuery } },
    async (request) => {
      const q = request.query;
      return ris.orders(
        {
          ...(q.status !== undefined ? { status: q.status.split(',').filter(Boolean) } : {}),
          ...(q.modality !== undefined ? { modality: q.modality } : {}),
          ...(q.from !== undefined ? { from: q.from } : {}),
          ...(q.to !== undefined ? { to: q.to } : {}),
          ...(q.patientId !== undefined ? { patientId: q.patientId } : {}),
          ...(q.accessionNumber !== undefined ? { accessionNumber: q.accessionNumber } : {}),
          ...(q.stationAe !== undefined ? { stationAe: q.stationAe } : {}),
          limit: q.limit,
          offset: q.offset,
        },
        request.actor!,
      );
    },
  );

  app.get<ByAccession>('/orders/:accession', { config: read }, async (request) =>
    ris.order(request.params.accession, request.actor!),
  );

  app.post<{ Body: OrderBody }>(
    '/orders',
    { config: write, schema: { body: orderBody } },
    async (request, reply) => {
      const b = request.body;
      const time = fullTime(b.requestedTime);
      const order: OrderRequest = {
        patient: {
          patientId: b.patient.patientId,
          issuer: b.patient.issuer ?? '',
          ...(b.patient.name !== undefined ? { name: b.patient.name } : {}),
          ...(b.patient.birthDate !== undefined ? { birthDate: b.patient.birthDate } : {}),
          ...(b.patient.sex !== undefined ? { sex: b.patient.sex } : {}),
        },
        priority: b.priority ?? Priority.Routine,
        modality: b.modality,
        ...(b.procedure !== undefined
          ? {
              procedure: {
                code: b.procedure.code,
                scheme: b.procedure.scheme ?? 'L',
                meaning: b.procedure.meaning,
              },
            }
          : {}),
        ...(b.accessionNumber !== undefined ? { accessionNumber: b.accessionNumber } : {}),
        ...(b.requestedDate !== undefined ? { requestedDate: b.requestedDate } : {}),
        ...(time !== undefined ? { requestedTime: time } : {}),
        ...(b.reason !== undefined ? { reason: b.reason } : {}),
        ...(b.orderingProvider !== undefined ? { orderingProvider: b.orderingProvider } : {}),
        ...(b.referringPhysician !== undefined ? { referringPhysician: b.referringPhysician } : {}),
        ...(b.referringProviderId !== undefined ? { referringProviderId: b.referringProviderId } : {}),
        ...(b.referringProviderId !== undefined && b.referringProviderIssuer !== undefined
          ? { referringProviderIssuer: b.referringProviderIssuer }
          : {}),
        ...(b.stationAe !== undefined && b.requestedDate !== undefined
          ? { steps: [{ stationAe: b.stationAe }] }
          : {}),
      };
      const summary = await ris.placeOrder(order, request.actor!, 'ui');
      return reply
        .code(201)
        .header('location', `/api/orders/${encodeURIComponent(summary.accessionNumber)}`)
        .send(summary);
    },
  );

  app.post<ByAccession & { Body: { status: string; reason?: string } }>(
    '/orders/:accession/status',
    { config: write, schema: { body: statusBody } },
    async (request) => {
      const { status, reason } = request.body;
      // Starting, completing and discontinuing an exam is the technologist's (or the modality's) act.
      if (PERFORMED_STATUSES.has(status) && !actorMay(request.actor!, Permission.ProcedureWrite)) {
        throw new AppError(
          ErrorCode.Forbidden,
          `setting an exam ${status} needs the procedure:write permission`,
        );
      }
      await ris.setExamStatus({ accessionNumber: request.params.accession }, status, reason, request.actor!);
      return ris.order(request.params.accession, request.actor!);
    },
  );

  app.put<ByAccession & { Body: ScheduleSlot }>(
    '/orders/:accession/schedule',
    { config: write, schema: { body: scheduleBody } },
    async (request) => {
      const slot = { ...request.body, time: fullTime(request.body.time)! };
      await ris.schedule(request.params.accession, slot, request.actor!);
      return ris.order(request.params.accession, request.actor!);
    },
  );

  app.delete<ByAccession & { Querystring: { reason?: string } }>(
    '/orders/:accession/schedule',
    {
      config: write,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { reason: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (request) => {
      await ris.unschedule(request.params.accession, request.query.reason, request.actor!);
      return ris.order(request.params.accession, request.actor!);
    },
  );
}

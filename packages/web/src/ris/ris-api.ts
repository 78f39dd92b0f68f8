import { appFetch } from '../session/session-client';
import type {
  Hl7MessageDetail,
  Hl7MessageRow,
  ManualStatus,
  ModalityStation,
  OrderDetail,
  OrderView,
  PlacedOrder,
  PlaceOrderBody,
  ReconciliationException,
  ScheduleSlot,
} from './ris-types';

/** Filters of `GET /api/orders`; dates are DICOM DA. */
export interface OrderQuery {
  status?: readonly string[];
  modality?: string;
  from?: string;
  to?: string;
  patientId?: string;
  accessionNumber?: string;
  stationAe?: string;
  /** Orders of these studies. */
  studyInstanceUids?: readonly string[];
  limit?: number;
  offset?: number;
}

/** The query string of an order search: blank filters are left out. */
export function orderQueryString(query: OrderQuery): string {
  const params = new URLSearchParams();
  if (query.status !== undefined && query.status.length > 0) params.set('status', query.status.join(','));
  for (const key of ['modality', 'from', 'to', 'patientId', 'accessionNumber', 'stationAe'] as const) {
    const value = query[key]?.trim();
    if (value) params.set(key, value);
  }
  if (query.studyInstanceUids !== undefined && query.studyInstanceUids.length > 0) {
    params.set('studyInstanceUid', query.studyInstanceUids.join(','));
  }
  params.set('limit', String(query.limit ?? 100));
  if (query.offset) params.set('offset', String(query.offset));
  return params.toString();
}

const json = (body: unknown): RequestInit => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const byAccession = (accession: string) => `/api/orders/${encodeURIComponent(accession)}`;

/** Orders matching the filters, newest requested first. */
export async function listOrders(query: OrderQuery, signal?: AbortSignal): Promise<OrderView[]> {
  const response = await appFetch(`/api/orders?${orderQueryString(query)}`, signal ? { signal } : {});
  return (await response.json()) as OrderView[];
}

/** One order with its status history. */
export async function getOrder(accession: string, signal?: AbortSignal): Promise<OrderDetail> {
  return (await (await appFetch(byAccession(accession), signal ? { signal } : {})).json()) as OrderDetail;
}

/** Places an order. */
export async function placeOrder(body: PlaceOrderBody): Promise<PlacedOrder> {
  return (await (await appFetch('/api/orders', { method: 'POST', ...json(body) })).json()) as PlacedOrder;
}

/** Books (or moves) an exam into a slot; answers the order as it now is. */
export async function scheduleOrder(accession: string, slot: ScheduleSlot): Promise<OrderDetail> {
  const response = await appFetch(`${byAccession(accession)}/schedule`, { method: 'PUT', ...json(slot) });
  return (await response.json()) as OrderDetail;
}

/** Takes a booked exam off the calendar: it waits to be booked again. */
export async function unscheduleOrder(accession: string, reason?: string): Promise<OrderDetail> {
  const query = reason ? `?reason=${encodeURIComponent(reason)}` : '';
  const response = await appFetch(`${byAccession(accession)}/schedule${query}`, { method: 'DELETE' });
  return (await response.json()) as OrderDetail;
}

/** The department's modality stations. */
export async function listStations(signal?: AbortSignal): Promise<ModalityStation[]> {
  const response = await appFetch('/api/stations', signal ? { signal } : {});
  return (await response.json()) as ModalityStation[];
}

/** Adds or changes a station (administrators). */
export async function putStation(station: ModalityStation): Promise<ModalityStation> {
  const { aeTitle, ...body } = station;
  const response = await appFetch(`/api/stations/${encodeURIComponent(aeTitle)}`, {
    method: 'PUT',
    ...json(body),
  });
  return (await response.json()) as ModalityStation;
}

/** Removes a station (administrators); exams booked on it keep their AE title. */
export async function deleteStation(aeTitle: string): Promise<void> {
  await appFetch(`/api/stations/${encodeURIComponent(aeTitle)}`, { method: 'DELETE' });
}

/** Moves an exam to a status set by hand (check-in, start, completion, no-show, cancellation). */
export async function setExamStatus(
  accession: string,
  status: ManualStatus,
  reason?: string,
): Promise<OrderDetail> {
  const response = await appFetch(`${byAccession(accession)}/status`, {
    method: 'POST',
    ...json(reason ? { status, reason } : { status }),
  });
  return (await response.json()) as OrderDetail;
}

/** The newest HL7 messages of one direction. */
export async function listHl7Messages(
  direction: 'in' | 'out',
  limit: number,
  offset: number,
): Promise<Hl7MessageRow[]> {
  const params = new URLSearchParams({ direction, limit: String(limit), offset: String(offset) });
  return (await (await appFetch(`/api/hl7-messages?${params.toString()}`)).json()) as Hl7MessageRow[];
}

/** One HL7 message with its raw text and acknowledgement. */
export async function getHl7Message(id: number): Promise<Hl7MessageDetail> {
  return (await (await appFetch(`/api/hl7-messages/${id}`)).json()) as Hl7MessageDetail;
}

/** Applies a received message again (its new acknowledgement), or queues a refused sent one again. */
export async function replayHl7Message(
  id: number,
): Promise<{ ackCode: string; ack: string; requeued?: boolean }> {
  const response = await appFetch(`/api/hl7-messages/${id}/replay`, { method: 'POST' });
  return (await response.json()) as { ackCode: string; ack: string; requeued?: boolean };
}

/** Reconciliation exceptions in one state. */
export async function listExceptions(
  state: 'open' | 'resolved' | 'dismissed',
): Promise<ReconciliationException[]> {
  return (await (await appFetch(`/api/exceptions?state=${state}`)).json()) as ReconciliationException[];
}

/** Resolves an exception: link the study to an order, or dismiss it with a reason. */
export async function resolveException(
  id: number | string,
  resolution: { action: 'link'; accessionNumber: string } | { action: 'dismiss'; reason: string },
): Promise<ReconciliationException> {
  const response = await appFetch(`/api/exceptions/${encodeURIComponent(String(id))}/resolve`, {
    method: 'POST',
    ...json(resolution),
  });
  return (await response.json()) as ReconciliationException;
}

/** The message of a failure, as the server's problem+json `detail` gives it. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

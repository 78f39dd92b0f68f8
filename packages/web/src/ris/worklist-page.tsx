import { useCallback, useEffect, useRef, useState } from 'react';
import { hasImages } from './exam-actions';
import { MODALITIES } from './order-form';
import { errorText, listOrders } from './ris-api';
import { ageSex, dicomDate, formatDay, formatTime, personName } from './ris-format';
import type { OrderView } from './ris-types';
import {
  DayNavigation,
  ExamActionButtons,
  Messages,
  PriorityTag,
  StatusChip,
  useDebounced,
  useInterval,
  useOrderEvents,
} from './ris-widgets';
import { prefetchViewer } from '../viewer/viewer-loader';
import { worklistCounts, worklistRows } from './worklist';

/** How often the worklist asks again: the modality, the desk and HL7 change it under the technologist. */
const REFRESH_MS = 15_000;

/** The viewer's deep link for a study. */
function viewerLink(studyUid: string): string {
  return `/viewer?StudyInstanceUIDs=${encodeURIComponent(studyUid)}`;
}

/**
 * The technologist's day (issue #6): the exams of a day on a modality or station, in the order they are
 * done, with check-in, start, completion, no-show and cancellation on each row.
 */
export function WorklistPage({
  permissions,
  navigate,
}: {
  permissions: readonly string[];
  navigate: (to: string) => void;
}) {
  const today = dicomDate(new Date());
  const [date, setDate] = useState(today);
  const [modality, setModality] = useState('');
  const [station, setStation] = useState('');
  const [hideDone, setHideDone] = useState(false);
  const [orders, setOrders] = useState<OrderView[] | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [refreshed, setRefreshed] = useState<Date | null>(null);

  const rights = {
    mayChange: permissions.includes('order:write'),
    mayPerform: permissions.includes('procedure:write'),
  };
  const mayReadStudies = permissions.includes('study:read');
  const stationFilter = useDebounced(station.trim(), 300);

  // Only the newest answer is shown: a refresh that was under way when the filters changed is dropped.
  const latest = useRef(0);
  const load = useCallback(
    async (signal?: AbortSignal) => {
      const request = ++latest.current;
      try {
        const day = await listOrders(
          { from: date, to: date, modality, stationAe: stationFilter, limit: 1000 },
          signal,
        );
        if (signal?.aborted || request !== latest.current) return;
        setOrders(day);
        setRefreshed(new Date());
      } catch (e) {
        if (!signal?.aborted) setError(errorText(e));
      }
    },
    [date, modality, stationFilter],
  );
  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);
  useInterval(() => void load(), REFRESH_MS);
  useOrderEvents(() => void load());

  const replace = (updated: OrderView) =>
    setOrders((current) =>
      (current ?? []).map((o) => (o.accessionNumber === updated.accessionNumber ? updated : o)),
    );

  const rows = orders === null ? [] : worklistRows(orders, date, { hideDone });
  const counts = worklistCounts(orders ?? []);

  return (
    <main className="ris-page worklist-page">
      <div className="ris-toolbar">
        <h1>Worklist</h1>
        <DayNavigation date={date} today={today} onChange={setDate} />
        <label>
          Modality{' '}
          <select value={modality} onChange={(e) => setModality(e.target.value)}>
            <option value="">all</option>
            {MODALITIES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Station{' '}
          <input
            value={station}
            size={12}
            placeholder="AE title"
            onChange={(e) => setStation(e.target.value)}
            list="worklist-stations"
          />
          <datalist id="worklist-stations">
            {[...new Set((orders ?? []).flatMap((o) => o.steps.map((s) => s.stationAe)).filter(Boolean))].map(
              (ae) => (
                <option key={ae} value={ae} />
              ),
            )}
          </datalist>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={hideDone} onChange={(e) => setHideDone(e.target.checked)} /> Hide
          finished
        </label>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        <span className="counts" aria-live="polite">
          {formatDay(date)}: {counts.total} exams · {counts.waiting} to arrive · {counts.arrived} arrived ·{' '}
          {counts.inProgress} in progress · {counts.done} completed
          {refreshed !== null && <small> (updated {refreshed.toLocaleTimeString()})</small>}
        </span>
      </div>
      <Messages notice={notice} error={error} onDismiss={() => setError('')} />
      <table className="ris-table worklist" aria-busy={orders === null}>
        <thead>
          <tr>
            <th>Time</th>
            <th>Patient</th>
            <th>Patient ID</th>
            <th>Age/sex</th>
            <th>Procedure</th>
            <th>Modality / station</th>
            <th>Priority</th>
            <th>Status</th>
            <th>Accession</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {rows.map(({ order, step, time }) => (
            <tr
              key={order.accessionNumber}
              data-accession={order.accessionNumber}
              className={`status-row-${order.status}${order.priority === 'STAT' ? ' stat' : ''}`}
            >
              <td className="time">
                {formatTime(time) || '—'}
                {step !== undefined && <small> {step.durationMinutes}′</small>}
              </td>
              <td className="patient-name">{personName(order.patient.name) || '(no name)'}</td>
              <td>
                {order.patient.patientId}
                {order.patient.issuer && <small> {order.patient.issuer}</small>}
              </td>
              <td>{ageSex(order.patient.birthDate, order.patient.sex, date)}</td>
              <td>
                {order.procedure?.meaning ?? step?.description ?? ''}
                {order.reason && <small className="reason"> — {order.reason}</small>}
              </td>
              <td>
                {order.modality ?? ''}
                {step?.stationAe ? ` · ${step.stationAe}` : ''}
              </td>
              <td>
                <PriorityTag priority={order.priority} />
              </td>
              <td>
                <StatusChip status={order.status} reason={order.statusReason} />
              </td>
              <td>{order.accessionNumber}</td>
              <td className="row-actions">
                <ExamActionButtons
                  order={order}
                  rights={rights}
                  onChanged={(updated, action) => {
                    replace(updated);
                    setError('');
                    setNotice(`${action.label}: ${order.accessionNumber} is now ${updated.status}.`);
                  }}
                  onError={setError}
                />
                {mayReadStudies && hasImages(order.status) && (
                  <a
                    href={viewerLink(order.studyInstanceUid)}
                    onPointerEnter={prefetchViewer}
                    onFocus={prefetchViewer}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(viewerLink(order.studyInstanceUid));
                    }}
                  >
                    Open images
                  </a>
                )}
              </td>
            </tr>
          ))}
          {orders !== null && rows.length === 0 && (
            <tr>
              <td colSpan={10} className="empty">
                No exams on {formatDay(date)}
                {modality || station ? ' for these filters' : ''}.{' '}
                {rights.mayChange && (
                  <a
                    href="/orders"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate('/orders');
                    }}
                  >
                    Enter an order
                  </a>
                )}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </main>
  );
}

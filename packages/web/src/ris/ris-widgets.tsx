import { ModalForm } from '../modal-form';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { addDays, dateFromInput, dateToInput } from './ris-format';
import { examActions, statusLabel, type ExamAction, type ExamRights } from './exam-actions';
import { errorText, setExamStatus } from './ris-api';
import type { OrderDetail, OrderView } from './ris-types';

/** An exam's status as a coloured chip; the reason of a withdrawal shows on hover. */
export function StatusChip({ status, reason }: { status: string; reason?: string | null }) {
  return (
    <span className={`chip status-${status}`} title={reason ?? undefined} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}

/** A priority, loud when urgent. */
export function PriorityTag({ priority }: { priority: string }) {
  return <span className={`priority priority-${priority}`}>{priority}</span>;
}

/** A modal that asks why (cancellation, no-show, discontinuation, dismissal); Escape closes it. */
export function ReasonDialog({
  title,
  confirm,
  onConfirm,
  onCancel,
}: {
  title: string;
  confirm: string;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (reason.trim() !== '') onConfirm(reason.trim());
  };
  const missing = tried && reason.trim() === '';
  return (
    <ModalForm className="reason-dialog" label={title} onSubmit={submit} onCancel={onCancel}>
      <h2>{title}</h2>
      <label>
        Reason (required)
        <input
          ref={input}
          value={reason}
          maxLength={200}
          aria-invalid={missing}
          aria-describedby={missing ? 'reason-missing' : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      {missing && (
        <p id="reason-missing" className="field-error">
          Say why: it is kept in the exam&apos;s history.
        </p>
      )}
      <div className="dialog-buttons">
        <button type="submit" className="danger">
          {confirm}
        </button>
        <button type="button" onClick={onCancel}>
          Back
        </button>
      </div>
    </ModalForm>
  );
}

/**
 * The status changes an exam allows, as buttons; withdrawals ask for a reason first. Reports the order
 * as the server answers it, or the server's reason for refusing.
 */
export function ExamActionButtons({
  order,
  rights,
  onChanged,
  onError,
}: {
  order: OrderView;
  rights: ExamRights;
  onChanged: (order: OrderDetail, action: ExamAction) => void;
  onError: (message: string) => void;
}) {
  const [asking, setAsking] = useState<ExamAction | null>(null);
  const [busy, setBusy] = useState(false);
  const actions = examActions(order.status, rights);
  const run = async (action: ExamAction, reason?: string) => {
    setAsking(null);
    setBusy(true);
    try {
      onChanged(await setExamStatus(order.accessionNumber, action.to, reason), action);
    } catch (e) {
      onError(`${order.accessionNumber}: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };
  if (actions.length === 0) return null;
  return (
    <span className="exam-actions">
      {actions.map((action) => (
        <button
          key={action.to}
          type="button"
          className={action.withdraws ? 'danger subtle' : 'primary'}
          disabled={busy}
          onClick={() => (action.needsReason ? setAsking(action) : void run(action))}
        >
          {action.label}
        </button>
      ))}
      {asking !== null && (
        <ReasonDialog
          title={`${asking.label}: ${order.accessionNumber}`}
          confirm={asking.label}
          onConfirm={(reason) => void run(asking, reason)}
          onCancel={() => setAsking(null)}
        />
      )}
    </span>
  );
}

/** Runs a callback every `ms` while the page is shown (and not hidden in a background tab). */
export function useInterval(callback: () => void, ms: number): void {
  const saved = useRef(callback);
  useEffect(() => {
    saved.current = callback;
  }, [callback]);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    return () => window.clearInterval(timer);
  }, [ms]);
}

/** Changes arriving within this time are taken together (a booking touches one order several times). */
const ORDER_EVENTS_SETTLE_MS = 250;

/**
 * Hears which orders someone else changed (`GET /api/order-events`, Server-Sent Events), so that a
 * screen shows a booking, check-in or completion at once rather than at its next refresh; the browser
 * reconnects by itself after a drop. Pages still refresh on a timer, for what a lost connection missed.
 */
export function useOrderEvents(callback: (accessionNumbers: string[]) => void): void {
  const saved = useRef(callback);
  useEffect(() => {
    saved.current = callback;
  }, [callback]);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/order-events');
    const changed = new Set<string>();
    let timer: number | undefined;
    source.addEventListener('orders', (event) => {
      const { accessionNumbers } = JSON.parse((event as MessageEvent<string>).data) as {
        accessionNumbers: string[];
      };
      for (const accession of accessionNumbers) changed.add(accession);
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const list = [...changed];
        changed.clear();
        saved.current(list);
      }, ORDER_EVENTS_SETTLE_MS);
    });
    return () => {
      window.clearTimeout(timer);
      source.close();
    };
  }, []);
}

/** The messages line of a page: what was done, or what went wrong (with the server's detail). */
export function Messages({
  notice,
  error,
  onDismiss,
}: {
  notice: string;
  error: string;
  onDismiss: () => void;
}) {
  return (
    <div className="messages">
      {error !== '' && (
        <p className="error" role="alert">
          {error}{' '}
          <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss the message">
            ×
          </button>
        </p>
      )}
      <p className="notice-ok" role="status">
        {error === '' ? notice : ''}
      </p>
    </div>
  );
}

/** A value that follows another once it has stopped changing for `ms` (typing in a filter). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Previous day, today, next day and a date picker (the worklist's and the schedule's day). */
export function DayNavigation({
  date,
  today,
  onChange,
  children,
}: {
  date: string;
  today: string;
  onChange: (date: string) => void;
  children?: ReactNode;
}) {
  return (
    <nav className="day-nav" aria-label="Day">
      <button type="button" onClick={() => onChange(addDays(date, -1))} aria-label="Previous day">
        ◀
      </button>
      <button type="button" onClick={() => onChange(today)} disabled={date === today}>
        Today
      </button>
      <button type="button" onClick={() => onChange(addDays(date, 1))} aria-label="Next day">
        ▶
      </button>
      <label>
        <span className="visually-hidden">Date</span>
        <input
          type="date"
          value={dateToInput(date)}
          onChange={(e) => {
            const picked = dateFromInput(e.target.value);
            if (picked) onChange(picked);
          }}
        />
      </label>
      {children}
    </nav>
  );
}

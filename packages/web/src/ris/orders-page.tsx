import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { EXAM_STATUSES, mayReschedule, statusLabel } from './exam-actions';
import {
  EMPTY_ORDER_FORM,
  MODALITIES,
  orderBody,
  PRIORITIES,
  validateOrderForm,
  type OrderForm,
  type OrderFormErrors,
} from './order-form';
import { errorText, getOrder, listOrders, placeOrder, type OrderQuery } from './ris-api';
import {
  ageSex,
  dateFromInput,
  dicomDate,
  formatDate,
  formatTime,
  formatTimestamp,
  personName,
} from './ris-format';
import type { OrderDetail, OrderView, PlacedOrder } from './ris-types';
import { ExamActionButtons, Messages, PriorityTag, StatusChip, useOrderEvents } from './ris-widgets';

interface Search {
  patientId: string;
  accessionNumber: string;
  status: string;
  from: string;
  to: string;
}

const EMPTY_SEARCH: Search = { patientId: '', accessionNumber: '', status: '', from: '', to: '' };
const PAGE_SIZE = 50;

/**
 * Order entry (issue #6): a form with its checks, the accession number of the order placed, and the
 * order list with each order's history and status changes.
 */
export function OrdersPage({
  permissions,
  navigate,
}: {
  permissions: readonly string[];
  navigate: (to: string) => void;
}) {
  const today = dicomDate(new Date());
  const [form, setForm] = useState<OrderForm>(EMPTY_ORDER_FORM);
  const [errors, setErrors] = useState<OrderFormErrors>({});
  const [submitting, setSubmitting] = useState(false);
  const [placed, setPlaced] = useState<PlacedOrder | null>(null);
  const [formError, setFormError] = useState('');
  const firstField = useRef<HTMLInputElement>(null);

  const [searchForm, setSearchForm] = useState<Search>(EMPTY_SEARCH);
  const [search, setSearch] = useState<Search>(EMPTY_SEARCH);
  const [offset, setOffset] = useState(0);
  const [orders, setOrders] = useState<OrderView[] | null>(null);
  const [listError, setListError] = useState('');
  const [notice, setNotice] = useState('');
  const [open, setOpen] = useState<OrderDetail | null>(null);

  const rights = {
    mayChange: permissions.includes('order:write'),
    mayPerform: permissions.includes('procedure:write'),
  };

  const load = useCallback(async () => {
    const query: OrderQuery = {
      patientId: search.patientId,
      accessionNumber: search.accessionNumber,
      from: dateFromInput(search.from),
      to: dateFromInput(search.to),
      ...(search.status ? { status: [search.status] } : {}),
      limit: PAGE_SIZE + 1,
      offset,
    };
    try {
      setOrders(await listOrders(query));
      setListError('');
    } catch (e) {
      setListError(errorText(e));
    }
  }, [search, offset]);
  useEffect(() => void load(), [load]);
  useOrderEvents(() => void load());

  const set = <K extends keyof OrderForm>(key: K, value: OrderForm[K]) => {
    const next = { ...form, [key]: value };
    setForm(next);
    // Once a field was flagged, say as soon as it is right.
    if (Object.keys(errors).length > 0) setErrors(validateOrderForm(next, today));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateOrderForm(form, today);
    setErrors(found);
    setFormError('');
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0];
      document.querySelector<HTMLElement>(`.order-form [name="${first}"]`)?.focus();
      return;
    }
    setSubmitting(true);
    try {
      const result = await placeOrder(orderBody(form));
      setPlaced(result);
      setForm(EMPTY_ORDER_FORM);
      setErrors({});
      firstField.current?.focus();
      // The new order heads the list, whatever the search shows.
      const detail = await getOrder(result.accessionNumber).catch(() => undefined);
      if (detail !== undefined)
        setOrders((current) => [
          detail,
          ...(current ?? []).filter((o) => o.accessionNumber !== detail.accessionNumber),
        ]);
    } catch (e) {
      setFormError(errorText(e));
    } finally {
      setSubmitting(false);
    }
  };

  const toggle = async (accession: string) => {
    if (open?.accessionNumber === accession) return setOpen(null);
    try {
      setOpen(await getOrder(accession));
    } catch (e) {
      setListError(errorText(e));
    }
  };

  const field = (
    key: keyof OrderForm,
    label: string,
    input: (props: {
      name: string;
      id: string;
      'aria-invalid': boolean;
      'aria-describedby': string | undefined;
    }) => ReactNode,
    className = '',
  ) => {
    const error = errors[key];
    const id = `order-${key}`;
    return (
      <div className={`form-field ${className}`}>
        <label htmlFor={id}>{label}</label>
        {input({
          name: key,
          id,
          'aria-invalid': error !== undefined,
          'aria-describedby': error !== undefined ? `${id}-error` : undefined,
        })}
        {error !== undefined && (
          <span id={`${id}-error`} className="field-error">
            {error}
          </span>
        )}
      </div>
    );
  };
  const text =
    (key: keyof OrderForm, extra: Record<string, unknown> = {}) =>
    (props: object) => (
      <input
        {...props}
        {...extra}
        value={form[key]}
        onChange={(e) => set(key, e.target.value as OrderForm[typeof key])}
      />
    );

  const rows = orders?.slice(0, PAGE_SIZE) ?? [];
  const more = (orders?.length ?? 0) > PAGE_SIZE;
  const scheduleLink = (date: string | null) => `/schedule${date ? `?date=${date}` : ''}`;

  return (
    <main className="ris-page orders-page">
      <h1>Orders</h1>
      <form className="order-form" onSubmit={(e) => void submit(e)} aria-label="New order" noValidate>
        <fieldset>
          <legend>Patient</legend>
          {field('patientId', 'Patient ID *', (p) => (
            <input
              {...p}
              ref={firstField}
              value={form.patientId}
              autoComplete="off"
              onChange={(e) => set('patientId', e.target.value)}
            />
          ))}
          {field('issuer', 'Issuer', text('issuer', { size: 8, placeholder: 'HOSP' }))}
          {field('family', 'Family name', text('family'))}
          {field('given', 'Given name', text('given'))}
          {field('birthDate', 'Birth date', text('birthDate', { type: 'date', max: formatDate(today) }))}
          {field('sex', 'Sex', (p) => (
            <select {...p} value={form.sex} onChange={(e) => set('sex', e.target.value as OrderForm['sex'])}>
              <option value="">unknown</option>
              <option value="F">F</option>
              <option value="M">M</option>
              <option value="O">O</option>
            </select>
          ))}
        </fieldset>
        <fieldset>
          <legend>Exam</legend>
          {field('modality', 'Modality *', (p) => (
            <select {...p} value={form.modality} onChange={(e) => set('modality', e.target.value)}>
              <option value="">choose…</option>
              {MODALITIES.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          ))}
          {field('procedureCode', 'Procedure code', text('procedureCode', { size: 10 }))}
          {field('procedureMeaning', 'Procedure description', text('procedureMeaning'), 'wide')}
          {field('priority', 'Priority', (p) => (
            <select
              {...p}
              value={form.priority}
              onChange={(e) => set('priority', e.target.value as OrderForm['priority'])}
            >
              {PRIORITIES.map((priority) => (
                <option key={priority}>{priority}</option>
              ))}
            </select>
          ))}
          {field('reason', 'Reason for the exam', text('reason'), 'wide')}
          {field(
            'referringPhysician',
            'Referring physician',
            text('referringPhysician', { placeholder: 'Family, Given' }),
          )}
          {field(
            'referringProviderId',
            'Referring provider ID',
            text('referringProviderId', { size: 12, placeholder: 'e.g. NPI' }),
          )}
        </fieldset>
        <fieldset>
          <legend>Booking (optional)</legend>
          {field('date', 'Date', text('date', { type: 'date', min: formatDate(today) }))}
          {field('time', 'Time', text('time', { type: 'time', step: 300 }))}
          {field('stationAe', 'Station AE title', text('stationAe', { size: 12 }))}
          <p className="hint">
            Without a date the order waits in the schedule&apos;s list, to be booked there.
          </p>
        </fieldset>
        <div className="form-buttons">
          <button type="submit" className="primary" disabled={submitting}>
            Place order
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(EMPTY_ORDER_FORM);
              setErrors({});
            }}
          >
            Clear
          </button>
          {Object.keys(errors).length > 0 && (
            <span className="field-error" role="alert">
              Check the fields marked in red.
            </span>
          )}
          {formError !== '' && (
            <span className="error" role="alert">
              The order was not placed: {formError}
            </span>
          )}
        </div>
        <p className="placed" role="status">
          {placed !== null && (
            <>
              Order placed for patient {placed.patientId}: accession{' '}
              <strong data-accession={placed.accessionNumber}>{placed.accessionNumber}</strong> (
              {statusLabel(placed.status)}).{' '}
              <a
                href={scheduleLink(null)}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(scheduleLink(null));
                }}
              >
                {placed.status === 'ordered' ? 'Book it in the schedule' : 'See the schedule'}
              </a>
            </>
          )}
        </p>
      </form>

      <h2>Find orders</h2>
      <form
        className="study-search"
        aria-label="Search orders"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setSearch({ ...searchForm });
        }}
      >
        <label>
          Patient ID
          <input
            value={searchForm.patientId}
            onChange={(e) => setSearchForm({ ...searchForm, patientId: e.target.value })}
          />
        </label>
        <label>
          Accession
          <input
            value={searchForm.accessionNumber}
            onChange={(e) => setSearchForm({ ...searchForm, accessionNumber: e.target.value })}
          />
        </label>
        <label>
          Status
          <select
            value={searchForm.status}
            onChange={(e) => setSearchForm({ ...searchForm, status: e.target.value })}
          >
            <option value="">any</option>
            {EXAM_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            type="date"
            value={searchForm.from}
            onChange={(e) => setSearchForm({ ...searchForm, from: e.target.value })}
          />
        </label>
        <label>
          To
          <input
            type="date"
            value={searchForm.to}
            onChange={(e) => setSearchForm({ ...searchForm, to: e.target.value })}
          />
        </label>
        <button type="submit">Search</button>
        <button
          type="button"
          onClick={() => {
            setSearchForm(EMPTY_SEARCH);
            setOffset(0);
            setSearch({ ...EMPTY_SEARCH });
          }}
        >
          Clear
        </button>
      </form>
      <Messages notice={notice} error={listError} onDismiss={() => setListError('')} />
      <table className="ris-table orders" aria-busy={orders === null}>
        <thead>
          <tr>
            <th aria-label="History" />
            <th>Requested</th>
            <th>Patient</th>
            <th>Patient ID</th>
            <th>Age/sex</th>
            <th>Accession</th>
            <th>Procedure</th>
            <th>Modality</th>
            <th>Priority</th>
            <th>Status</th>
            <th>Source</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {rows.map((order) => {
            const expanded = open?.accessionNumber === order.accessionNumber;
            return [
              <tr key={order.accessionNumber} data-accession={order.accessionNumber}>
                <td>
                  <button
                    type="button"
                    className="expand"
                    aria-expanded={expanded}
                    aria-label={`History of ${order.accessionNumber}`}
                    onClick={() => void toggle(order.accessionNumber)}
                  >
                    {expanded ? '▾' : '▸'}
                  </button>
                </td>
                <td className="nowrap">
                  {order.requestedDate ? (
                    `${formatDate(order.requestedDate)} ${formatTime(order.requestedTime)}`
                  ) : (
                    <span className="muted">not booked</span>
                  )}
                </td>
                <td className="patient-name">{personName(order.patient.name) || '(no name)'}</td>
                <td>{order.patient.patientId}</td>
                <td>{ageSex(order.patient.birthDate, order.patient.sex, today)}</td>
                <td>{order.accessionNumber}</td>
                <td>{order.procedure?.meaning ?? ''}</td>
                <td>{order.modality ?? ''}</td>
                <td>
                  <PriorityTag priority={order.priority} />
                </td>
                <td>
                  <StatusChip status={order.status} reason={order.statusReason} />
                </td>
                <td>{order.source === 'hl7' ? 'HL7' : 'entered'}</td>
                <td className="row-actions">
                  <ExamActionButtons
                    order={order}
                    rights={rights}
                    onChanged={(updated, action) => {
                      setOrders((current) =>
                        (current ?? []).map((o) =>
                          o.accessionNumber === updated.accessionNumber ? updated : o,
                        ),
                      );
                      if (expanded) setOpen(updated);
                      setNotice(
                        `${action.label}: ${order.accessionNumber} is now ${statusLabel(updated.status)}.`,
                      );
                    }}
                    onError={setListError}
                  />
                  {mayReschedule(order.status) && (
                    <a
                      href={scheduleLink(order.requestedDate)}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(scheduleLink(order.requestedDate));
                      }}
                    >
                      {order.status === 'ordered' ? 'Book' : 'Schedule'}
                    </a>
                  )}
                </td>
              </tr>,
              expanded && (
                <tr key={`${order.accessionNumber}-history`} className="detail-row">
                  <td colSpan={12}>
                    <OrderSummary order={open} />
                  </td>
                </tr>
              ),
            ];
          })}
          {orders !== null && rows.length === 0 && (
            <tr>
              <td colSpan={12} className="empty">
                No orders match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
        >
          Previous
        </button>
        <span>
          {rows.length === 0 ? 0 : offset + 1}–{offset + rows.length}
        </span>
        <button type="button" disabled={!more} onClick={() => setOffset(offset + PAGE_SIZE)}>
          Next
        </button>
      </nav>
    </main>
  );
}

/** An order's particulars, its steps and its status history. */
function OrderSummary({ order }: { order: OrderDetail }) {
  return (
    <div className="order-summary">
      <dl>
        <dt>Reason</dt>
        <dd>{order.reason ?? '—'}</dd>
        <dt>Referring</dt>
        <dd>
          {personName(order.referringPhysician) || '—'}
          {order.referringProviderId !== null
            ? ` (ID ${order.referringProviderId}${order.referringProviderIssuer !== null ? `, issued by ${order.referringProviderIssuer}` : ''})`
            : ''}
        </dd>
        <dt>Ordering</dt>
        <dd>{personName(order.orderingProvider) || '—'}</dd>
        <dt>Placer / filler</dt>
        <dd>
          {order.placerOrderNumber ?? '—'} / {order.fillerOrderNumber ?? '—'}
        </dd>
        <dt>Location</dt>
        <dd>{order.patientLocation ?? '—'}</dd>
        <dt>Study UID</dt>
        <dd className="uid">{order.studyInstanceUid}</dd>
      </dl>
      <div>
        <h3>Steps</h3>
        <ul>
          {order.steps.map((s) => (
            <li key={s.stepId}>
              {s.stepId} {s.status} {formatDate(s.startDate)} {formatTime(s.startTime)}{' '}
              {s.stationAe || 'unassigned'} ({s.durationMinutes} min)
            </li>
          ))}
          {order.steps.length === 0 && <li>not booked</li>}
        </ul>
      </div>
      <div>
        <h3>History</h3>
        <ol className="history">
          {order.history.map((h, i) => (
            <li key={i}>
              {formatTimestamp(h.at)} <StatusChip status={h.status} /> by {h.actor}
              {h.reason ? `: ${h.reason}` : ''}
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}

import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import {
  bookedStep,
  calendarBlocks,
  calendarColumns,
  DAY_END_MINUTES,
  DAY_START_MINUTES,
  dropSlot,
  SLOT_COUNT,
  SLOT_MINUTES,
  slotBooking,
  slotLabel,
  slotTime,
  UNASSIGNED,
  waitingList,
  withBooking,
  type CalendarBlock,
} from './calendar-layout';
import { mayReschedule } from './exam-actions';
import {
  deleteStation,
  errorText,
  listOrders,
  listStations,
  putStation,
  scheduleOrder,
  unscheduleOrder,
} from './ris-api';
import {
  ageSex,
  dateFromInput,
  dateToInput,
  dicomDate,
  formatDate,
  formatDay,
  formatTime,
  personName,
  personNameFromText,
  timeFromInput,
} from './ris-format';
import type { ModalityStation, OrderView, ScheduleSlot } from './ris-types';
import { DayNavigation, Messages, PriorityTag, StatusChip, useInterval, useOrderEvents } from './ris-widgets';

/** Height of a 15-minute slot in CSS pixels. */
const SLOT_HEIGHT = 22;
const REFRESH_MS = 30_000;

/** What is being dragged: an exam, where it was grabbed (in slots from its top) and how tall it is. */
interface Drag {
  accession: string;
  grabSlots: number;
  heightSlots: number;
}

const stationLabel = (station: string) => (station === UNASSIGNED ? 'Unassigned' : station);

/**
 * The scheduling calendar (issue #6): one column per station, 07:00–20:00 in 15-minute slots, each exam a
 * block sized by its duration and coloured by its status. Exams are moved by dragging (booked at once,
 * put back with the server's reason when refused) or, from the keyboard, by selecting one and filling
 * in "Move to". Orders not yet booked wait in the list beside it and are dragged in the same way.
 */
export function SchedulePage({
  permissions,
  initialDate,
  navigate,
}: {
  permissions: readonly string[];
  initialDate?: string | undefined;
  navigate: (to: string) => void;
}) {
  const today = dicomDate(new Date());
  const mayWrite = permissions.includes('order:write');
  const mayAdminister = permissions.includes('admin');
  const [date, setDateState] = useState(initialDate && /^\d{8}$/.test(initialDate) ? initialDate : today);
  const [dayOrders, setDayOrders] = useState<OrderView[] | null>(null);
  const [waiting, setWaiting] = useState<OrderView[]>([]);
  const [stations, setStations] = useState<ModalityStation[]>([]);
  const [newStation, setNewStation] = useState({ aeTitle: '', location: '', modality: '' });
  const [showWithdrawn, setShowWithdrawn] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [hover, setHover] = useState<{ station: string; slot: number } | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const pending = useRef(0);
  // Only the newest answer is shown: a load under way when the day changed or an exam moved is dropped.
  const latest = useRef(0);
  const [focusMove, setFocusMove] = useState(false);

  const setDate = (next: string) => {
    setDateState(next);
    setSelected(null);
    window.history.replaceState(null, '', `/schedule?date=${next}`);
  };

  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const [day, ordered, registered] = await Promise.all([
        listOrders({ from: date, to: date, limit: 1000 }),
        mayWrite ? listOrders({ status: ['ordered'], limit: 500 }) : Promise.resolve([]),
        listStations(),
      ]);
      setStations(registered);
      // A move still on its way to the server is shown as it will be: do not show it where it was.
      if (pending.current > 0 || request !== latest.current) return;
      setDayOrders(day);
      setWaiting(ordered);
    } catch (e) {
      setError(errorText(e));
    }
  }, [date, mayWrite]);
  useEffect(() => {
    setDayOrders(null);
    void load();
  }, [load]);
  useInterval(() => {
    if (drag === null && pending.current === 0) void load();
  }, REFRESH_MS);
  useOrderEvents(() => {
    if (drag === null && pending.current === 0) void load();
  });

  const blocks = calendarBlocks(dayOrders ?? [], date, { showWithdrawn });
  const columns = calendarColumns(
    blocks,
    stations.map((s) => s.aeTitle),
  );
  const stationOf = (aeTitle: string) => stations.find((s) => s.aeTitle === aeTitle);
  const waitingOrders = waitingList(waiting);
  const all = [...(dayOrders ?? []), ...waiting];
  const selectedOrder = all.find((o) => o.accessionNumber === selected);

  /** Books an exam into a slot: shown at once, put back (with the server's reason) when refused. */
  const book = async (accession: string, booking: ScheduleSlot) => {
    const order = all.find((o) => o.accessionNumber === accession);
    if (order === undefined) return;
    const before = { day: dayOrders, waiting };
    const moved = withBooking(order, booking);
    setDayOrders((current) => [
      ...(current ?? []).filter((o) => o.accessionNumber !== accession),
      ...(booking.date === date ? [moved] : []),
    ]);
    setWaiting((current) => current.filter((o) => o.accessionNumber !== accession));
    setError('');
    const where = `${formatTime(booking.time)} on ${booking.stationAe ? booking.stationAe : 'no station'}`;
    setNotice(`Moving ${accession} to ${where}…`);
    pending.current += 1;
    latest.current += 1;
    try {
      const updated = await scheduleOrder(accession, booking);
      setDayOrders((current) => [
        ...(current ?? []).filter((o) => o.accessionNumber !== accession),
        ...(updated.requestedDate === date ? [updated] : []),
      ]);
      setNotice(
        `${accession} (${personName(order.patient.name) || order.patient.patientId}) booked ${
          booking.date === date ? '' : `${formatDate(booking.date)} `
        }${where}.`,
      );
    } catch (e) {
      setDayOrders(before.day);
      setWaiting(before.waiting);
      setNotice('');
      setError(`${accession} was not moved: ${errorText(e)}`);
    } finally {
      pending.current -= 1;
    }
  };

  const slotUnder = (event: DragEvent<HTMLElement>, grabSlots: number) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return dropSlot(event.clientY - rect.top, SLOT_HEIGHT, grabSlots);
  };

  const startDrag = (
    event: DragEvent<HTMLElement>,
    order: OrderView,
    heightSlots: number,
    fromCalendar: boolean,
  ) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const grabSlots = fromCalendar ? Math.floor((event.clientY - rect.top) / SLOT_HEIGHT) : 0;
    event.dataTransfer.setData('text/plain', order.accessionNumber);
    event.dataTransfer.effectAllowed = 'move';
    setDrag({ accession: order.accessionNumber, grabSlots: Math.max(0, grabSlots), heightSlots });
  };
  const toggleSelected = (accession: string, fromKeyboard = false) => {
    setSelected(selected === accession ? null : accession);
    setFocusMove(fromKeyboard);
  };
  const endDrag = () => {
    setDrag(null);
    setHover(null);
  };

  /** Takes an exam off the calendar: it goes back to the list of exams to book. */
  const unbook = async (accession: string) => {
    setError('');
    try {
      const updated = await unscheduleOrder(accession, 'unbooked by the scheduler');
      setDayOrders((current) => (current ?? []).filter((o) => o.accessionNumber !== accession));
      setWaiting((current) => [...current.filter((o) => o.accessionNumber !== accession), updated]);
      setNotice(`${accession} unbooked: it waits to be booked again.`);
    } catch (e) {
      setError(`${accession} was not unbooked: ${errorText(e)}`);
    }
  };

  /** Registers a station of the department (administrators): a column of the calendar from then on. */
  const addStation = async (event: FormEvent) => {
    event.preventDefault();
    const aeTitle = newStation.aeTitle.trim();
    if (aeTitle === '' || aeTitle.length > 16 || aeTitle.includes('\\')) {
      setError('A station is its AE title: up to 16 characters, no backslash.');
      return;
    }
    if (newStation.modality !== '' && !/^[A-Z]{2,16}$/.test(newStation.modality)) {
      setError('Modality: a DICOM modality code such as CT or MR.');
      return;
    }
    try {
      const station = await putStation({
        aeTitle,
        stationName: null,
        location: newStation.location.trim() || null,
        modality: newStation.modality || null,
        description: null,
      });
      setStations((current) => [...current.filter((s) => s.aeTitle !== aeTitle), station]);
      setNewStation({ aeTitle: '', location: '', modality: '' });
      setError('');
      setNotice(`Station ${aeTitle} added.`);
    } catch (e) {
      setError(`Station ${aeTitle} was not added: ${errorText(e)}`);
    }
  };

  const removeStation = async (aeTitle: string) => {
    try {
      await deleteStation(aeTitle);
      setStations((current) => current.filter((s) => s.aeTitle !== aeTitle));
      setNotice(`Station ${aeTitle} removed.`);
    } catch (e) {
      setError(`Station ${aeTitle} was not removed: ${errorText(e)}`);
    }
  };

  const now = new Date();
  const nowMinutes = now.getHours() * 60 + now.getMinutes();
  const showNow = date === today && nowMinutes >= DAY_START_MINUTES && nowMinutes < DAY_END_MINUTES;

  return (
    <main className="ris-page schedule-page">
      <div className="ris-toolbar">
        <h1>Schedule</h1>
        <DayNavigation date={date} today={today} onChange={setDate}>
          <strong>{formatDay(date)}</strong>
        </DayNavigation>
        {mayAdminister && (
          <form className="add-station" onSubmit={(e) => void addStation(e)} aria-label="Add a station">
            <label>
              Station{' '}
              <input
                value={newStation.aeTitle}
                size={10}
                placeholder="AE title"
                onChange={(e) => setNewStation({ ...newStation, aeTitle: e.target.value })}
              />
            </label>{' '}
            <label>
              Room{' '}
              <input
                value={newStation.location}
                size={8}
                maxLength={16}
                onChange={(e) => setNewStation({ ...newStation, location: e.target.value })}
              />
            </label>{' '}
            <label>
              Modality{' '}
              <input
                value={newStation.modality}
                size={4}
                placeholder="CT"
                onChange={(e) => setNewStation({ ...newStation, modality: e.target.value.toUpperCase() })}
              />
            </label>
            <button type="submit">Add station</button>
          </form>
        )}
        <label className="checkbox">
          <input
            type="checkbox"
            checked={showWithdrawn}
            onChange={(e) => setShowWithdrawn(e.target.checked)}
          />{' '}
          Show cancelled
        </label>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <Messages notice={notice} error={error} onDismiss={() => setError('')} />
      <div className="schedule-body">
        <aside className="schedule-side">
          {mayWrite && (
            <section aria-labelledby="waiting-heading">
              <h2 id="waiting-heading">To book ({waitingOrders.length})</h2>
              <ul className="waiting-list">
                {waitingOrders.map((order) => (
                  <li
                    key={order.accessionNumber}
                    data-accession={order.accessionNumber}
                    draggable
                    className={`waiting-item${selected === order.accessionNumber ? ' selected' : ''}${
                      order.priority === 'STAT' ? ' stat' : ''
                    }`}
                    role="button"
                    tabIndex={0}
                    aria-pressed={selected === order.accessionNumber}
                    onClick={() => toggleSelected(order.accessionNumber)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        toggleSelected(order.accessionNumber, true);
                      }
                    }}
                    onDragStart={(e) => startDrag(e, order, 2, false)}
                    onDragEnd={endDrag}
                  >
                    <PriorityTag priority={order.priority} />{' '}
                    <strong>{personName(order.patient.name) || '(no name)'}</strong>{' '}
                    <small>{order.patient.patientId}</small>
                    <br />
                    {order.modality} {order.procedure?.meaning ?? ''} <small>{order.accessionNumber}</small>
                    {order.requestedDate && (
                      <small>
                        {' '}
                        · asked {formatDate(order.requestedDate)} {formatTime(order.requestedTime)}
                      </small>
                    )}
                  </li>
                ))}
                {waitingOrders.length === 0 && <li className="empty">Every order is booked.</li>}
              </ul>
            </section>
          )}
          {selectedOrder !== undefined && (
            <MoveForm
              key={`${selectedOrder.accessionNumber} ${selectedOrder.requestedDate ?? ''} ${
                selectedOrder.requestedTime ?? ''
              } ${selectedOrder.steps.map((s) => `${s.stationAe}/${s.durationMinutes}`).join()}`}
              order={selectedOrder}
              date={date}
              columns={columns}
              mayWrite={mayWrite}
              autoFocus={focusMove}
              onMove={(booking) => void book(selectedOrder.accessionNumber, booking)}
              onUnbook={() => void unbook(selectedOrder.accessionNumber)}
              onClose={() => {
                const accession = selectedOrder.accessionNumber;
                setSelected(null);
                // Back to the exam the keyboard came from.
                document
                  .querySelector<HTMLElement>(`[data-accession="${CSS.escape(accession)}"][tabindex]`)
                  ?.focus();
              }}
              onWorklist={() => navigate('/worklist')}
            />
          )}
          {selectedOrder === undefined && mayWrite && (
            <p className="hint">
              Drag an exam to a slot, or select it (Tab, Enter) to move it with the form. New orders:{' '}
              <a
                href="/orders"
                onClick={(e) => {
                  e.preventDefault();
                  navigate('/orders');
                }}
              >
                Orders
              </a>
              .
            </p>
          )}
        </aside>
        <div className="calendar-scroll">
          <div
            className="calendar"
            style={{ gridTemplateColumns: `52px repeat(${columns.length}, minmax(150px, 1fr))` }}
            aria-busy={dayOrders === null}
          >
            <div className="calendar-corner" />
            {columns.map((station) => {
              const empty = !blocks.some((b) => b.station === station);
              const registered = stationOf(station);
              const where = [registered?.location, registered?.modality].filter(Boolean).join(' · ');
              return (
                <div key={`h-${station}`} className="calendar-head" role="columnheader">
                  {stationLabel(station)}
                  {where !== '' && <small className="station-detail"> {where}</small>}
                  {registered !== undefined && empty && mayAdminister && (
                    <button
                      type="button"
                      className="link"
                      aria-label={`Remove station ${station}`}
                      onClick={() => void removeStation(station)}
                    >
                      ×
                    </button>
                  )}
                </div>
              );
            })}
            <div className="calendar-times" style={{ height: SLOT_COUNT * SLOT_HEIGHT }}>
              {Array.from({ length: SLOT_COUNT }, (_, slot) =>
                slot % 2 === 0 ? (
                  <span key={slot} style={{ top: slot * SLOT_HEIGHT }}>
                    {slotLabel(slot)}
                  </span>
                ) : null,
              )}
            </div>
            {columns.map((station) => (
              <div
                key={`c-${station}`}
                className="calendar-column"
                data-station={station}
                aria-label={stationLabel(station)}
                role="group"
                style={{ height: SLOT_COUNT * SLOT_HEIGHT }}
                onDragOver={(e) => {
                  if (drag === null) return;
                  e.preventDefault();
                  e.dataTransfer.dropEffect = 'move';
                  const slot = slotUnder(e, drag.grabSlots);
                  if (hover?.station !== station || hover.slot !== slot) setHover({ station, slot });
                }}
                onDragLeave={(e) => {
                  if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setHover(null);
                }}
                onDrop={(e) => {
                  e.preventDefault();
                  const accession = drag?.accession ?? e.dataTransfer.getData('text/plain');
                  const slot = slotUnder(e, drag?.grabSlots ?? 0);
                  endDrag();
                  if (!accession) return;
                  setSelected(accession);
                  void book(accession, slotBooking(date, slot, station));
                }}
              >
                {Array.from({ length: SLOT_COUNT }, (_, slot) => (
                  <div
                    key={slot}
                    className={`slot${slot % 4 === 3 ? ' hour-end' : ''}`}
                    data-time={slotTime(slot)}
                    style={{ top: slot * SLOT_HEIGHT, height: SLOT_HEIGHT }}
                  />
                ))}
                {hover?.station === station && drag !== null && (
                  <div
                    className="drop-preview"
                    style={{ top: hover.slot * SLOT_HEIGHT, height: drag.heightSlots * SLOT_HEIGHT }}
                  >
                    {slotLabel(hover.slot)}
                  </div>
                )}
                {blocks
                  .filter((b) => b.station === station)
                  .map((block) => (
                    <Block
                      key={block.order.accessionNumber}
                      block={block}
                      date={date}
                      selected={selected === block.order.accessionNumber}
                      dragging={drag?.accession === block.order.accessionNumber}
                      draggable={mayWrite && mayReschedule(block.order.status)}
                      onSelect={(fromKeyboard) => toggleSelected(block.order.accessionNumber, fromKeyboard)}
                      onDragStart={(e) => startDrag(e, block.order, block.height, true)}
                      onDragEnd={endDrag}
                    />
                  ))}
                {showNow && (
                  <div
                    className="now-line"
                    style={{ top: ((nowMinutes - DAY_START_MINUTES) / SLOT_MINUTES) * SLOT_HEIGHT }}
                    aria-hidden="true"
                  />
                )}
              </div>
            ))}
          </div>
        </div>
      </div>
    </main>
  );
}

/** An exam on the calendar: a button (to select it), draggable when it can still move. */
function Block({
  block,
  date,
  selected,
  dragging,
  draggable,
  onSelect,
  onDragStart,
  onDragEnd,
}: {
  block: CalendarBlock;
  date: string;
  selected: boolean;
  dragging: boolean;
  draggable: boolean;
  onSelect: (fromKeyboard: boolean) => void;
  onDragStart: (e: DragEvent<HTMLElement>) => void;
  onDragEnd: () => void;
}) {
  const { order } = block;
  const start = `${String(Math.floor(block.startMinutes / 60)).padStart(2, '0')}:${String(block.startMinutes % 60).padStart(2, '0')}`;
  const name = personName(order.patient.name) || order.patient.patientId;
  const technologist = personName(bookedStep(order, date)?.performingTechnologist ?? null);
  const title = [
    `${start} (${block.durationMinutes} min) ${name} ${ageSex(order.patient.birthDate, order.patient.sex, date)}`,
    `${order.modality ?? ''} ${order.procedure?.meaning ?? ''}`,
    `${order.accessionNumber} · ${order.status}${order.statusReason ? `: ${order.statusReason}` : ''} · ${order.priority}`,
    technologist ? `technologist ${technologist}` : '',
    block.clipped ? 'outside 07:00–20:00' : '',
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <div
      className={`cal-block status-${order.status}${order.priority === 'STAT' ? ' stat' : ''}${
        selected ? ' selected' : ''
      }${dragging ? ' dragging' : ''}${block.clipped ? ' clipped' : ''}${draggable ? ' movable' : ''}`}
      data-accession={order.accessionNumber}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      aria-label={title.replaceAll('\n', ', ')}
      onClick={() => onSelect(false)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect(true);
        }
      }}
      draggable={draggable}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      title={title}
      style={{
        top: block.top * SLOT_HEIGHT + 1,
        height: block.height * SLOT_HEIGHT - 2,
        left: `calc(${(block.lane / block.lanes) * 100}% + 2px)`,
        width: `calc(${100 / block.lanes}% - 4px)`,
      }}
    >
      <span className="block-time">{start}</span> <strong>{name}</strong>{' '}
      <span className="block-detail">
        {order.modality} {order.procedure?.meaning ?? ''}
      </span>
    </div>
  );
}

/** The keyboard's way to move an exam: day, time and station of the new slot (and its duration). */
function MoveForm({
  order,
  date,
  columns,
  mayWrite,
  autoFocus,
  onMove,
  onUnbook,
  onClose,
  onWorklist,
}: {
  order: OrderView;
  date: string;
  columns: readonly string[];
  mayWrite: boolean;
  autoFocus: boolean;
  onMove: (booking: ScheduleSlot) => void;
  onUnbook: () => void;
  onClose: () => void;
  onWorklist: () => void;
}) {
  const firstField = useRef<HTMLInputElement>(null);
  const focusOnOpen = useRef(autoFocus);
  useEffect(() => {
    if (focusOnOpen.current) firstField.current?.focus();
  }, []);
  const step = order.steps.find((s) => s.startDate === date) ?? order.steps[0];
  const [form, setForm] = useState({
    date: dateToInput(step?.startDate ?? order.requestedDate ?? date) || dateToInput(date),
    time: formatTime(step?.startTime ?? order.requestedTime) || '08:00',
    station: step?.stationAe ?? UNASSIGNED,
    duration: String(step?.durationMinutes ?? 30),
    technologist: personName(step?.performingTechnologist ?? null),
  });
  const [problem, setProblem] = useState('');
  const movable = mayWrite && mayReschedule(order.status);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const day = dateFromInput(form.date);
    const time = timeFromInput(form.time);
    const duration = Number(form.duration);
    if (day === '' || time === '') return setProblem('Give a date and a time.');
    if (!Number.isInteger(duration) || duration < 5 || duration > 1440)
      return setProblem('Duration: 5 to 1440 minutes.');
    if (form.station.length > 16 || form.station.includes('\\'))
      return setProblem('Station: an AE title of up to 16 characters.');
    if (form.technologist.length > 64 || /[\\=]/.test(form.technologist))
      return setProblem('Technologist: a name of up to 64 characters, without \\ or =.');
    setProblem('');
    onMove({
      date: day,
      time,
      stationAe: form.station.trim(),
      durationMinutes: duration,
      performingTechnologist: personNameFromText(form.technologist),
    });
  };
  return (
    <form
      className="move-form"
      aria-label="Move to"
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <h2>
        {personName(order.patient.name) || '(no name)'} <small>{order.patient.patientId}</small>
      </h2>
      <p>
        {order.modality} {order.procedure?.meaning ?? ''} · {order.accessionNumber} ·{' '}
        <StatusChip status={order.status} reason={order.statusReason} />{' '}
        <PriorityTag priority={order.priority} />
        {order.reason && (
          <>
            <br />
            <small>{order.reason}</small>
          </>
        )}
      </p>
      {movable ? (
        <fieldset>
          <legend>Move to…</legend>
          <label>
            Date
            <input
              ref={firstField}
              type="date"
              value={form.date}
              onChange={(e) => setForm({ ...form, date: e.target.value })}
            />
          </label>
          <label>
            Time
            <input
              type="time"
              step={SLOT_MINUTES * 60}
              value={form.time}
              onChange={(e) => setForm({ ...form, time: e.target.value })}
            />
          </label>
          <label>
            Station
            <input
              value={form.station}
              list="schedule-stations"
              placeholder="Unassigned"
              onChange={(e) => setForm({ ...form, station: e.target.value })}
            />
            <datalist id="schedule-stations">
              {columns.filter(Boolean).map((station) => (
                <option key={station} value={station} />
              ))}
            </datalist>
          </label>
          <label>
            Minutes
            <input
              type="number"
              min={5}
              max={1440}
              step={5}
              value={form.duration}
              onChange={(e) => setForm({ ...form, duration: e.target.value })}
            />
          </label>
          <label>
            Technologist
            <input
              value={form.technologist}
              placeholder="Family, Given"
              onChange={(e) => setForm({ ...form, technologist: e.target.value })}
            />
          </label>
          {problem !== '' && <p className="field-error">{problem}</p>}
          <div className="dialog-buttons">
            <button type="submit" className="primary">
              Move
            </button>
            {order.status === 'scheduled' && (
              <button type="button" onClick={onUnbook}>
                Unbook
              </button>
            )}
            <button type="button" onClick={onClose}>
              Close
            </button>
          </div>
        </fieldset>
      ) : (
        <p className="hint">
          {mayWrite ? `A ${order.status} exam is not moved.` : 'You may look, not book.'}{' '}
          <button type="button" className="link" onClick={onWorklist}>
            Worklist
          </button>{' '}
          <button type="button" className="link" onClick={onClose}>
            Close
          </button>
        </p>
      )}
    </form>
  );
}

import type { OrderView, ScheduleSlot, StepView } from './ris-types';

/** The day the calendar shows: 07:00 to 20:00 in 15-minute slots. */
export const DAY_START_MINUTES = 7 * 60;
export const DAY_END_MINUTES = 20 * 60;
export const SLOT_MINUTES = 15;
export const SLOT_COUNT = (DAY_END_MINUTES - DAY_START_MINUTES) / SLOT_MINUTES;

/** The column of exams not booked on a station (a step's Scheduled Station AE Title is blank). */
export const UNASSIGNED = '';

/** How long an exam is shown when its step does not say. */
export const DEFAULT_DURATION_MINUTES = 30;

/** Step statuses the calendar still moves with the exam (the server's open steps). */
const OPEN_STEPS = new Set(['SCHEDULED', 'ARRIVED', 'READY']);

/** Minutes since midnight of a DICOM TM ('HHMM…'), or null. */
export function minutesOf(tm: string | null | undefined): number | null {
  const m = /^(\d{2})(\d{2})/.exec(tm ?? '');
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/** The start of a slot in minutes since midnight. */
export function slotMinutes(slot: number): number {
  return DAY_START_MINUTES + slot * SLOT_MINUTES;
}

/** A slot's start as DICOM TM 'HHMM' (what the schedule API takes). */
export function slotTime(slot: number): string {
  const minutes = slotMinutes(slot);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}

/** A slot's start as 'HH:MM'. */
export function slotLabel(slot: number): string {
  const time = slotTime(slot);
  return `${time.slice(0, 2)}:${time.slice(2)}`;
}

const clampSlot = (slot: number) => Math.min(SLOT_COUNT - 1, Math.max(0, slot));

/** The slot a time of day falls in, kept within the day shown. */
export function slotOfMinutes(minutes: number): number {
  return clampSlot(Math.floor((minutes - DAY_START_MINUTES) / SLOT_MINUTES));
}

/**
 * The slot an exam lands in when dropped: the slot under the pointer, less the slots between the top of
 * the block and where it was grabbed (so the block lands where its dragged image is).
 */
export function dropSlot(offsetY: number, slotHeight: number, grabSlots = 0): number {
  return clampSlot(Math.floor(offsetY / slotHeight) - grabSlots);
}

/** The step of an order that is booked on a day: an open one first, then any other. */
export function bookedStep(order: OrderView, date: string): StepView | undefined {
  const onDay = order.steps.filter((s) => s.startDate === date);
  return (
    onDay.find((s) => OPEN_STEPS.has(s.status)) ?? onDay.find((s) => s.status !== 'CANCELED') ?? onDay[0]
  );
}

/** An exam placed on the calendar. */
export interface CalendarBlock {
  order: OrderView;
  /** The column: a station AE title, or {@link UNASSIGNED}. */
  station: string;
  startMinutes: number;
  durationMinutes: number;
  /** Position and size in slots from the top of the day (fractions allowed), kept within the day. */
  top: number;
  height: number;
  /** True when the exam begins before or ends after the hours shown. */
  clipped: boolean;
  /** Side-by-side placement of exams that overlap in a column: lane `lane` of `lanes`. */
  lane: number;
  lanes: number;
}

/** Exams whose blocks are hidden unless asked for: withdrawn ones leave their slot free. */
export const WITHDRAWN_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'discontinued']);

/**
 * The blocks of a day's booked exams: each exam with a step (or a requested time) on that day, in its
 * station's column, sized by its duration, and overlapping exams of a column side by side.
 */
export function calendarBlocks(
  orders: readonly OrderView[],
  date: string,
  options: { showWithdrawn?: boolean } = {},
): CalendarBlock[] {
  const blocks: CalendarBlock[] = [];
  for (const order of orders) {
    // An order not yet booked waits in the list beside the calendar, even when it asks for a time.
    if (order.status === 'ordered') continue;
    if (!options.showWithdrawn && WITHDRAWN_STATUSES.has(order.status)) continue;
    const step = bookedStep(order, date);
    const start = step
      ? (minutesOf(step.startTime) ?? minutesOf(order.requestedTime))
      : order.steps.length === 0 && order.requestedDate === date
        ? minutesOf(order.requestedTime)
        : null;
    if (start === null) continue;
    const duration =
      step?.durationMinutes && step.durationMinutes > 0 ? step.durationMinutes : DEFAULT_DURATION_MINUTES;
    const rawTop = (start - DAY_START_MINUTES) / SLOT_MINUTES;
    const rawBottom = rawTop + duration / SLOT_MINUTES;
    // At least one slot tall (so a 5-minute exam can be read and grabbed), and never outside the day.
    const top = Math.min(Math.max(rawTop, 0), SLOT_COUNT - 1);
    const bottom = Math.min(Math.max(rawBottom, top + 1), SLOT_COUNT);
    blocks.push({
      order,
      station: step?.stationAe ?? UNASSIGNED,
      startMinutes: start,
      durationMinutes: duration,
      top,
      height: bottom - top,
      clipped: rawTop < 0 || rawBottom > SLOT_COUNT,
      lane: 0,
      lanes: 1,
    });
  }
  assignLanes(blocks);
  return blocks;
}

/** Places overlapping blocks of a column side by side: each cluster of overlaps shares its lane count. */
function assignLanes(blocks: CalendarBlock[]): void {
  const byStation = new Map<string, CalendarBlock[]>();
  for (const block of blocks) byStation.set(block.station, [...(byStation.get(block.station) ?? []), block]);
  for (const column of byStation.values()) {
    column.sort(
      (a, b) =>
        a.top - b.top ||
        b.height - a.height ||
        a.order.accessionNumber.localeCompare(b.order.accessionNumber),
    );
    let cluster: CalendarBlock[] = [];
    let clusterEnd = -Infinity;
    const laneEnds: number[] = [];
    const close = () => {
      for (const block of cluster) block.lanes = laneEnds.length;
      cluster = [];
      laneEnds.length = 0;
    };
    for (const block of column) {
      if (block.top >= clusterEnd) close();
      let lane = laneEnds.findIndex((end) => end <= block.top);
      if (lane < 0) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = block.top + block.height;
      block.lane = lane;
      cluster.push(block);
      clusterEnd = Math.max(clusterEnd, block.top + block.height);
    }
    close();
  }
}

/**
 * The calendar's columns: Unassigned first, then the department's stations and any other station an exam
 * of the day is booked on, by AE title.
 */
export function calendarColumns(
  blocks: readonly CalendarBlock[],
  registered: readonly string[] = [],
): string[] {
  const stations = new Set<string>();
  for (const block of blocks) if (block.station !== UNASSIGNED) stations.add(block.station);
  for (const station of registered) if (station.trim() !== '') stations.add(station.trim());
  return [UNASSIGNED, ...[...stations].sort((a, b) => a.localeCompare(b))];
}

/** The booking of a drop: the day, the slot's time, and the column's station ('' takes it off a station). */
export function slotBooking(date: string, slot: number, station: string): ScheduleSlot {
  return { date, time: slotTime(slot), stationAe: station };
}

/**
 * An order as it will be once booked into a slot (the calendar shows a move at once, before the server
 * answers): its requested time and open steps follow, and an order not yet scheduled gets a step.
 */
export function withBooking(order: OrderView, booking: ScheduleSlot): OrderView {
  const time = booking.time.padEnd(6, '0');
  const moved = (step: StepView): StepView => ({
    ...step,
    startDate: booking.date,
    startTime: time,
    ...(booking.stationAe !== undefined ? { stationAe: booking.stationAe } : {}),
    ...(booking.durationMinutes !== undefined ? { durationMinutes: booking.durationMinutes } : {}),
    ...(booking.performingTechnologist !== undefined
      ? { performingTechnologist: booking.performingTechnologist || null }
      : {}),
  });
  const open = order.steps.some((s) => OPEN_STEPS.has(s.status));
  const steps = open
    ? order.steps.map((s) => (OPEN_STEPS.has(s.status) ? moved(s) : s))
    : [
        ...order.steps,
        moved({
          stepId: '',
          status: 'SCHEDULED',
          stationAe: UNASSIGNED,
          stationName: null,
          location: null,
          modality: order.modality,
          startDate: null,
          startTime: null,
          durationMinutes: DEFAULT_DURATION_MINUTES,
          performingTechnologist: null,
          description: order.procedure?.meaning ?? null,
        }),
      ];
  return {
    ...order,
    status: order.status === 'ordered' ? 'scheduled' : order.status,
    requestedDate: booking.date,
    requestedTime: time,
    steps,
  };
}

const PRIORITY_RANK: Record<string, number> = { STAT: 0, HIGH: 1, MEDIUM: 2, ROUTINE: 3, LOW: 4 };

/** The rank of a priority, most urgent first (unknown ones with routine). */
export function priorityRank(priority: string): number {
  return PRIORITY_RANK[priority] ?? PRIORITY_RANK.ROUTINE!;
}

/** Exams waiting to be booked, most urgent first, then oldest first. */
export function waitingList(orders: readonly OrderView[]): OrderView[] {
  return orders
    .filter((o) => o.status === 'ordered')
    .sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || a.createdAt - b.createdAt);
}

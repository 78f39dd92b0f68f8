import { bookedStep, minutesOf, priorityRank } from './calendar-layout';
import { FINAL_STATUSES } from './exam-actions';
import type { OrderView, StepView } from './ris-types';

/** One exam of the technologist's day. */
export interface WorklistRow {
  order: OrderView;
  step: StepView | undefined;
  /** DICOM TM of its start, or null when it has none. */
  time: string | null;
}

/** The exams of a day in the order they are done: by start time, the most urgent first at equal times. */
export function worklistRows(
  orders: readonly OrderView[],
  date: string,
  options: { hideDone?: boolean } = {},
): WorklistRow[] {
  return orders
    .filter((order) => !(options.hideDone && FINAL_STATUSES.has(order.status)))
    .map((order) => {
      const step = bookedStep(order, date);
      return { order, step, time: step?.startTime ?? order.requestedTime };
    })
    .sort(
      (a, b) =>
        (minutesOf(a.time) ?? 24 * 60) - (minutesOf(b.time) ?? 24 * 60) ||
        priorityRank(a.order.priority) - priorityRank(b.order.priority) ||
        a.order.accessionNumber.localeCompare(b.order.accessionNumber),
    );
}

/** How many exams of a day are in each state that matters at the desk. */
export function worklistCounts(orders: readonly OrderView[]): {
  total: number;
  waiting: number;
  arrived: number;
  inProgress: number;
  done: number;
} {
  const count = (status: string) => orders.filter((o) => o.status === status).length;
  return {
    total: orders.length,
    waiting: count('scheduled') + count('ordered'),
    arrived: count('arrived'),
    inProgress: count('in-progress'),
    done: count('completed'),
  };
}

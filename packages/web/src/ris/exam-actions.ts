import type { ExamStatus, ManualStatus } from './ris-types';

/** A change of status a user may make on an exam's row. */
export interface ExamAction {
  /** The status it moves the exam to. */
  to: ManualStatus;
  label: string;
  /** Cancellation, no-show and discontinuation say why (kept in the exam's history). */
  needsReason: boolean;
  /** Ends the exam without it being done: shown apart, in red. */
  withdraws: boolean;
}

/** What the user may do, from their permissions. */
export interface ExamRights {
  /** `order:write`: check in, no-show, cancel. */
  mayChange: boolean;
  /** `procedure:write`: start, complete, discontinue (the technologist's part). */
  mayPerform: boolean;
}

const ACTIONS: Record<ManualStatus, Omit<ExamAction, 'to'>> = {
  arrived: { label: 'Check in', needsReason: false, withdraws: false },
  'in-progress': { label: 'Start', needsReason: false, withdraws: false },
  completed: { label: 'Complete', needsReason: false, withdraws: false },
  'no-show': { label: 'No-show', needsReason: true, withdraws: true },
  cancelled: { label: 'Cancel', needsReason: true, withdraws: true },
  discontinued: { label: 'Discontinue', needsReason: true, withdraws: true },
};

/** Which statuses may follow which, as the server allows them (it refuses a move backwards). */
const NEXT: Record<ExamStatus, readonly ManualStatus[]> = {
  // A walk-in is checked in without a booking.
  ordered: ['arrived', 'cancelled'],
  scheduled: ['arrived', 'no-show', 'cancelled'],
  arrived: ['in-progress', 'cancelled'],
  'in-progress': ['completed', 'discontinued'],
  completed: [],
  cancelled: [],
  discontinued: [],
  'no-show': [],
};

/** Statuses the technologist's part sets. */
const PERFORMING: ReadonlySet<ManualStatus> = new Set(['in-progress', 'completed', 'discontinued']);

/** The actions an exam's status allows to a user with these rights, in the order they are shown. */
export function examActions(status: string, rights: ExamRights): ExamAction[] {
  const next = NEXT[status as ExamStatus] ?? [];
  return next
    .filter((to) => (PERFORMING.has(to) ? rights.mayPerform : rights.mayChange))
    .map((to) => ({ to, ...ACTIONS[to] }));
}

/** Statuses after which nothing more happens to an exam. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'completed',
  'cancelled',
  'discontinued',
  'no-show',
]);

/** True when the exam can still be booked into another slot (the server refuses started and final ones). */
export function mayReschedule(status: string): boolean {
  return status !== 'in-progress' && !FINAL_STATUSES.has(status);
}

/** True when the exam has (or is acquiring) images worth opening. */
export function hasImages(status: string): boolean {
  return status === 'in-progress' || status === 'completed';
}

/** The label of a status, for chips. */
export function statusLabel(status: string): string {
  return status === 'in-progress' ? 'in progress' : status;
}

/** Every exam status, in the order an exam goes through them. */
export const EXAM_STATUSES: readonly ExamStatus[] = [
  'ordered',
  'scheduled',
  'arrived',
  'in-progress',
  'completed',
  'no-show',
  'cancelled',
  'discontinued',
];

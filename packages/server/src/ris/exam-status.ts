/**
 * The status of an exam (an order's requested procedure) as the department follows it (issue #6):
 * ordered → scheduled → arrived → in progress → completed, or cancelled / discontinued / no-show.
 */
export const ExamStatus = {
  Ordered: 'ordered',
  Scheduled: 'scheduled',
  Arrived: 'arrived',
  InProgress: 'in-progress',
  Completed: 'completed',
  Cancelled: 'cancelled',
  Discontinued: 'discontinued',
  NoShow: 'no-show',
} as const;

/** One of {@link ExamStatus}. */
export type ExamStatusValue = (typeof ExamStatus)[keyof typeof ExamStatus];

/** Statuses after which nothing more happens to an exam. */
export const FINAL_EXAM_STATUSES: ReadonlySet<string> = new Set([
  ExamStatus.Completed,
  ExamStatus.Cancelled,
  ExamStatus.Discontinued,
  ExamStatus.NoShow,
]);

/** The order in which an exam advances: a later event never moves it back. */
const PROGRESS: readonly string[] = [
  ExamStatus.Ordered,
  ExamStatus.Scheduled,
  ExamStatus.Arrived,
  ExamStatus.InProgress,
  ExamStatus.Completed,
];

/** True when moving from `current` to `next` is progress (and `current` is not final). */
export function advances(current: string, next: string): boolean {
  if (FINAL_EXAM_STATUSES.has(current)) return false;
  if (FINAL_EXAM_STATUSES.has(next) && !PROGRESS.includes(next)) return true;
  return PROGRESS.indexOf(next) > PROGRESS.indexOf(current);
}

/** Scheduled Procedure Step Status (0040,0020), PS3.3 C.4.10. */
export const StepStatus = {
  Scheduled: 'SCHEDULED',
  Arrived: 'ARRIVED',
  Ready: 'READY',
  Started: 'STARTED',
  Completed: 'COMPLETED',
  Discontinued: 'DISCONTINUED',
  Canceled: 'CANCELED',
} as const;

/** Steps a modality's worklist offers by default: not yet started, not withdrawn. */
export const OPEN_STEP_STATUSES: readonly string[] = [
  StepStatus.Scheduled,
  StepStatus.Arrived,
  StepStatus.Ready,
];

/** The step status that goes with an exam status. */
export function stepStatusOf(status: string): string {
  switch (status) {
    case ExamStatus.Arrived:
      return StepStatus.Arrived;
    case ExamStatus.InProgress:
      return StepStatus.Started;
    case ExamStatus.Completed:
      return StepStatus.Completed;
    case ExamStatus.Discontinued:
      return StepStatus.Discontinued;
    case ExamStatus.Cancelled:
    case ExamStatus.NoShow:
      return StepStatus.Canceled;
    default:
      return StepStatus.Scheduled;
  }
}

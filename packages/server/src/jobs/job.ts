/** States of a job. */
export const JobState = {
  Queued: 'queued',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;

/** One of {@link JobState}. */
export type JobStateValue = (typeof JobState)[keyof typeof JobState];

/** A background job as the API shows it. */
export interface Job {
  id: string;
  kind: string;
  state: JobStateValue;
  params: unknown;
  /** What the job reported while running (e.g. sub-operation counts). */
  progress: unknown;
  /** The final report. */
  report: unknown;
  /** Why the last attempt failed. */
  error: string | null;
  attempts: number;
  maxAttempts: number;
  /** True once a cancel was asked for while the job ran (it stops at its next step). */
  cancelRequested: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** What a job handler gets: its parameters, a way to report progress, and word of a cancel. */
export interface JobContext {
  job: Job;
  reportProgress(progress: unknown): Promise<void>;
  /** Aborted when someone cancels the job: the handler stops at its next step and returns its report. */
  signal: AbortSignal;
}

/** Thrown by a handler when retrying cannot help (bad parameters, nothing to do). */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** Runs one kind of job; resolves with the final report, throws to fail the attempt. */
export type JobHandler = (context: JobContext) => Promise<unknown>;

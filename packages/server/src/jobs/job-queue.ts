import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { JobTable, Tables } from '../db/tables.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { JobState, type Job, type JobStateValue } from './job.js';

/** How long a running job's node holds it without renewing; it renews every third of this. */
export const JOB_LEASE_MS = 60_000;

function toJob(row: Selectable<JobTable>): Job {
  const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
  return {
    id: row.id,
    kind: row.kind,
    state: row.state as JobStateValue,
    params: parse(row.params),
    progress: parse(row.progress),
    report: parse(row.report),
    error: row.error,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    cancelRequested: row.cancel_requested === 1,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/**
 * The job queue in the index database (DESIGN §2): jobs survive restarts, and several Lightbox nodes on
 * one PostgreSQL can share it (a job is claimed by one of them with a conditional update).
 */
export class JobQueue {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Adds a job; it runs as soon as a runner is free. */
  async enqueue(kind: string, params: unknown, createdBy: string, maxAttempts = 3): Promise<Job> {
    const now = Date.now();
    const row = {
      id: randomUUID(),
      kind,
      state: JobState.Queued,
      params: JSON.stringify(params),
      progress: null,
      report: null,
      error: null,
      attempts: 0,
      max_attempts: maxAttempts,
      run_after: now,
      cancel_requested: 0,
      lease_until: null,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('job').values(row).execute();
    return toJob(row);
  }

  /** One job, or undefined. */
  async get(id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toJob(row);
  }

  /** The newest jobs first. */
  async list(limit = 100): Promise<Job[]> {
    const rows = await this.db
      .selectFrom('job')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  /**
   * Claims the oldest runnable job for this runner: queued and due, or running under a lease that ran
   * out (its node stopped renewing it: crashed or cut off). Undefined when there is none.
   */
  async claim(): Promise<Job | undefined> {
    const now = Date.now();
    for (let tries = 0; tries < 5; tries++) {
      const candidate = await this.db
        .selectFrom('job')
        .select(['id', 'state', 'lease_until'])
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', JobState.Queued), eb('run_after', '<=', now)]),
            eb.and([eb('state', '=', JobState.Running), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst();
      if (candidate === undefined) return undefined;
      // Conditional update: of several runners racing for the same job, exactly one wins.
      let claim = this.db
        .updateTable('job')
        .set({
          state: JobState.Running,
          attempts: sql`attempts + 1`,
          lease_until: now + JOB_LEASE_MS,
          updated_at: now,
        })
        .where('id', '=', candidate.id)
        .where('state', '=', candidate.state);
      claim =
        candidate.lease_until === null
          ? claim.where('lease_until', 'is', null)
          : claim.where('lease_until', '=', candidate.lease_until);
      const claimed = await claim.executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) return this.get(candidate.id);
    }
    return undefined;
  }

  /** Records progress of a running job (which renews its lease). */
  async progress(id: string, progress: unknown): Promise<void> {
    const now = Date.now();
    await this.db
      .updateTable('job')
      .set({ progress: JSON.stringify(progress), lease_until: now + JOB_LEASE_MS, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Renews a running job's lease; says whether someone asked to cancel it. */
  async renewLease(id: string): Promise<{ cancelRequested: boolean }> {
    await this.db
      .updateTable('job')
      .set({ lease_until: Date.now() + JOB_LEASE_MS })
      .where('id', '=', id)
      .where('state', '=', JobState.Running)
      .execute();
    const row = await this.db
      .selectFrom('job')
      .select('cancel_requested')
      .where('id', '=', id)
      .executeTakeFirst();
    return { cancelRequested: row?.cancel_requested === 1 };
  }

  /**
   * Cancels a job: a queued one at once; a running one is asked to stop at its next step. A job that
   * has ended cannot be cancelled (Conflict); undefined for an unknown job.
   */
  async cancel(id: string): Promise<Job | undefined> {
    const now = Date.now();
    await this.db
      .updateTable('job')
      .set({
        state: JobState.Cancelled,
        error: 'cancelled before it ran',
        lease_until: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('state', '=', JobState.Queued)
      .execute();
    await this.db
      .updateTable('job')
      .set({ cancel_requested: 1, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', JobState.Running)
      .execute();
    const job = await this.get(id);
    if (job !== undefined && (job.state === JobState.Succeeded || job.state === JobState.Failed)) {
      throw new AppError(ErrorCode.Conflict, `job ${id} has already ${job.state}`);
    }
    return job;
  }

  /** Ends a running job that stopped because it was cancelled, with what it had done. */
  async cancelled(id: string, report: unknown): Promise<void> {
    await this.db
      .updateTable('job')
      .set({
        state: JobState.Cancelled,
        report: JSON.stringify(report ?? null),
        error: 'cancelled',
        lease_until: null,
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Ends a job with its report. */
  async succeed(id: string, report: unknown): Promise<void> {
    await this.db
      .updateTable('job')
      .set({
        state: JobState.Succeeded,
        report: JSON.stringify(report ?? null),
        error: null,
        lease_until: null,
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Fails an attempt: queued again after `retryInMs`, or failed for good. */
  async fail(id: string, error: string, retryInMs: number | undefined, report?: unknown): Promise<void> {
    const now = Date.now();
    await this.db
      .updateTable('job')
      .set({
        state: retryInMs === undefined ? JobState.Failed : JobState.Queued,
        error,
        run_after: now + (retryInMs ?? 0),
        lease_until: null,
        ...(report !== undefined ? { report: JSON.stringify(report) } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Jobs left running by a crash of this (embedded) node go back to the queue. */
  async requeueRunning(): Promise<void> {
    await this.db
      .updateTable('job')
      .set({ state: JobState.Queued, lease_until: null, updated_at: Date.now() })
      .where('state', '=', JobState.Running)
      .execute();
  }
}

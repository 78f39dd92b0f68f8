import type { Logger } from 'pino';
import { PermanentJobError, type JobHandler } from './job.js';
import { JOB_LEASE_MS, type JobQueue } from './job-queue.js';

/** Back-off before retry n (1-based): 5 s, 30 s, 2 min, then 2 min. */
const RETRY_DELAYS_MS = [5_000, 30_000, 120_000];
const POLL_MS = 1_000;

/**
 * Runs queued jobs one at a time per kind of work, polling the queue and woken at once by
 * {@link JobRunner.wake} when this node enqueues. A failed attempt is retried with back-off until the
 * job's attempts are spent. While a job runs its lease is renewed, and a cancel asked for on any node is
 * passed to its handler (at once when asked on this node, else at the next renewal).
 */
export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wakeRequested = false;
  /** The jobs running here, by ID: how to stop them. */
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: ReadonlyMap<string, JobHandler>,
    private readonly logger: Logger,
    private readonly concurrency = 2,
    private readonly renewEveryMs = JOB_LEASE_MS / 3,
  ) {}

  /** Starts polling. */
  start(): void {
    this.schedule(0);
  }

  /** Looks for work now (after an enqueue). */
  wake(): void {
    if (this.running !== undefined) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Tells a job running on this node that it was cancelled (the queue already records it). */
  cancel(id: string): void {
    this.active.get(id)?.abort();
  }

  /** Stops taking new jobs and waits for the running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'job runner failed'))
        .finally(() => {
          this.running = undefined;
          const again = this.wakeRequested;
          this.wakeRequested = false;
          this.schedule(again ? 0 : POLL_MS);
        });
    }, delay);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    const workers = Array.from({ length: this.concurrency }, async () => {
      while (!this.stopped) {
        const job = await this.queue.claim().catch((error: unknown) => {
          this.logger.warn({ err: error }, 'job queue unavailable');
          return undefined;
        });
        if (job === undefined) return;
        try {
          await this.run(job.id, job.kind);
        } catch (error) {
          // The queue itself failed (database down): the job is requeued by the next start-up at worst.
          this.logger.warn({ err: error, jobId: job.id }, 'could not record the outcome of a job');
          return;
        }
      }
    });
    await Promise.all(workers);
  }

  private async run(id: string, kind: string): Promise<void> {
    const job = await this.queue.get(id);
    if (job === undefined) return;
    const handler = this.handlers.get(kind);
    if (handler === undefined) {
      await this.queue.fail(id, `no handler for jobs of kind ${kind}`, undefined);
      return;
    }
    const control = new AbortController();
    if (job.cancelRequested) control.abort();
    this.active.set(id, control);
    const renewal = setInterval(() => {
      void this.queue
        .renewLease(id)
        .then(({ cancelRequested }) => cancelRequested && control.abort())
        .catch((error: unknown) =>
          this.logger.warn({ err: error, jobId: id }, 'could not renew a job lease'),
        );
    }, this.renewEveryMs);
    renewal.unref();
    try {
      const report = await handler({
        job,
        reportProgress: (progress) => this.queue.progress(id, progress),
        signal: control.signal,
      });
      if (control.signal.aborted) await this.queue.cancelled(id, report);
      else await this.queue.succeed(id, report);
    } catch (error) {
      if (control.signal.aborted) {
        this.logger.info({ jobId: id, kind }, 'job cancelled');
        await this.queue.cancelled(id, (error as { report?: unknown }).report);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      const delay = RETRY_DELAYS_MS[Math.min(job.attempts - 1, RETRY_DELAYS_MS.length - 1)];
      this.logger.warn(
        { jobId: id, kind, attempt: job.attempts, err: error },
        permanent ? 'job failed' : 'job attempt failed; will retry',
      );
      await this.queue.fail(
        id,
        message,
        permanent ? undefined : delay,
        (error as { report?: unknown }).report,
      );
    } finally {
      clearInterval(renewal);
      this.active.delete(id);
    }
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/open-database.js';
import { createTestDatabase, DIALECTS } from '../test-support/test-databases.js';
import type { JobContext, JobHandler } from './job.js';
import { JobQueue } from './job-queue.js';
import { JobRunner } from './job-runner.js';

/** A job that counts steps until it has done `steps` of them or is cancelled. */
function stepsJob(started: (context: JobContext) => void): JobHandler {
  return async (context) => {
    started(context);
    const { steps } = context.job.params as { steps: number };
    let done = 0;
    while (done < steps && !context.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done++;
      await context.reportProgress({ done });
    }
    return { done };
  };
}

async function settled(queue: JobQueue, id: string, states: readonly string[]) {
  for (let i = 0; i < 300; i++) {
    const job = await queue.get(id);
    if (job !== undefined && states.includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`job ${id} did not reach ${states.join(' or ')}`);
}

for (const dialect of DIALECTS) {
  describe(`job cancel and leases on ${dialect}`, () => {
    let dir: string;
    let drop: () => Promise<void>;
    let database: Database;
    let queue: JobQueue;
    const logger = pino({ level: 'silent' });

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-jobs-'));
      const created = await createTestDatabase(dialect, dir);
      drop = created.drop;
      database = await openDatabase(created.url);
      queue = new JobQueue(database.db);
    });

    afterAll(async () => {
      await database?.close();
      await drop?.();
      await rm(dir, { recursive: true, force: true });
    });

    it('cancels a queued job at once and a running one at its next step, keeping what it did', async () => {
      let running: JobContext | undefined;
      const runner = new JobRunner(queue, new Map([['steps', stepsJob((c) => (running = c))]]), logger, 1);
      const queued = await queue.enqueue('steps', { steps: 1 }, 'admin');
      expect((await queue.cancel(queued.id))?.state).toBe('cancelled');

      const job = await queue.enqueue('steps', { steps: 10_000 }, 'admin');
      runner.start();
      try {
        await settled(queue, job.id, ['running']);
        await expect.poll(() => running?.job.id).toBe(job.id);
        expect((await queue.cancel(job.id))?.cancelRequested).toBe(true);
        runner.cancel(job.id);
        const ended = await settled(queue, job.id, ['cancelled']);
        expect((ended.report as { done: number }).done).toBeGreaterThan(0);
        expect((ended.report as { done: number }).done).toBeLessThan(10_000);
        // The first, cancelled before it ran, never ran.
        expect((await queue.get(queued.id))?.attempts).toBe(0);
        // An ended job stays ended.
        await expect(queue.cancel(queued.id)).resolves.toMatchObject({ state: 'cancelled' });
      } finally {
        await runner.stop();
      }
    });

    it('hears of a cancel asked on another node when it renews the lease', async () => {
      const runner = new JobRunner(queue, new Map([['steps', stepsJob(() => undefined)]]), logger, 1, 50);
      const job = await queue.enqueue('steps', { steps: 10_000 }, 'admin');
      runner.start();
      try {
        await settled(queue, job.id, ['running']);
        await queue.cancel(job.id); // the queue only, as another node's API would
        await settled(queue, job.id, ['cancelled']);
      } finally {
        await runner.stop();
      }
    });

    it('takes up a job whose node stopped renewing its lease', async () => {
      const job = await queue.enqueue('steps', { steps: 2 }, 'admin');
      const claimed = await queue.claim();
      expect(claimed?.id).toBe(job.id);
      // That node died: nobody renews, and no other node may take the job while the lease holds.
      expect(await queue.claim()).toBeUndefined();
      await database.db
        .updateTable('job')
        .set({ lease_until: Date.now() - 1 })
        .where('id', '=', job.id)
        .execute();
      const runner = new JobRunner(queue, new Map([['steps', stepsJob(() => undefined)]]), logger, 1);
      runner.start();
      try {
        const ended = await settled(queue, job.id, ['succeeded']);
        expect(ended.attempts).toBe(2);
        expect(ended.report).toEqual({ done: 2 });
      } finally {
        await runner.stop();
      }
    });
  });
}

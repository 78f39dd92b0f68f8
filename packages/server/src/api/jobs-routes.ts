import type { FastifyInstance } from 'fastify';
import type { JobQueue } from '../jobs/job-queue.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** Background jobs: GET the newest, GET one with its progress and report. Administrators only. */
export function jobsRoutes(app: FastifyInstance, jobs: JobQueue): void {
  const config = { permission: Permission.Administer };
  app.get('/jobs', { config }, async () => jobs.list());
  app.get<{ Params: { id: string } }>('/jobs/:id', { config }, async (request) => {
    const job = await jobs.get(request.params.id);
    if (job === undefined) throw new AppError(ErrorCode.NotFound, `no job ${request.params.id}`);
    return job;
  });
}

import type { FastifyInstance } from 'fastify';
import type { JobQueue } from '../jobs/job-queue.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/**
 * Background jobs: GET the newest, GET one with its progress and report, cancel one (a queued job at once,
 * a running one at its next step; `jobCancelled` tells this node's runner). Administrators only.
 */
export function jobsRoutes(
  app: FastifyInstance,
  jobs: JobQueue,
  jobCancelled: (id: string) => void = () => undefined,
): void {
  const config = { permission: Permission.Administer };
  app.get('/jobs', { config }, async () => jobs.list());
  app.get<{ Params: { id: string } }>('/jobs/:id', { config }, async (request) => {
    const job = await jobs.get(request.params.id);
    if (job === undefined) throw new AppError(ErrorCode.NotFound, `no job ${request.params.id}`);
    return job;
  });
  app.post<{ Params: { id: string } }>('/jobs/:id/cancel', { config }, async (request, reply) => {
    const job = await jobs.cancel(request.params.id);
    if (job === undefined) throw new AppError(ErrorCode.NotFound, `no job ${request.params.id}`);
    jobCancelled(job.id);
    return reply.code(202).send(job);
  });
}

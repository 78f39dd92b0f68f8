import type { FastifyReply } from 'fastify';
import type { AppError } from '../shared/app-error.js';

/** An RFC 9457 problem details body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request parameter at fault, when there is one. */
  parameter?: string;
}

/** The problem details of an application error. */
export function problemOf(error: AppError): ProblemDetails {
  const problem: ProblemDetails = {
    type: 'about:blank',
    title: error.code.title,
    status: error.code.http,
    detail: error.detail,
  };
  if (error.parameter !== undefined) problem.parameter = error.parameter;
  return problem;
}

/** Sends problem details as `application/problem+json`. */
export function sendProblem(reply: FastifyReply, problem: ProblemDetails): FastifyReply {
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

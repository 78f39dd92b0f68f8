import { STATUS_CODES } from 'node:http';
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

/**
 * Problem details of type `about:blank`, whose title is the HTTP status phrase (RFC 9457 §4.2.1); the
 * specifics go in `detail`, and in `parameter` when a request parameter is at fault.
 */
export function problem(status: number, detail: string, parameter?: string): ProblemDetails {
  const body: ProblemDetails = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
  };
  if (parameter !== undefined) body.parameter = parameter;
  return body;
}

/** The problem details of an application error. */
export function problemOf(error: AppError): ProblemDetails {
  return problem(error.code.http, error.detail, error.parameter);
}

/** Sends problem details as `application/problem+json`. */
export function sendProblem(reply: FastifyReply, body: ProblemDetails): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import {
  DepartmentProtocolStore,
  type DepartmentProtocols,
} from '../user-settings/department-protocol-store.js';
import {
  hangingProtocolsSchema,
  protocolListProblem,
  type UserHangingProtocol,
} from '../user-settings/user-settings-document.js';
import { schemaViolation, strictAjv } from './strict-document.js';

/** The strong entity tag of a version of the list: `"3"`. */
const etagOf = (version: number) => `"${version}"`;

/**
 * The version an `If-Match` header asks to replace: undefined for none, or `*` (whatever is stored: the
 * list always exists, empty before the first save). One entity tag, as GET answered it.
 */
function versionToReplace(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const match = /^\s*"(\d{1,15})"\s*$/.exec(ifMatch);
  if (match === null)
    throw new AppError(
      ErrorCode.PreconditionFailed,
      'If-Match must be the ETag a GET of the hanging protocols answered (such as "3"), or *',
    );
  return Number(match[1]);
}

function answer(reply: FastifyReply, { protocols, version }: DepartmentProtocols): FastifyReply {
  return reply.header('etag', etagOf(version)).send(protocols);
}

/**
 * The department's hanging protocols (viewer, tried after each user's own and before the built-in ones):
 * `GET /hanging-protocols` for everyone who reads studies (the viewer hangs them by it), `PUT` for
 * administrators, which replaces the whole list and is audited as a configuration change. A list is the
 * same as a user's `viewer.hangingProtocols`, checked by the same schema (unknown keys refused).
 *
 * GET answers an ETag; a PUT that sends it back in `If-Match` replaces the list only if nobody saved
 * since (else 412), so that two administrators editing at once do not lose each other's changes. A PUT
 * without `If-Match` replaces whatever is stored (the last writer wins).
 */
export function departmentProtocolsRoutes(app: FastifyInstance, db: Kysely<Tables>): void {
  const store = new DepartmentProtocolStore(db);
  const validateList = strictAjv.compile<UserHangingProtocol[]>(hangingProtocolsSchema);
  /** Refuses with a 400 naming what to change: what the schema says, then what it cannot say. */
  const checkList = (body: unknown): { error: AppError } | true => {
    if (!validateList(body)) {
      const { where, message, parameter } = schemaViolation(validateList);
      return {
        error: new AppError(
          ErrorCode.InvalidParameter,
          `the hanging protocols are not valid: ${where} ${message}`.trim(),
          parameter,
        ),
      };
    }
    const problem = protocolListProblem(body);
    return problem === undefined
      ? true
      : { error: new AppError(ErrorCode.InvalidParameter, problem, 'body') };
  };

  app.get('/hanging-protocols', { config: { permission: Permission.StudyRead } }, async (_request, reply) =>
    answer(reply, await store.read()),
  );
  app.put<{ Body: UserHangingProtocol[]; Headers: { 'if-match'?: string } }>(
    '/hanging-protocols',
    {
      config: { permission: Permission.Administer, configurationChange: true },
      schema: { body: hangingProtocolsSchema },
      validatorCompiler: () => checkList,
    },
    async (request, reply) =>
      answer(reply, await store.replace(request.body, versionToReplace(request.headers['if-match']))),
  );
}

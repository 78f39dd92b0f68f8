import { Ajv } from 'ajv';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import {
  duplicatePresetName,
  hangingProtocolProblem,
  userSettingsSchema,
  type UserSettingsDocument,
} from '../user-settings/user-settings-document.js';
import { UserSettingsStore } from '../user-settings/user-settings-store.js';

/**
 * Fastify's own validator removes unknown properties and coerces types ("50" becomes 50): a settings
 * document with a key this version does not know, or a value of the wrong type, must be refused instead,
 * so these routes validate with an Ajv of their own that changes nothing.
 */
const strictAjv = new Ajv({
  allErrors: false,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
});

function userPkOf(request: FastifyRequest): number {
  const userPk = request.actor?.userId;
  // Only people have settings; the system acting on its own has none.
  if (userPk === undefined) throw new AppError(ErrorCode.Forbidden, 'only a signed-in user has settings');
  return userPk;
}

/**
 * The caller's own settings (issue #5 §1), `GET` and `PUT /me/settings`: any signed-in user, their own
 * only. Writing them is not recorded in the audit trail: they hold no patient data and change nothing of
 * the system's configuration or security (docs/security.md, "Audit trail"), only how one user's screens start.
 */
export function userSettingsRoutes(app: FastifyInstance, db: Kysely<Tables>): void {
  const store = new UserSettingsStore(db);
  const self = { permission: Permission.Self };

  app.get('/me/settings', { config: self }, async (request) => store.read(userPkOf(request)));
  app.put<{ Body: UserSettingsDocument }>(
    '/me/settings',
    {
      config: self,
      schema: { body: userSettingsSchema },
      validatorCompiler: ({ schema }) => strictAjv.compile(schema),
    },
    async (request) => {
      const modality = duplicatePresetName(request.body);
      if (modality !== undefined) {
        throw new AppError(
          ErrorCode.InvalidParameter,
          `two ${modality} window presets have the same name`,
          'viewer.windowPresets',
        );
      }
      const protocolProblem = hangingProtocolProblem(request.body);
      if (protocolProblem !== undefined)
        throw new AppError(ErrorCode.InvalidParameter, protocolProblem, 'viewer.hangingProtocols');
      return store.replace(userPkOf(request), request.body);
    },
  );
}

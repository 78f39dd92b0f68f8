import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';
import {
  duplicatePresetName,
  effectiveSettings,
  hangingProtocolProblem,
  userSettingsSchema,
  type UserSettingsDocument,
} from '../user-settings/user-settings-document.js';
import { applyMergePatch, jsonDepth } from '../user-settings/merge-patch.js';
import { UserSettingsStore } from '../user-settings/user-settings-store.js';
import { schemaViolation, strictAjv } from './strict-document.js';

/** Deeper than any settings document (the deepest setting is about six levels down). */
const MAX_PATCH_DEPTH = 16;

function userPkOf(request: FastifyRequest): number {
  const userPk = request.actor?.userId;
  // Only people have settings; the system acting on its own has none.
  if (userPk === undefined) throw new AppError(ErrorCode.Forbidden, 'only a signed-in user has settings');
  return userPk;
}

/**
 * The caller's own settings (issue #5 §1), `GET`, `PUT` and `PATCH /me/settings`: any signed-in user, their own
 * only. Writing them is not recorded in the audit trail: they hold no patient data and change nothing of
 * the system's configuration or security (docs/security.md, "Audit trail"), only how one user's screens start.
 */
export function userSettingsRoutes(app: FastifyInstance, db: Kysely<Tables>): void {
  const store = new UserSettingsStore(db);
  const self = { permission: Permission.Self };

  const validateDocument = strictAjv.compile<UserSettingsDocument>(userSettingsSchema);
  /** Refuses what the schema cannot say: two presets of one name, a protocol that does not fit its layout. */
  const checkDocument = (document: UserSettingsDocument): UserSettingsDocument => {
    const modality = duplicatePresetName(document);
    if (modality !== undefined) {
      throw new AppError(
        ErrorCode.InvalidParameter,
        `two ${modality} window presets have the same name`,
        'viewer.windowPresets',
      );
    }
    const protocolProblem = hangingProtocolProblem(document);
    if (protocolProblem !== undefined)
      throw new AppError(ErrorCode.InvalidParameter, protocolProblem, 'viewer.hangingProtocols');
    return document;
  };

  // A JSON merge patch (RFC 7396) is JSON: read by Fastify's own parser, which refuses __proto__ and
  // constructor keys as it does for application/json.
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.get('/me/settings', { config: self }, async (request) => store.read(userPkOf(request)));
  /**
   * Changes some settings and keeps the others (a JSON merge patch, RFC 7396: `null` removes a setting,
   * lists are replaced whole), applied to what is stored at that moment, so that a screen saving its own
   * settings never puts back another's older ones. The result must be a valid document.
   */
  app.patch<{ Body: unknown }>('/me/settings', { config: self }, async (request) => {
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body))
      throw new AppError(ErrorCode.BadRequest, 'a settings patch is a JSON object');
    const patch = request.body;
    // The settings document is a few levels deep: a deeper patch is no settings patch.
    if (jsonDepth(patch) > MAX_PATCH_DEPTH)
      throw new AppError(ErrorCode.BadRequest, `a settings patch nests at most ${MAX_PATCH_DEPTH} levels`);
    return store.update(userPkOf(request), (stored) => {
      // Merged onto the settings in force, which leave out what this version cannot read (a key or value
      // a later version stored): such a document would otherwise refuse every patch.
      const merged = applyMergePatch(effectiveSettings(stored), patch);
      if (!validateDocument(merged)) {
        const { where, message, parameter } = schemaViolation(validateDocument);
        throw new AppError(
          ErrorCode.InvalidParameter,
          `the settings would not be valid: ${where} ${message}`.trim(),
          parameter,
        );
      }
      return checkDocument(merged);
    });
  });
  app.put<{ Body: UserSettingsDocument }>(
    '/me/settings',
    {
      config: self,
      schema: { body: userSettingsSchema },
      validatorCompiler: () => validateDocument,
    },
    async (request) => store.replace(userPkOf(request), checkDocument(request.body)),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ModalityStations, ModalityStationView } from '../ris/modality-stations.js';
import { Permission } from '../security/permissions.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** SH (PS3.5 6.2): up to 16 characters, no backslash or control characters. */
const shortString = {
  type: ['string', 'null'],
  maxLength: 16,
  pattern: '^[^\\\\\\u0000-\\u001f]*$',
} as const;

const stationBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stationName: { ...shortString, default: null },
    location: { ...shortString, default: null },
    modality: { type: ['string', 'null'], pattern: '^[A-Z]{2,16}$', default: null },
    description: { type: ['string', 'null'], maxLength: 64, default: null },
  },
} as const;

/** AE title (PS3.5 6.2): 1–16 characters, no backslash or control characters, not only spaces. */
const AE_TITLE = /^(?! *$)[^\\\p{Cc}]{1,16}$/u;

type ByAeTitle = { Params: { aeTitle: string } };

function aeTitleOf(value: string): string {
  if (!AE_TITLE.test(value)) {
    throw new AppError(
      ErrorCode.InvalidParameter,
      'a station is named by its AE title: 1 to 16 characters, no backslash',
      'aeTitle',
    );
  }
  return value.trim();
}

/**
 * The department's modality stations (issue #6 §1): everyone who sees the worklist reads them (the
 * calendar's columns); administrators add, change and remove them.
 */
export function stationsRoutes(app: FastifyInstance, stations: ModalityStations): void {
  app.get('/stations', { config: { permission: Permission.WorklistRead } }, async () => stations.list());
  app.put<ByAeTitle & { Body: Omit<ModalityStationView, 'aeTitle'> }>(
    '/stations/:aeTitle',
    {
      config: { permission: Permission.Administer, configurationChange: true },
      schema: { body: stationBody },
    },
    async (request, reply) => {
      const { created, station } = await stations.put({
        ...request.body,
        aeTitle: aeTitleOf(request.params.aeTitle),
      });
      return reply.code(created ? 201 : 200).send(station);
    },
  );
  app.delete<ByAeTitle>(
    '/stations/:aeTitle',
    { config: { permission: Permission.Administer, configurationChange: true } },
    async (request, reply) => {
      if (!(await stations.remove(request.params.aeTitle))) {
        throw new AppError(ErrorCode.NotFound, `no station ${request.params.aeTitle}`);
      }
      return reply.code(204).send();
    },
  );
}

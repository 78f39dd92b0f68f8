import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ProcedureTypeTable, Tables } from '../db/tables.js';
import type { CodedEntry } from './order-request.js';

/** A procedure of the catalog. */
export type ProcedureType = Selectable<ProcedureTypeTable>;

/** Default length of a slot for a procedure the catalog does not know yet. */
const DEFAULT_DURATION_MINUTES = 30;

/**
 * The catalog entry of an ordered procedure. A code the catalog does not know is added as it arrives (with
 * automatic scheduling on), so that the first order of a new procedure reaches the worklist and an
 * administrator can then set its station, duration and protocol notes.
 */
export async function catalogEntry(
  trx: Transaction<Tables>,
  procedure: CodedEntry,
  modality: string | undefined,
  now: number,
): Promise<ProcedureType> {
  const found = await trx
    .selectFrom('procedure_type')
    .selectAll()
    .where('code', '=', procedure.code)
    .executeTakeFirst();
  if (found !== undefined) return found;
  const entry: ProcedureType = {
    code: procedure.code,
    coding_scheme: procedure.scheme,
    meaning: procedure.meaning,
    modality: modality ?? null,
    duration_minutes: DEFAULT_DURATION_MINUTES,
    station_ae: null,
    station_name: null,
    location: null,
    auto_schedule: 1,
    protocol_notes: null,
    created_at: now,
    updated_at: now,
  };
  await trx
    .insertInto('procedure_type')
    .values(entry)
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  return entry;
}

/** A catalog entry as the API shows and takes it. */
export interface ProcedureTypeView {
  code: string;
  codingScheme: string;
  meaning: string;
  modality: string | null;
  durationMinutes: number;
  stationAe: string | null;
  stationName: string | null;
  location: string | null;
  autoSchedule: boolean;
  protocolNotes: string | null;
}

function viewOf(row: ProcedureType): ProcedureTypeView {
  return {
    code: row.code,
    codingScheme: row.coding_scheme,
    meaning: row.meaning,
    modality: row.modality,
    durationMinutes: row.duration_minutes,
    stationAe: row.station_ae,
    stationName: row.station_name,
    location: row.location,
    autoSchedule: row.auto_schedule === 1,
    protocolNotes: row.protocol_notes,
  };
}

/** The whole procedure catalog, by code. */
export async function listProcedureTypes(db: Kysely<Tables>): Promise<ProcedureTypeView[]> {
  return (await db.selectFrom('procedure_type').selectAll().orderBy('code').execute()).map(viewOf);
}

/** Creates or replaces a catalog entry; true when it was created. */
export async function putProcedureType(
  db: Kysely<Tables>,
  entry: Omit<ProcedureTypeView, 'code'> & { code: string },
): Promise<{ created: boolean; procedure: ProcedureTypeView }> {
  const now = Date.now();
  const fields = {
    coding_scheme: entry.codingScheme,
    meaning: entry.meaning,
    modality: entry.modality,
    duration_minutes: entry.durationMinutes,
    station_ae: entry.stationAe,
    station_name: entry.stationName,
    location: entry.location,
    auto_schedule: entry.autoSchedule ? 1 : 0,
    protocol_notes: entry.protocolNotes,
    updated_at: now,
  };
  return db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom('procedure_type')
      .select('code')
      .where('code', '=', entry.code)
      .executeTakeFirst();
    const row =
      found === undefined
        ? await trx
            .insertInto('procedure_type')
            .values({ code: entry.code, ...fields, created_at: now })
            .returningAll()
            .executeTakeFirstOrThrow()
        : await trx
            .updateTable('procedure_type')
            .set(fields)
            .where('code', '=', entry.code)
            .returningAll()
            .executeTakeFirstOrThrow();
    return { created: found === undefined, procedure: viewOf(row) };
  });
}

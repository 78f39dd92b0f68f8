import type { Selectable, Transaction } from 'kysely';
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

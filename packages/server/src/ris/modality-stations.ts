import type { Kysely, Selectable } from 'kysely';
import type { ModalityStationTable, Tables } from '../db/tables.js';

/** A station row. */
export type ModalityStation = Selectable<ModalityStationTable>;

/** A station as the API shows and takes it. */
export interface ModalityStationView {
  /** Scheduled Station AE Title (0040,0001): what the modality asks the worklist with. */
  aeTitle: string;
  /** Scheduled Station Name (0040,0010). */
  stationName: string | null;
  /** Scheduled Procedure Step Location (0040,0011): the room. */
  location: string | null;
  modality: string | null;
  description: string | null;
}

function viewOf(row: ModalityStation): ModalityStationView {
  return {
    aeTitle: row.ae_title,
    stationName: row.station_name,
    location: row.location,
    modality: row.modality,
    description: row.description,
  };
}

/** One station, or undefined (in a transaction of the caller's, or not). */
export function findStation(db: Kysely<Tables>, aeTitle: string): Promise<ModalityStation | undefined> {
  return db.selectFrom('modality_station').selectAll().where('ae_title', '=', aeTitle).executeTakeFirst();
}

/**
 * The department's modality stations (issue #6 §1): the scheduling calendar's columns; a booking on a
 * station takes its name and room for the worklist, and its AE title may use the worklist and MPPS
 * without being registered as a DICOM node.
 */
export class ModalityStations {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Every station, by AE title. */
  async list(): Promise<ModalityStationView[]> {
    const rows = await this.db.selectFrom('modality_station').selectAll().orderBy('ae_title').execute();
    return rows.map(viewOf);
  }

  /** True when the AE title is a station of the department. */
  async isStation(aeTitle: string): Promise<boolean> {
    return (await findStation(this.db, aeTitle)) !== undefined;
  }

  /** Creates or replaces a station; `created` when it is new. */
  async put(station: ModalityStationView): Promise<{ created: boolean; station: ModalityStationView }> {
    const now = Date.now();
    const fields = {
      station_name: station.stationName,
      location: station.location,
      modality: station.modality,
      description: station.description,
      updated_at: now,
    };
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('modality_station')
        .set(fields)
        .where('ae_title', '=', station.aeTitle)
        .returningAll()
        .executeTakeFirst();
      if (updated !== undefined) return { created: false, station: viewOf(updated) };
      const inserted = await trx
        .insertInto('modality_station')
        .values({ ae_title: station.aeTitle, ...fields, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { created: true, station: viewOf(inserted) };
    });
  }

  /** Removes a station; exams booked on it keep their AE title. False when there was none. */
  async remove(aeTitle: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('modality_station')
      .where('ae_title', '=', aeTitle)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Provider identifiers with their issuer (issue #4 §2): an order keeps who issued its referring provider's
 * ID (HL7 PV1-8.9), and each study gets an `ID^SCHEME` access key for every identifier whose (0008,0102)
 * Coding Scheme Designator is given, backfilled from the stored study attributes, so that a user whose
 * identifier names an issuer matches that issuer's numbers only.
 */
export function providerIssuersMigration(dialect: SqlDialect): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('imaging_order').addColumn('referring_provider_issuer', 'text').execute();
      // (0008,0096) → (0040,1101) → (0008,0100) ^ (0008,0102) of each study's stored attributes.
      if (dialect === 'postgres') {
        await sql`INSERT INTO study_access_key (study_pk, kind, value)
          SELECT DISTINCT s.pk, 'provider',
            btrim(code.x -> '00080100' -> 'Value' ->> 0) || '^' || btrim(code.x -> '00080102' -> 'Value' ->> 0)
          FROM study s,
            jsonb_array_elements(COALESCE((s.attributes)::jsonb -> '00080096' -> 'Value', '[]'::jsonb)) AS person(x),
            jsonb_array_elements(COALESCE(person.x -> '00401101' -> 'Value', '[]'::jsonb)) AS code(x)
          WHERE btrim(code.x -> '00080100' -> 'Value' ->> 0) <> ''
            AND btrim(code.x -> '00080102' -> 'Value' ->> 0) <> ''
          ON CONFLICT DO NOTHING`.execute(db);
      } else {
        await sql`INSERT INTO study_access_key (study_pk, kind, value)
          SELECT DISTINCT s.pk, 'provider',
            trim(json_extract(code.value, '$."00080100".Value[0]')) || '^' || trim(json_extract(code.value, '$."00080102".Value[0]'))
          FROM study s, json_each(s.attributes, '$."00080096".Value') AS person,
            json_each(person.value, '$."00401101".Value') AS code
          WHERE trim(json_extract(code.value, '$."00080100".Value[0]')) <> ''
            AND trim(json_extract(code.value, '$."00080102".Value[0]')) <> ''
          ON CONFLICT DO NOTHING`.execute(db);
      }
    },
  };
}

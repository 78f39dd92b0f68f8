import type { DicomJson } from '@lightbox/dicom';
import type { Kysely, Migration } from 'kysely';
import { referringProviderKeys, StudyAccessKind } from '../../archive/referring-providers.js';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Studies read per batch while backfilling. */
const BATCH = 1000;

/**
 * Provider identifiers with their issuer (issue #4 §2): an order keeps who issued its referring provider's
 * ID (HL7 PV1-8.9), and each study gets a `provider-issued` access key `ID^SCHEME` for every identifier
 * whose (0008,0102) Coding Scheme Designator is given, so that a user whose identifier names an issuer
 * matches that issuer's numbers only. The keys are backfilled by the function ingest uses, so they are the
 * same as a new study's; in JavaScript, because PostgreSQL's jsonb refuses a `\u0000` that stored text may
 * hold. Only studies whose attributes mention (0008,0102) are read.
 */
export function providerIssuersMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('imaging_order').addColumn('referring_provider_issuer', 'text').execute();
      let after = -1;
      for (;;) {
        const studies = (await db
          .selectFrom('study')
          .select(['pk', 'attributes'])
          .where('pk', '>', after)
          .where('attributes', 'like', '%"00080102"%')
          .orderBy('pk')
          .limit(BATCH)
          .execute()) as Array<{ pk: number | string; attributes: string }>;
        if (studies.length === 0) break;
        after = Number(studies[studies.length - 1]!.pk);
        const keys = studies.flatMap((study) =>
          referringProviderKeys(JSON.parse(study.attributes) as DicomJson)
            .filter((key) => key.kind === StudyAccessKind.IssuedProvider)
            .map((key) => ({ study_pk: Number(study.pk), ...key })),
        );
        // In slices, within SQLite's limit of bound parameters per statement.
        for (let at = 0; at < keys.length; at += BATCH)
          await db
            .insertInto('study_access_key')
            .values(keys.slice(at, at + BATCH))
            .onConflict((c) => c.doNothing())
            .execute();
      }
    },
  };
}

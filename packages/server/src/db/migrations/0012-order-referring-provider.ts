import type { Kysely, Migration } from 'kysely';

// Kysely migrations work on an untyped database: the schema is what they create.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * A referring physician sees the studies of the orders that name their provider identifier (issue #4 §2:
 * "the order's referring provider ID", HL7 PV1-8 / ORC-12): the access condition looks orders up by it.
 */
export function orderReferringProviderMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createIndex('imaging_order_referring_provider_idx')
        .on('imaging_order')
        .column('referring_provider_id')
        .execute();
    },
  };
}

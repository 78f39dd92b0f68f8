import type { Transaction } from 'kysely';
import { fuzzyKeyList } from '../archive/matching/person-name-search.js';
import type { Tables } from '../db/tables.js';

/** Records the phonetic keys of a new owner's name (one row per key; the stored fuzzy form has no repeats). */
export async function insertNameKeys(
  trx: Transaction<Tables>,
  tag: number,
  ownerPk: number,
  fuzzy: string | null,
): Promise<void> {
  const keys = fuzzyKeyList(fuzzy);
  if (keys.length === 0) return;
  await trx
    .insertInto('person_name_key')
    .values(keys.map((key) => ({ tag, owner_pk: ownerPk, name_key: key })))
    .execute();
}

/** Replaces the phonetic keys of an owner whose name changed (an ADT update, a merge). */
export async function replaceNameKeys(
  trx: Transaction<Tables>,
  tag: number,
  ownerPk: number,
  fuzzy: string | null,
): Promise<void> {
  await trx.deleteFrom('person_name_key').where('tag', '=', tag).where('owner_pk', '=', ownerPk).execute();
  await insertNameKeys(trx, tag, ownerPk, fuzzy);
}

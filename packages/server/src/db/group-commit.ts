import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './open-database.js';
import type { Tables } from './tables.js';

/** Runs a unit of work in a transaction and resolves once it is committed. */
export type UnitOfWork = <T>(task: (trx: Transaction<Tables>) => Promise<T>) => Promise<T>;

/**
 * How the database commits units of work: on SQLite those that arrive together share a commit
 * ({@link GroupCommit}); on PostgreSQL, whose pool already overlaps transactions, each has its own. Made
 * once per database and shared by everything that writes through it, so that they group together.
 */
export function unitsOfWork(database: Database): UnitOfWork {
  if (database.dialect === 'sqlite') {
    const group = new GroupCommit(database.db);
    return (task) => group.run(task);
  }
  return (task) => database.db.transaction().execute(task);
}

interface Unit {
  task: (trx: Transaction<Tables>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most units of work committed together. */
const MAX_UNITS = 64;

/**
 * Group commit: units of work that arrive together (messages from several HL7 connections, read in one
 * turn of the event loop) run in one transaction, each in a savepoint so that one that fails rolls back
 * alone, and share one commit — one fsync instead of one each. Every unit settles only once that commit is
 * durable, so a sender's acknowledgement still means its data survives a power loss. A unit alone runs in
 * a transaction of its own, as before.
 *
 * Made for SQLite, where one connection serializes every transaction anyway and holds it until the commit's
 * WAL sync is done (db/durable-sqlite.ts); the units must use only the transaction they are given.
 */
export class GroupCommit {
  private readonly waiting: Unit[] = [];
  private scheduled = false;

  constructor(private readonly db: Kysely<Tables>) {}

  /** Runs a unit of work; resolves with its result once it is committed. */
  run<T>(task: (trx: Transaction<Tables>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ task, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the poll phase: every message already read from its socket joins this group.
        setImmediate(() => void this.commitGroup());
      }
    });
  }

  private async commitGroup(): Promise<void> {
    const units = this.waiting.splice(0, MAX_UNITS);
    try {
      if (units.length === 1) {
        const [unit] = units;
        await this.db
          .transaction()
          .execute((trx) => unit!.task(trx))
          .then(unit!.resolve, unit!.reject);
        return;
      }
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const unit of units) {
            await sql`SAVEPOINT unit_of_work`.execute(trx);
            try {
              const value = await unit.task(trx);
              await sql`RELEASE unit_of_work`.execute(trx);
              outcomes.push({ ok: true, value });
            } catch (error) {
              await sql`ROLLBACK TO unit_of_work`.execute(trx);
              await sql`RELEASE unit_of_work`.execute(trx);
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (error) {
        // The commit itself failed: nothing of the group is durable.
        for (const unit of units) unit.reject(error);
        return;
      }
      units.forEach((unit, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) unit.resolve(outcome.value);
        else unit.reject(outcome.error);
      });
    } finally {
      if (this.waiting.length > 0) setImmediate(() => void this.commitGroup());
      else this.scheduled = false;
    }
  }
}

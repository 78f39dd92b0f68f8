import type SqliteDatabase from 'better-sqlite3';
import {
  SqliteDialect,
  SqliteDriver,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDatabase as KyselySqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import { FileSync } from '../shared/file-sync.js';
import type { WalCheckpointer } from './wal-checkpointer.js';

/**
 * The main database's file as SQLite resolved it (symbolic links followed, made absolute): its WAL lies
 * next to that file, not necessarily next to the path the database was opened with.
 */
function mainDatabaseFile(sqlite: SqliteDatabase.Database): string {
  const databases = sqlite.pragma('database_list') as { name: string; file: string }[];
  const main = databases.find((d) => d.name === 'main');
  return main !== undefined && main.file !== '' ? main.file : sqlite.name;
}

/** Prepares statements: the dialect's statement cache (so that checking a statement costs a lookup). */
export interface StatementSource extends KyselySqliteDatabase {
  prepare(sql: string): SqliteStatement & { readonly readonly: boolean };
}

/**
 * The WAL could not be synced: what was committed may not be on disk, and after a failed sync Linux may
 * report the next one as successful although pages were lost. Like PostgreSQL after a failed fsync, the
 * index refuses every statement from then on; only a restart (SQLite's WAL recovery) is safe.
 */
export class IndexDurabilityLost extends Error {
  constructor(cause: unknown) {
    super('the index database could not be synced to disk; restart Lightbox', { cause });
  }
}

/**
 * A connection that, after a statement ends a transaction that wrote (a COMMIT, or a write outside a
 * transaction), resolves only once the WAL is synced. It is still held meanwhile, so no reader sees data
 * that is not yet durable, as with SQLite's own `synchronous = FULL`.
 */
/** Whether the index's commits are still made durable (shared by the dialect and its connection). */
interface Durability {
  lost?: IndexDurabilityLost;
}

class DurableConnection implements DatabaseConnection {
  private wrote = false;

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly sqlite: SqliteDatabase.Database,
    private readonly statements: StatementSource,
    private readonly wal: FileSync,
    private readonly durability: Durability,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.durability.lost !== undefined) throw this.durability.lost;
    // `readonly` is false for every statement that may change the database (INSERT … RETURNING included);
    // BEGIN, COMMIT and the like count as read-only, which is why the end of a transaction is found apart.
    const writes = !this.statements.prepare(query.sql).readonly;
    let outcome: { result: QueryResult<R> } | { error: unknown };
    try {
      outcome = { result: await this.inner.executeQuery<R>(query) };
    } catch (error) {
      outcome = { error };
    }
    if (writes) this.wrote = true;
    if (this.wrote && !this.sqlite.inTransaction) {
      this.wrote = false;
      try {
        await this.wal.sync();
      } catch (error) {
        // Unlike FULL, the commit is already applied and visible: it must not be reported as failed and
        // then built upon, nor as done. Nothing more is accepted (see IndexDurabilityLost).
        this.durability.lost = new IndexDurabilityLost(error);
        throw this.durability.lost;
      }
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class DurableSqliteDriver extends SqliteDriver {
  private durable: DurableConnection | undefined;

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly statements: StatementSource,
    private readonly wal: FileSync,
    private readonly durability: Durability,
    private readonly checkpointer: WalCheckpointer | undefined,
  ) {
    super({ database: statements });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection, behind the driver's mutex: one wrapper serves every turn.
    const inner = await super.acquireConnection();
    this.durable ??= new DurableConnection(inner, this.sqlite, this.statements, this.wal, this.durability);
    return this.durable;
  }

  override async destroy(): Promise<void> {
    await this.checkpointer?.close();
    await this.wal.close();
    await super.destroy();
  }
}

/**
 * SQLite for Kysely with commits made durable off the event loop (issue #2 §5, DESIGN §2). With
 * `synchronous = FULL`, better-sqlite3 runs the WAL's fsync inside COMMIT on the main thread: about 0.4 ms
 * per commit during which no socket is read and no other request progresses (15 % of the main thread
 * while ingesting). Here the connection runs with `synchronous = NORMAL`, which orders and checksums WAL
 * frames but does not sync them at commit, and every statement that ends a transaction that wrote waits
 * for a `fdatasync` of the WAL on the thread pool before it returns. Frames are appended in commit order,
 * so that sync makes this commit and every earlier one durable; checkpoints still sync the WAL before
 * copying it into the database, as NORMAL always does. The guarantee is FULL's: a caller told "committed"
 * holds a commit that survives power loss. Checkpoints run on a thread of their own ({@link WalCheckpointer})
 * when one is given, and the driver ends it before the connection closes.
 */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly statements: StatementSource,
    private readonly checkpointer?: WalCheckpointer,
    private readonly wal = new FileSync(`${mainDatabaseFile(sqlite)}-wal`, 'data'),
  ) {
    super({ database: statements });
  }

  private readonly durability: Durability = {};

  /** False once a WAL sync has failed: the index refuses every statement until a restart. */
  get durable(): boolean {
    return this.durability.lost === undefined;
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(
      this.sqlite,
      this.statements,
      this.wal,
      this.durability,
      this.checkpointer,
    );
  }
}

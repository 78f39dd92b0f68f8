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

/** Prepares statements: the dialect's statement cache (so that checking a statement costs a lookup). */
export interface StatementSource extends KyselySqliteDatabase {
  prepare(sql: string): SqliteStatement & { readonly readonly: boolean };
}

/**
 * A connection that, after a statement ends a transaction that wrote (a COMMIT, or a write outside a
 * transaction), resolves only once the WAL is synced. It is still held meanwhile, so no reader sees data
 * that is not yet durable, as with SQLite's own `synchronous = FULL`.
 */
class DurableConnection implements DatabaseConnection {
  private wrote = false;

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly sqlite: SqliteDatabase.Database,
    private readonly statements: StatementSource,
    private readonly wal: FileSync,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // `readonly` is false for every statement that may change the database (INSERT … RETURNING included);
    // BEGIN, COMMIT and the like count as read-only, which is why the end of a transaction is found apart.
    const writes = !this.statements.prepare(query.sql).readonly;
    try {
      return await this.inner.executeQuery<R>(query);
    } finally {
      if (writes) this.wrote = true;
      if (this.wrote && !this.sqlite.inTransaction) {
        this.wrote = false;
        await this.wal.sync();
      }
    }
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
  ) {
    super({ database: statements });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection, behind the driver's mutex: one wrapper serves every turn.
    const inner = await super.acquireConnection();
    this.durable ??= new DurableConnection(inner, this.sqlite, this.statements, this.wal);
    return this.durable;
  }

  override async destroy(): Promise<void> {
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
 * holds a commit that survives power loss.
 */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly statements: StatementSource,
    private readonly wal = new FileSync(`${sqlite.name}-wal`, 'data'),
  ) {
    super({ database: statements });
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.sqlite, this.statements, this.wal);
  }
}

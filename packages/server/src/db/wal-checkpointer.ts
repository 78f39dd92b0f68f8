import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the checkpointer copies committed WAL frames into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;
/**
 * WAL frames (pages) beyond which the checkpointer also restarts the log. A PASSIVE checkpoint copies
 * what was committed when it began; under a steady stream of commits the log is then never wholly copied
 * when a writer begins, and only then does SQLite start the log over: it grew without end (566 MB in 8 s
 * at ~8 000 commits/s in a probe, where SQLite's own checkpoints kept it at 4 MB). A RESTART checkpoint
 * waits briefly for the writer, copies the few frames left and lets the next writer start the log over.
 */
const RESTART_FRAMES = 2000;
/** The WAL file is cut back to this size when the log starts over. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** SQLite's default: a checkpoint on the committing connection once the WAL holds this many pages. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

// Plain JavaScript, evaluated as the worker: it needs nothing of Lightbox but better-sqlite3, so it runs
// the same under Node and under Vitest. A PASSIVE checkpoint never waits for a lock (readers and the
// writer go on); with synchronous = NORMAL it syncs the WAL before copying and the database after, as the
// checkpoints SQLite runs itself do.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
// A RESTART checkpoint waits this long for the writer and readers, then gives up until the next round.
db.pragma('busy_timeout = 20');
const checkpoint = () => {
  try {
    const [copied] = db.pragma('wal_checkpoint(PASSIVE)');
    if (copied.log > workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    parentPort.postMessage({ failed: String(error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Runs the WAL checkpoints of the index on a thread of their own. SQLite otherwise checkpoints inside
 * the COMMIT that takes the WAL past 1 000 pages, and better-sqlite3 runs that on the event loop: copying
 * ~4 MB and syncing the database file stalled every request for 30–300 ms every few dozen commits (each
 * QIDO query commits its audit event). The main connection's automatic checkpoints are turned off while
 * the worker runs; should the worker fail, they are turned back on, so the WAL never grows unbounded.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;
  private exited = false;

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    file: string,
    private readonly onFailure: (reason: string) => void = () => {},
  ) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, file, intervalMs: CHECKPOINT_INTERVAL_MS, restartFrames: RESTART_FRAMES },
    });
    // It must not keep the process alive on its own; close() ends it.
    this.worker.unref();
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    this.worker.on('message', (message: { failed?: string }) => {
      if (message.failed !== undefined) this.fallBack(message.failed);
    });
    this.worker.on('error', (error) => this.fallBack(String(error)));
    this.worker.on('exit', () => {
      this.exited = true;
      if (this.stopped === undefined) this.fallBack('the checkpoint thread ended');
    });
  }

  private fallBack(reason: string): void {
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    this.onFailure(reason);
  }

  /** Checkpoints once more and ends the thread; the database connection is the caller's to close. */
  close(): Promise<void> {
    this.stopped ??= this.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          // Held until it has ended: an unreferenced thread would let a process that awaits this close
          // (a command line tool, the bench) exit on the spot, silently.
          this.worker.ref();
          this.worker.once('exit', () => resolve());
          this.worker.postMessage('close');
        });
    return this.stopped;
  }
}

import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes what was written to one file (or the entries of one directory) durable, with `fdatasync` (or
 * `fsync` for a directory) on libuv's thread pool, so that the event loop never waits on the disk. Calls
 * that arrive while a sync runs share the next one, which starts once it ends (the running one may have
 * begun before their writes): many writers, few syncs.
 */
export class FileSync {
  private handle: FileHandle | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private synced = 0;
  private closed = false;

  /** @param kind - `data` for a file's contents and size (fdatasync), `directory` for its entries (fsync) */
  constructor(
    private readonly file: string,
    private readonly kind: 'data' | 'directory',
  ) {}

  /** How many syncs have completed (for tests and diagnostics). */
  get syncCount(): number {
    return this.synced;
  }

  /** Resolves once everything written to the file before this call is on disk. */
  sync(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.flush().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(
      () => this.next(),
      () => this.next(),
    );
    return this.queued;
  }

  private next(): Promise<void> {
    this.queued = undefined;
    return this.sync();
  }

  private async flush(): Promise<void> {
    if (this.closed) {
      // A caller that still held this after close(): one sync with a handle of its own.
      const handle = await open(this.file, 'r');
      try {
        await this.syncHandle(handle);
      } finally {
        await handle.close();
      }
      return;
    }
    // One handle for the file's life: a WAL keeps its inode while the database is open, and a
    // directory is never replaced under us.
    this.handle ??= await open(this.file, 'r');
    await this.syncHandle(this.handle);
  }

  private async syncHandle(handle: FileHandle): Promise<void> {
    if (this.kind === 'data') await handle.datasync();
    else await handle.sync();
    this.synced++;
  }

  /** Waits for syncs under way, then closes the handle; later syncs open one of their own. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queued?.catch(() => {});
    await this.running?.catch(() => {});
    await this.handle?.close();
    this.handle = undefined;
  }
}

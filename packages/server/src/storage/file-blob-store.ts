import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { FileSync } from '../shared/file-sync.js';
import type { BlobInfo, BlobRange, BlobStore, PutOptions } from './blob-store.js';

const KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._/-]*$/;
const PARTIAL_DIR = '.partial';
/** Directories whose handles are kept open for syncing (objects go to a folder per day). */
const OPEN_DIRECTORIES = 8;

/** Bytes gathered before a write. */
const WRITE_BATCH = 256 * 1024;

/** Writes every byte of `pieces` (a short write continues where it stopped). */
async function writeAll(handle: FileHandle, pieces: Uint8Array[], length: number): Promise<void> {
  let { bytesWritten } = await handle.writev(pieces);
  while (bytesWritten < length) {
    const rest: Uint8Array[] = [];
    let skip = bytesWritten;
    for (const piece of pieces) {
      if (skip >= piece.length) skip -= piece.length;
      else {
        rest.push(piece.subarray(skip));
        skip = 0;
      }
    }
    pieces = rest;
    length -= bytesWritten;
    ({ bytesWritten } = await handle.writev(pieces));
  }
}

/**
 * Objects as files under one root directory. A put writes to `.partial/<uuid>` and renames it to its key;
 * it resolves once the file and its directory (and any directory it had to create) are synced, so that a
 * resolved put survives power loss. A crash never leaves a partial file under a key that nobody recorded
 * (see PutOptions.publishAfter).
 */
export class FileBlobStore implements BlobStore {
  // Directories made durable, or being made so: concurrent writers into a new folder wait for the
  // same fsyncs instead of trusting a folder another writer has only just created.
  private readonly directories = new Map<string, Promise<void>>();
  private readonly directorySyncs = new Map<string, FileSync>();

  constructor(private readonly root: string) {}

  /** Creates the root and the partial-write directory. */
  async init(): Promise<void> {
    await this.ensureDirectory(path.join(this.root, PARTIAL_DIR));
  }

  private pathOf(key: string): string {
    if (
      !KEY_PATTERN.test(key) ||
      key.split('/').some((part) => part === '..' || part === '' || part === '.')
    ) {
      throw new AppError(ErrorCode.ProcessingFailure, 'invalid object key');
    }
    return path.join(this.root, key);
  }

  // mkdir -p, then fsync each folder's parent (root first) so that the new entries are durable too.
  private ensureDirectory(dir: string): Promise<void> {
    let ready = this.directories.get(dir);
    if (ready === undefined) {
      ready = this.createDirectory(dir);
      this.directories.set(dir, ready);
      ready.catch(() => this.directories.delete(dir));
    }
    return ready;
  }

  private async createDirectory(dir: string): Promise<void> {
    const parent = path.dirname(dir);
    if (parent !== dir && parent.startsWith(this.root)) await this.ensureDirectory(parent);
    await mkdir(dir, { recursive: true });
    // Sync the parent the first time this process sees a folder, whoever created it: another process,
    // or a crash before the sync, may have left its entry not yet durable.
    if (parent !== dir) await this.directorySync(parent).sync();
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<BlobInfo> {
    const publishAfter = options.publishAfter;
    publishAfter?.catch(() => {}); // awaited later (below), perhaps only after the bytes
    const finalPath = this.pathOf(key);
    const dir = path.dirname(finalPath);
    const partialPath = path.join(this.root, PARTIAL_DIR, randomUUID());
    const hash = options.checksum === false ? undefined : createHash('sha256');
    let size = 0;
    const handle = await open(partialPath, 'wx');
    // A caller that records the key first (publishAfter) cleans up whatever lies under it after a crash,
    // so the file moves under its key as soon as that record is durable, while it is still being written,
    // and at the end the file and its directory are synced together. Otherwise the file is synced before
    // it is renamed, so that nothing incomplete ever lies under a real key.
    // Set when the bytes failed: the file is then not moved under its key only to be removed there.
    let abandoned = false;
    const placed =
      publishAfter === undefined
        ? undefined
        : this.ensureDirectory(dir)
            .then(() => publishAfter)
            .then(async () => {
              if (abandoned) throw new Error('the object was abandoned before it got its key');
              await rename(partialPath, finalPath);
            });
    placed?.catch(() => {}); // awaited below, perhaps only after the bytes: a failure is reported there
    try {
      try {
        // Chunks leave in batches of about WRITE_BATCH bytes, one writev each: fewer trips to the thread
        // pool than a write per chunk, and no copy into one buffer.
        let batch: Uint8Array[] = [];
        let batched = 0;
        for await (const chunk of body) {
          hash?.update(chunk);
          size += chunk.length;
          batch.push(chunk);
          batched += chunk.length;
          if (batched >= WRITE_BATCH) {
            await writeAll(handle, batch, batched);
            batch = [];
            batched = 0;
          }
        }
        if (batched > 0) await writeAll(handle, batch, batched);
        if (placed !== undefined) {
          await placed;
          await Promise.all([handle.datasync(), this.directorySync(dir).sync()]);
        } else {
          await handle.sync();
        }
      } finally {
        await handle.close();
      }
      if (placed === undefined) {
        await this.ensureDirectory(dir);
        await rename(partialPath, finalPath);
        await this.directorySync(dir).sync();
      }
    } catch (error) {
      abandoned = true;
      const wasPlaced = await placed?.then(
        () => true,
        () => false,
      );
      await rm(wasPlaced === true ? finalPath : partialPath, { force: true });
      throw error;
    }
    return { size, sha256: hash?.digest('hex') ?? '' };
  }

  // Directories synced often (the day's folder) keep a handle open, and concurrent writers share syncs.
  private directorySync(dir: string): FileSync {
    let sync = this.directorySyncs.get(dir);
    if (sync === undefined) {
      if (this.directorySyncs.size >= OPEN_DIRECTORIES) {
        const [oldest, old] = this.directorySyncs.entries().next().value!;
        this.directorySyncs.delete(oldest);
        old.close().catch(() => {}); // a directory handle that will not close is only a descriptor
      }
      sync = new FileSync(dir, 'directory');
      this.directorySyncs.set(dir, sync);
    }
    return sync;
  }

  async get(key: string, range?: BlobRange): Promise<Readable> {
    const file = this.pathOf(key);
    await this.assertExists(file);
    if (range === undefined) return createReadStream(file, { highWaterMark: 256 * 1024 });
    if (range.length === 0) return createReadStream(file, { start: 1, end: 0 });
    return createReadStream(file, {
      start: range.offset,
      end: range.offset + range.length - 1,
      highWaterMark: 256 * 1024,
    });
  }

  async size(key: string): Promise<number> {
    const info = await stat(this.pathOf(key)).catch((error: NodeJS.ErrnoException) => {
      throw this.missing(error);
    });
    return info.size;
  }

  async read(key: string, range: BlobRange): Promise<Uint8Array> {
    const handle = await open(this.pathOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
      throw this.missing(error);
    });
    try {
      const out = Buffer.allocUnsafe(range.length);
      let done = 0;
      while (done < range.length) {
        const { bytesRead } = await handle.read(out, done, range.length - done, range.offset + done);
        if (bytesRead === 0)
          throw new AppError(ErrorCode.ProcessingFailure, 'stored object is shorter than its index says');
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async sweepPartialWrites(ageMs: number): Promise<number> {
    const dir = path.join(this.root, PARTIAL_DIR);
    const names = await readdir(dir).catch(() => [] as string[]);
    let removed = 0;
    const cutoff = Date.now() - ageMs;
    for (const name of names) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info !== undefined && info.mtimeMs <= cutoff) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    const syncs = [...this.directorySyncs.values()];
    this.directorySyncs.clear();
    await Promise.all(syncs.map((sync) => sync.close()));
  }

  private async assertExists(file: string): Promise<void> {
    await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw this.missing(error);
    });
  }

  private missing(error: NodeJS.ErrnoException): Error {
    if (error.code === 'ENOENT') {
      return new AppError(ErrorCode.ProcessingFailure, 'a stored object is missing from storage', undefined, {
        cause: error,
      });
    }
    return error;
  }
}

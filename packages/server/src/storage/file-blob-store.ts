import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { BlobInfo, BlobRange, BlobStore } from './blob-store.js';

const KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._/-]*$/;
const PARTIAL_DIR = '.partial';

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Objects as files under one root directory. A put writes to `.partial/<uuid>`, fsyncs the file,
 * renames it to its key and fsyncs the directory (and any directory it had to create), so that a
 * resolved put survives power loss and a crash never leaves a partial file under a real key.
 */
export class FileBlobStore implements BlobStore {
  // Directories made durable, or being made so: concurrent writers into a new folder wait for the
  // same fsyncs instead of trusting a folder another writer has only just created.
  private readonly directories = new Map<string, Promise<void>>();

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
    if (parent !== dir) await syncDirectory(parent);
  }

  async put(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: { checksum?: boolean } = {},
  ): Promise<BlobInfo> {
    const finalPath = this.pathOf(key);
    const partialPath = path.join(this.root, PARTIAL_DIR, randomUUID());
    const hash = options.checksum === false ? undefined : createHash('sha256');
    let size = 0;
    const handle = await open(partialPath, 'wx');
    try {
      try {
        for await (const chunk of body) {
          hash?.update(chunk);
          size += chunk.length;
          let written = 0;
          while (written < chunk.length) {
            const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
            written += bytesWritten;
          }
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const dir = path.dirname(finalPath);
      await this.ensureDirectory(dir);
      await rename(partialPath, finalPath);
      await syncDirectory(dir);
    } catch (error) {
      await rm(partialPath, { force: true });
      throw error;
    }
    return { size, sha256: hash?.digest('hex') ?? '' };
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

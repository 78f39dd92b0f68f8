import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from './file-blob-store.js';

async function* pieces(bytes: Buffer, size = 10_000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    yield bytes.subarray(i, i + size);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const exists = (file: string) =>
  readFile(file).then(
    () => true,
    () => false,
  );

describe('objects as files', () => {
  let dir: string;
  let store: FileBlobStore;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lightbox-files-'));
    store = new FileBlobStore(dir);
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores an object under its key with its size and SHA-256', async () => {
    const bytes = randomBytes(300_000);
    const info = await store.put('2026/11/24/a.dcm', pieces(bytes));
    expect(info).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await readFile(path.join(dir, '2026/11/24/a.dcm'))).equals(bytes)).toBe(true);
    expect(await readdir(path.join(dir, '.partial'))).toEqual([]);
  });

  it('places nothing under the key before the caller has recorded it (publishAfter)', async () => {
    const bytes = randomBytes(200_000);
    let record!: () => void;
    const recorded = new Promise<void>((resolve) => (record = resolve));
    let settled = false;
    const put = store
      .put('day/b.dcm', pieces(bytes), { publishAfter: recorded })
      .finally(() => (settled = true));
    // Every byte can arrive while the record is still being written; the object stays out of sight.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    expect(await exists(path.join(dir, 'day/b.dcm'))).toBe(false);
    record();
    await put;
    expect((await readFile(path.join(dir, 'day/b.dcm'))).equals(bytes)).toBe(true);
    expect(await readdir(path.join(dir, '.partial'))).toEqual([]);
  });

  it('leaves nothing behind when the record fails, nor when the bytes fail after it', async () => {
    const failedRecord = Promise.reject(new Error('index unavailable'));
    await expect(
      store.put('day/c.dcm', pieces(randomBytes(50_000)), { publishAfter: failedRecord }),
    ).rejects.toThrow('index unavailable');
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield randomBytes(70_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('sender went away');
    }
    await expect(store.put('day/d.dcm', broken(), { publishAfter: Promise.resolve() })).rejects.toThrow(
      'sender went away',
    );
    expect(await exists(path.join(dir, 'day/c.dcm'))).toBe(false);
    expect(await exists(path.join(dir, 'day/d.dcm'))).toBe(false);
    expect(await readdir(path.join(dir, '.partial'))).toEqual([]);
  });

  it('keeps storing after it was closed (a late writer syncs with a handle of its own)', async () => {
    await store.put('day/e.dcm', pieces(randomBytes(1_000)));
    await store.close();
    const bytes = randomBytes(1_000);
    await store.put('day/f.dcm', pieces(bytes));
    expect((await readFile(path.join(dir, 'day/f.dcm'))).equals(bytes)).toBe(true);
  });
});

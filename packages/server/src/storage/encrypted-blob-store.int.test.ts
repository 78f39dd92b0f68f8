import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/open-database.js';
import { KeyRing } from '../security/keys/key-ring.js';
import { masterKeysOnDisk } from '../security/keys/master-key.js';
import { CHUNK_SIZE, EncryptedBlobStore } from './encrypted-blob-store.js';
import { FileBlobStore } from './file-blob-store.js';

async function* pieces(bytes: Buffer, size = 10_000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

describe('encryption at rest (issue #4 §5)', () => {
  let dir: string;
  let database: Database;
  let files: FileBlobStore;
  let ring: KeyRing;
  let store: EncryptedBlobStore;
  const master = randomBytes(32);
  /** The master key the ring is wrapped by now (a test below rotates it). */
  let current = master;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lightbox-sealed-'));
    database = await openDatabase(`sqlite:${path.join(dir, 'index.db')}`);
    files = new FileBlobStore(path.join(dir, 'objects'));
    await files.init();
    ring = await KeyRing.open(database, master);
    store = new EncryptedBlobStore(files, ring);
  });
  afterAll(async () => {
    await store?.close();
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips objects of every size around the chunk boundaries, reporting plaintext size and SHA-256', async () => {
    for (const length of [
      0,
      1,
      CHUNK_SIZE - 1,
      CHUNK_SIZE,
      CHUNK_SIZE + 1,
      3 * CHUNK_SIZE,
      3 * CHUNK_SIZE + 17,
    ]) {
      const plain = randomBytes(length);
      const key = `sizes/${length}`;
      const info = await store.put(key, pieces(plain, 7_777));
      expect(info).toEqual({ size: length, sha256: createHash('sha256').update(plain).digest('hex') });
      expect((await collect(await store.get(key))).equals(plain), `length ${length}`).toBe(true);
      expect(await store.size(key)).toBe(length);
    }
  });

  it('reads any byte range by opening only the chunks it touches', async () => {
    const plain = randomBytes(5 * CHUNK_SIZE + 1234);
    await store.put('ranges', pieces(plain));
    const ranges = [
      { offset: 0, length: 1 },
      { offset: CHUNK_SIZE - 1, length: 2 },
      { offset: CHUNK_SIZE, length: CHUNK_SIZE },
      { offset: 2 * CHUNK_SIZE + 5, length: 3 * CHUNK_SIZE },
      { offset: plain.length - 1, length: 1 },
      { offset: 100, length: 0 },
    ];
    for (let i = 0; i < 40; i++) {
      const offset = Math.floor(Math.random() * plain.length);
      ranges.push({ offset, length: Math.floor(Math.random() * (plain.length - offset)) });
    }
    for (const range of ranges) {
      const expected = plain.subarray(range.offset, range.offset + range.length);
      expect(Buffer.from(await store.read('ranges', range)).equals(expected), JSON.stringify(range)).toBe(
        true,
      );
      expect((await collect(await store.get('ranges', range))).equals(expected), JSON.stringify(range)).toBe(
        true,
      );
    }
    await expect(store.read('ranges', { offset: plain.length - 10, length: 11 })).rejects.toThrow(/shorter/);
  });

  it('keeps nothing of the plaintext on disk', async () => {
    const marker = Buffer.from('PATIENT^SECRET^NAME-0123456789-ABCDEFGHIJ');
    const plain = Buffer.concat([randomBytes(1000), marker, randomBytes(1000), marker]);
    await store.put('secret', pieces(plain));
    const onDisk = await readFile(path.join(dir, 'objects', 'secret'));
    expect(onDisk.includes(marker)).toBe(false);
    expect(onDisk.includes(marker.subarray(0, 12))).toBe(false);
  });

  it('detects a changed byte in a chunk, and a truncated object, while other chunks stay readable', async () => {
    const plain = randomBytes(3 * CHUNK_SIZE);
    await store.put('tampered', pieces(plain));
    const file = path.join(dir, 'objects', 'tampered');
    const handle = await open(file, 'r+');
    const position = 64 + (CHUNK_SIZE + 16) + 10; // inside the second chunk
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    await handle.write(Buffer.of(byte[0]! ^ 0x01), 0, 1, position);
    await handle.close();
    await expect(store.read('tampered', { offset: CHUNK_SIZE + 5, length: 10 })).rejects.toThrow(/integrity/);
    expect(
      Buffer.from(await store.read('tampered', { offset: 0, length: 100 })).equals(plain.subarray(0, 100)),
    ).toBe(true);

    await store.put('truncated', pieces(plain));
    const truncatedFile = path.join(dir, 'objects', 'truncated');
    // Drop the whole last chunk: what remains would look complete without the "last chunk" flag.
    await truncate(truncatedFile, 64 + 2 * (CHUNK_SIZE + 16));
    await expect(collect(await store.get('truncated'))).rejects.toThrow(/integrity/);
  });

  it('reads objects stored in the clear before encryption was turned on', async () => {
    const plain = randomBytes(200_000);
    await files.put('legacy', pieces(plain));
    expect((await collect(await store.get('legacy'))).equals(plain)).toBe(true);
    expect(
      Buffer.from(await store.read('legacy', { offset: 5, length: 50 })).equals(plain.subarray(5, 55)),
    ).toBe(true);
  });

  it('keeps old objects readable across a new data key and a new master key', async () => {
    const before = randomBytes(100_000);
    await store.put('generation-1', pieces(before));
    const first = ring.activeObjectKey().id;
    await ring.addObjectKey();
    expect(ring.activeObjectKey().id).not.toBe(first);
    const after = randomBytes(100_000);
    await store.put('generation-2', pieces(after));
    const newMaster = randomBytes(32);
    await ring.rewrap(newMaster);
    current = newMaster;
    await expect(KeyRing.open(database, master)).rejects.toThrow(/another master key/);
    const reopened = new EncryptedBlobStore(files, await KeyRing.open(database, newMaster));
    expect((await collect(await reopened.get('generation-1'))).equals(before)).toBe(true);
    expect((await collect(await reopened.get('generation-2'))).equals(after)).toBe(true);
  });

  it('follows a rotation made beside it by reading the key file again, and keeps its keys when it cannot', async () => {
    let keyFile = current;
    const running = await KeyRing.open(database, keyFile, () => [randomBytes(32), keyFile]);
    const pinned = await KeyRing.open(database, keyFile); // a master key from the environment
    const auditKey = running.auditChainKey().id;
    const old = randomBytes(50_000);
    await new EncryptedBlobStore(files, running).put('before-rotation', pieces(old));
    // rotate-keys in another process: a new data key, the ring rewrapped, the key file replaced.
    const cli = await KeyRing.open(database, keyFile);
    await cli.addObjectKey();
    keyFile = randomBytes(32);
    await cli.rewrap(keyFile);
    const sealedByCli = randomBytes(50_000);
    await new EncryptedBlobStore(files, cli).put('after-rotation', pieces(sealedByCli));

    const followed = new EncryptedBlobStore(files, running);
    // Readers that miss the new key at once share one reload.
    const reloads = [running.reload(), running.reload()];
    expect(reloads[0]).toBe(reloads[1]);
    expect(await Promise.all(reloads)).toEqual([true, true]);
    expect((await collect(await followed.get('after-rotation'))).equals(sealedByCli)).toBe(true);
    expect((await collect(await followed.get('before-rotation'))).equals(old)).toBe(true);
    // The pinned ring cannot load the rewrapped rows: it fails that object, and keeps every key it had.
    const stuck = new EncryptedBlobStore(files, pinned);
    await expect(stuck.get('after-rotation')).rejects.toThrow(/not in the key ring/);
    expect((await collect(await stuck.get('before-rotation'))).equals(old)).toBe(true);
    expect(pinned.auditChainKey().id).toBe(auditKey);
  });

  it('looks for master keys on disk without ever writing one', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'lightbox-no-key-'));
    try {
      expect(masterKeysOnDisk(empty)).toEqual([]);
      expect(await readdir(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

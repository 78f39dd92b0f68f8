import { createCipheriv, createDecipheriv, createHash, hkdf, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError, ErrorCode } from '../shared/app-error.js';
import type { BlobInfo, BlobRange, BlobStore, PutOptions } from './blob-store.js';

/** The keys objects are sealed with (the key ring). */
export interface ObjectKeys {
  activeObjectKey(): { id: string; key: Buffer };
  objectKey(id: string): Buffer | undefined;
  /** Reads the keys again (one was added elsewhere); true when it could. */
  reload(): Promise<boolean>;
}

const MAGIC = Buffer.from('LBXENC01', 'ascii');
/** Plaintext bytes per sealed chunk. */
export const CHUNK_SIZE = 64 * 1024;
const TAG = 16;
// magic (8) ‖ chunk size (4) ‖ key ID (8) ‖ salt (32) ‖ reserved (12)
const HEADER = 64;

interface Header {
  bytes: Buffer;
  chunkSize: number;
  key: Buffer;
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

// The header and whether this is the last chunk are authenticated with every chunk, so chunks cannot be
// moved between objects, reordered, or dropped from the end without detection.
function aad(header: Buffer, last: boolean): Buffer {
  return Buffer.concat([header, Buffer.of(last ? 1 : 0)]);
}

/**
 * An object's own key from a key-ring data key and the object's salt, derived on the thread pool: a new
 * object's key is ready by the time its bytes are.
 */
function objectKey(dataKey: Buffer, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    hkdf('sha256', dataKey, salt, 'lightbox object', 32, (error, key) =>
      error === null ? resolve(Buffer.from(key)) : reject(error),
    ),
  );
}

/** Seals one chunk: ciphertext and tag, as separate buffers (no copy into one). */
function sealChunk(header: Header, index: number, plain: Uint8Array, last: boolean): [Buffer, Buffer] {
  const cipher = createCipheriv('aes-256-gcm', header.key, nonce(index)).setAAD(aad(header.bytes, last));
  const sealed = cipher.update(plain);
  cipher.final();
  return [sealed, cipher.getAuthTag()];
}

function openChunk(header: Header, index: number, sealed: Buffer, last: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', header.key, nonce(index)).setAAD(aad(header.bytes, last));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    const plain = decipher.update(sealed.subarray(0, sealed.length - TAG));
    decipher.final();
    return plain;
  } catch (error) {
    throw new AppError(ErrorCode.ProcessingFailure, 'a stored object failed its integrity check', undefined, {
      cause: error,
    });
  }
}

/** A Buffer view of bytes, without copying them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The plaintext size of a sealed object of `stored` bytes (every chunk full but the last, which holds ≥ 0). */
function plainSize(stored: number, chunkSize: number): number {
  const body = stored - HEADER;
  const full = Math.floor(body / (chunkSize + TAG));
  const rest = body - full * (chunkSize + TAG);
  if (rest === 0 && full > 0) return full * chunkSize;
  if (rest < TAG) throw new AppError(ErrorCode.ProcessingFailure, 'a stored object is truncated');
  return full * chunkSize + rest - TAG;
}

/**
 * Encryption at rest (issue #4 §5, DESIGN §2): every object is sealed in independent 64 KiB chunks with
 * AES-256-GCM under a key of its own (HKDF of a key-ring data key and a random salt in the object's
 * header), so a byte range — a single frame — is read by opening only the chunks it touches. Sizes and
 * checksums reported are those of the plaintext, as the index expects. Objects stored in the clear (before
 * encryption was turned on, or with sealing turned off) are read as they are.
 */
export class EncryptedBlobStore implements BlobStore {
  // Objects never change under their key (every write gets a new key), so what their header says can be
  // remembered: a frame read is then one positioned read and its chunks' decryption.
  private readonly described = new Map<string, Described>();

  constructor(
    private readonly inner: BlobStore,
    private readonly keys: ObjectKeys,
    private readonly options: { seal: boolean } = { seal: true },
  ) {}

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<BlobInfo> {
    this.described.delete(key);
    if (!this.options.seal) return this.inner.put(key, body, options);
    const active = this.keys.activeObjectKey();
    const salt = randomBytes(32);
    const bytes = Buffer.alloc(HEADER);
    MAGIC.copy(bytes, 0);
    bytes.writeUInt32BE(CHUNK_SIZE, 8);
    Buffer.from(active.id, 'hex').copy(bytes, 12);
    salt.copy(bytes, 20);
    const derived = objectKey(active.key, salt);
    derived.catch(() => {}); // awaited before the first chunk is sealed
    const hash = createHash('sha256');
    let size = 0;
    // Header, then each chunk's ciphertext and tag as they are sealed (the inner store batches its writes).
    async function* sealed(): AsyncGenerator<Uint8Array> {
      yield bytes;
      const header: Header = { bytes, chunkSize: CHUNK_SIZE, key: await derived };
      // A full chunk is sealed once more data shows it is not the last; the end seals what remains as last.
      const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
      let filled = 0;
      let index = 0;
      for await (const piece of body) {
        hash.update(piece);
        size += piece.length;
        let offset = 0;
        while (offset < piece.length) {
          if (filled === CHUNK_SIZE) {
            yield* sealChunk(header, index++, buffer, false);
            filled = 0;
          }
          const count = Math.min(CHUNK_SIZE - filled, piece.length - offset);
          buffer.set(piece.subarray(offset, offset + count), filled);
          filled += count;
          offset += count;
        }
      }
      yield* sealChunk(header, index, buffer.subarray(0, filled), true);
    }
    this.described.delete(key);
    // The inner store's checksum would be of the ciphertext: the index records the plaintext's.
    await this.inner.put(key, sealed(), { ...options, checksum: false });
    return { size, sha256: hash.digest('hex') };
  }

  async get(key: string, range?: BlobRange): Promise<Readable> {
    const described = await this.describe(key);
    if (described.header === undefined) return this.inner.get(key, range);
    const start = range?.offset ?? 0;
    const end = range === undefined ? described.size : Math.min(described.size, range.offset + range.length);
    return Readable.from(this.plaintext(key, described.header, described.size, start, end));
  }

  async read(key: string, range: BlobRange): Promise<Uint8Array> {
    const described = await this.describe(key);
    const header = described.header;
    if (header === undefined) return this.inner.read(key, range);
    if (range.offset + range.length > described.size) {
      throw new AppError(ErrorCode.ProcessingFailure, 'stored object is shorter than its index says');
    }
    if (range.length === 0) return new Uint8Array(0);
    // One positioned read of the chunks the range lies in, then their decryption.
    const span = chunkSpan(header.chunkSize, described.size, range.offset, range.offset + range.length);
    const stored = asBuffer(await this.inner.read(key, { offset: span.offset, length: span.length }));
    // Each chunk's plaintext is written back into the buffer its ciphertext was read into, at or before
    // where that ciphertext began (plaintext is shorter, and earlier chunks shorter still): no second
    // buffer of the frame's size, which would only be more garbage to collect.
    let written = 0;
    let at = 0;
    for (let index = span.first; index <= span.last; index++) {
      const sealedLength = Math.min(header.chunkSize, described.size - index * header.chunkSize) + TAG;
      const plain = openChunk(
        header,
        index,
        stored.subarray(at, at + sealedLength),
        index === span.lastChunk,
      );
      at += sealedLength;
      const chunkStart = index * header.chunkSize;
      const from = Math.max(0, range.offset - chunkStart);
      const to = Math.min(plain.length, range.offset + range.length - chunkStart);
      written += plain.copy(stored, written, from, to);
    }
    return stored.subarray(0, written);
  }

  async size(key: string): Promise<number> {
    return (await this.describe(key)).size;
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  async delete(key: string): Promise<void> {
    this.described.delete(key);
    await this.inner.delete(key);
  }

  sweepPartialWrites(ageMs: number): Promise<number> {
    return this.inner.sweepPartialWrites(ageMs);
  }

  /** The object's plaintext size, and its header with its key unless it is stored in the clear. */
  private async describe(key: string): Promise<Described> {
    const known = this.described.get(key);
    if (known !== undefined) return known;
    const stored = await this.inner.size(key);
    let described: Described = { size: stored };
    if (stored >= HEADER + TAG) {
      const bytes = asBuffer(await this.inner.read(key, { offset: 0, length: HEADER }));
      if (bytes.subarray(0, 8).equals(MAGIC)) {
        const id = bytes.subarray(12, 20).toString('hex');
        // A key another node or the CLI added since this ring was loaded: look again once.
        const dataKey =
          this.keys.objectKey(id) ?? ((await this.keys.reload()) ? this.keys.objectKey(id) : undefined);
        if (dataKey === undefined) {
          throw new AppError(
            ErrorCode.ProcessingFailure,
            `a stored object is sealed with key ${id}, which is not in the key ring`,
          );
        }
        const header = {
          bytes,
          chunkSize: bytes.readUInt32BE(8),
          key: await objectKey(dataKey, bytes.subarray(20, 52)),
        };
        described = { size: plainSize(stored, header.chunkSize), header };
      }
    }
    if (this.described.size >= DESCRIBED_MAX) this.described.delete(this.described.keys().next().value!);
    this.described.set(key, described);
    return described;
  }

  /** Plaintext bytes [start, end) of a sealed object, streamed, opening only the chunks they lie in. */
  private async *plaintext(
    key: string,
    header: Header,
    total: number,
    start: number,
    end: number,
  ): AsyncGenerator<Buffer> {
    if (end <= start) return;
    const span = chunkSpan(header.chunkSize, total, start, end);
    const source = await this.inner.get(key, { offset: span.offset, length: span.length });
    const parts: Buffer[] = [];
    let held = 0;
    let index = span.first;
    for await (const piece of source as AsyncIterable<Buffer>) {
      parts.push(piece);
      held += piece.length;
      for (;;) {
        const sealedLength = Math.min(header.chunkSize, total - index * header.chunkSize) + TAG;
        if (index > span.last || held < sealedLength) break;
        // Take one sealed chunk off the front, copying only when it spans pieces.
        const first = parts[0]!;
        let sealed: Buffer;
        if (first.length >= sealedLength) {
          sealed = first.subarray(0, sealedLength);
          if (first.length === sealedLength) parts.shift();
          else parts[0] = first.subarray(sealedLength);
        } else {
          sealed = Buffer.allocUnsafe(sealedLength);
          let copied = 0;
          while (copied < sealedLength) {
            const part = parts[0]!;
            const take = Math.min(part.length, sealedLength - copied);
            part.copy(sealed, copied, 0, take);
            copied += take;
            if (take === part.length) parts.shift();
            else parts[0] = part.subarray(take);
          }
        }
        held -= sealedLength;
        const plain = openChunk(header, index, sealed, index === span.lastChunk);
        const chunkStart = index * header.chunkSize;
        index += 1;
        yield plain.subarray(Math.max(0, start - chunkStart), Math.min(plain.length, end - chunkStart));
      }
    }
    if (index <= span.last) throw new AppError(ErrorCode.ProcessingFailure, 'a stored object is truncated');
  }
}

/** What is known of a stored object. */
interface Described {
  /** Plaintext size. */
  size: number;
  /** Absent for an object stored in the clear. */
  header?: Header;
}

/** Headers remembered (about 200 bytes each). */
const DESCRIBED_MAX = 20_000;

/** The sealed chunks holding plaintext [start, end), and where they lie in the stored object. */
function chunkSpan(chunkSize: number, total: number, start: number, end: number) {
  const first = Math.floor(start / chunkSize);
  const last = Math.floor((end - 1) / chunkSize);
  const lastChunk = Math.max(0, Math.ceil(total / chunkSize) - 1);
  const lastLength = Math.min(total, (last + 1) * chunkSize) - last * chunkSize;
  return {
    first,
    last,
    lastChunk,
    offset: HEADER + first * (chunkSize + TAG),
    length: (last - first) * (chunkSize + TAG) + lastLength + TAG,
  };
}

import type { Readable } from 'node:stream';

/** Size and checksum of a stored object, recorded in the index for every object. */
export interface BlobInfo {
  size: number;
  /** SHA-256 of the bytes, lower-case hex. */
  sha256: string;
}

/** A byte range of a stored object. */
export interface BlobRange {
  offset: number;
  length: number;
}

/** Options of one put. */
export interface PutOptions {
  checksum?: boolean;
  /**
   * The caller's durable record of the key (a pending row): the object appears under its key only once
   * this has resolved, and the put rejects if it rejects. The bytes stream in meanwhile. After it has
   * resolved, a crash may leave an incomplete object under the key, which the caller's record names for
   * cleanup; without it, nothing incomplete ever lies under a key.
   */
  publishAfter?: Promise<unknown>;
}

/**
 * Where object bytes live (DESIGN §4.2): a small port, file-system backed by default, S3 when scaled out.
 * Encryption at rest wraps an implementation in independently sealed chunks, so ranges stay readable
 * (see EncryptedBlobStore).
 */
export interface BlobStore {
  /**
   * Writes a new object; resolves only once it is durable (data and directory entry synced). With
   * `checksum: false` the SHA-256 is not computed (and is reported empty): for a caller that hashes
   * other bytes than those stored, as encryption at rest hashes the plaintext.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, options?: PutOptions): Promise<BlobInfo>;
  /** Streams an object, or a byte range of it. Rejects if the object does not exist. */
  get(key: string, range?: BlobRange): Promise<Readable>;
  /** The size of a stored object in bytes. Rejects if the object does not exist. */
  size(key: string): Promise<number>;
  /** Reads a byte range into memory (single frames, headers). */
  read(key: string, range: BlobRange): Promise<Uint8Array>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Removes partial writes left by a crash that are older than `ageMs`; returns how many. */
  sweepPartialWrites(ageMs: number): Promise<number>;
  /** Releases what the store holds open (once every put has settled). */
  close(): Promise<void>;
}

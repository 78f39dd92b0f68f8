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

/**
 * Where object bytes live (DESIGN §4.2): a small port, file-system backed by default, S3 when scaled out.
 * Encryption at rest (security issue) wraps an implementation in independently sealed chunks, so ranges
 * stay readable.
 */
export interface BlobStore {
  /** Writes a new object; resolves only once it is durable (data and directory entry synced). */
  put(key: string, body: AsyncIterable<Uint8Array>): Promise<BlobInfo>;
  /** Streams an object, or a byte range of it. Rejects if the object does not exist. */
  get(key: string, range?: BlobRange): Promise<Readable>;
  /** Reads a byte range into memory (single frames, headers). */
  read(key: string, range: BlobRange): Promise<Uint8Array>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Removes partial writes left by a crash that are older than `ageMs`; returns how many. */
  sweepPartialWrites(ageMs: number): Promise<number>;
}

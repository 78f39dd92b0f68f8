import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The key file created in the data directory when LIGHTBOX_MASTER_KEY is not set. */
export const MASTER_KEY_FILE = 'master.key';
/** A new master key being introduced by a rotation; it replaces the key file once the key ring is rewrapped. */
export const NEXT_MASTER_KEY_FILE = 'master.key.next';

/**
 * The master key (runtime contract: LIGHTBOX_MASTER_KEY, base64 of 32 bytes; else a key file generated in
 * the data directory, readable by its owner only). Every other key is derived from it with HKDF, so one
 * secret protects the audit chain now and the object keys of encryption at rest later. Nodes that share a
 * database must share it: set LIGHTBOX_MASTER_KEY on each.
 */
export function loadMasterKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured !== undefined) return decodeKey(configured, 'LIGHTBOX_MASTER_KEY');
  const file = path.join(dataDir, MASTER_KEY_FILE);
  const existing = readKeyFile(dataDir, MASTER_KEY_FILE);
  if (existing !== undefined) return existing;
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx': never replace a key another process wrote in the meantime; read it instead.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKeyFile(dataDir, MASTER_KEY_FILE)!;
  }
}

/** The key in a key file of the data directory; undefined when there is no such file. */
function readKeyFile(dataDir: string, name: string): Buffer | undefined {
  const file = path.join(dataDir, name);
  try {
    return decodeKey(readFileSync(file, 'utf8').trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text) {
    throw new Error(`${source} must be the base64 encoding of exactly 32 bytes`);
  }
  return key;
}

/** A key for one purpose, derived from the master key (HKDF-SHA-256, RFC 5869). */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `lightbox ${purpose}`, 32));
}

/** A short, non-secret identifier of a key, stored beside what it protects so that a mismatch is named. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * The master keys the data directory holds now, without creating any: the key file, then the key a
 * rotation staged beside it (between rewrapping the ring and replacing the file). For a running server
 * following a rotation made beside it; a missing or unreadable file gives none.
 */
export function masterKeysOnDisk(dataDir: string): Buffer[] {
  return [MASTER_KEY_FILE, NEXT_MASTER_KEY_FILE].flatMap((name) => {
    try {
      return readKeyFile(dataDir, name) ?? [];
    } catch {
      return []; // unreadable or not a key: not a candidate
    }
  });
}

/** The key a rotation left in the data directory before it could replace the key file, if any. */
export function loadNextMasterKey(dataDir: string): Buffer | undefined {
  return readKeyFile(dataDir, NEXT_MASTER_KEY_FILE);
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes a new master key beside the current key file, durably, before the key ring is rewrapped. */
export function stageNextMasterKey(dataDir: string, key: Buffer): void {
  const file = path.join(dataDir, NEXT_MASTER_KEY_FILE);
  const fd = openSync(file, 'w', 0o600);
  try {
    writeFileSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDirectory(dataDir);
}

/** Makes the staged key the master key file (after the key ring was rewrapped with it). */
export function promoteNextMasterKey(dataDir: string): void {
  renameSync(path.join(dataDir, NEXT_MASTER_KEY_FILE), path.join(dataDir, MASTER_KEY_FILE));
  syncDirectory(dataDir);
}

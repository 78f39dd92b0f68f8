import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/open-database.js';
import { deriveKey, keyId } from './master-key.js';

/** What a key of the ring is for. */
export const KeyPurpose = {
  /** Data keys of stored objects; the newest seals new objects, older ones still open what they sealed. */
  Objects: 'objects',
  /** The key of the audit trail's hash chain (one, for the life of the archive). */
  AuditChain: 'audit-chain',
  /** Seals short-lived browser state (the OpenID Connect sign-in in progress). */
  CookieSeal: 'cookie-seal',
} as const;

/** One of {@link KeyPurpose}. */
export type KeyPurposeValue = (typeof KeyPurpose)[keyof typeof KeyPurpose];

// Keys there is one of: fixed IDs, so that nodes starting at once agree on one key.
const AUDIT_CHAIN_ID = 'audit-chain';
const COOKIE_SEAL_ID = 'cookie-seal';

/** A key of the ring, unwrapped. */
export interface RingKey {
  id: string;
  key: Buffer;
}

interface Entry extends RingKey {
  purpose: string;
  createdAt: number;
}

// The wrapped key is bound to its ID and purpose: a row cannot be relabelled to serve another purpose.
function wrap(kek: Buffer, id: string, purpose: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(Buffer.from(`${id}:${purpose}`));
  const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64');
}

function unwrap(kek: Buffer, id: string, purpose: string, wrapped: string): Buffer {
  const bytes = Buffer.from(wrapped, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, 12)).setAAD(
    Buffer.from(`${id}:${purpose}`),
  );
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
}

/**
 * The key ring (issue #4 §5, envelope encryption): random keys for objects and for the audit chain, kept
 * in the database wrapped by a key derived from the master key. Changing the master key rewraps these few
 * rows; no stored object is rewritten. Every node that shares the database sees the same ring.
 */
export class KeyRing {
  private constructor(
    private readonly database: Database,
    private master: Buffer,
    private entries: Map<string, Entry>,
    private readonly currentMaster: (() => Buffer[]) | undefined,
  ) {}

  /** The reload in progress: callers that miss a key meanwhile wait for it rather than start another. */
  private reloading: Promise<boolean> | undefined;

  /**
   * Loads the ring, creating the audit-chain key and a first object key when missing. `currentMaster`
   * reads the master keys on disk again (the key file, which `rotate-keys` replaces, and the one it
   * stages), so that a running server follows a rotation made beside it; without it (a key from the
   * environment) a restart with the new key is needed.
   */
  static async open(database: Database, master: Buffer, currentMaster?: () => Buffer[]): Promise<KeyRing> {
    const { db } = database;
    const ring = new KeyRing(database, master, new Map(), currentMaster);
    const now = Date.now();
    const kek = deriveKey(master, 'key ring');
    for (const [id, purpose] of [
      [AUDIT_CHAIN_ID, KeyPurpose.AuditChain],
      [COOKIE_SEAL_ID, KeyPurpose.CookieSeal],
    ] as const) {
      await db
        .insertInto('key_ring')
        .values({
          id,
          purpose,
          wrapped_key: wrap(kek, id, purpose, randomBytes(32)),
          master_key_id: keyId(master),
          created_at: now,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    await ring.load();
    if (ring.newest(KeyPurpose.Objects) === undefined) await ring.addObjectKey();
    return ring;
  }

  private async load(master = this.master): Promise<void> {
    const kek = deriveKey(master, 'key ring');
    const masterId = keyId(master);
    // Built aside and swapped in whole: a ring that fails to load leaves the keys in use as they were.
    const entries = new Map<string, Entry>();
    for (const row of await this.database.db.selectFrom('key_ring').selectAll().execute()) {
      if (row.master_key_id !== masterId) {
        throw new Error(
          `the key ring is wrapped by another master key (id ${row.master_key_id}; this one is ${masterId}): ` +
            'set LIGHTBOX_MASTER_KEY to the key this database was started with',
        );
      }
      let key: Buffer;
      try {
        key = unwrap(kek, row.id, row.purpose, row.wrapped_key);
      } catch {
        throw new Error(`key ${row.id} of the key ring does not open with the master key: it was altered`);
      }
      entries.set(row.id, { id: row.id, purpose: row.purpose, key, createdAt: Number(row.created_at) });
    }
    this.entries = entries;
    this.master = master;
  }

  private newest(purpose: KeyPurposeValue): Entry | undefined {
    let newest: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (entry.purpose !== purpose) continue;
      if (
        newest === undefined ||
        entry.createdAt > newest.createdAt ||
        (entry.createdAt === newest.createdAt && entry.id > newest.id)
      ) {
        newest = entry;
      }
    }
    return newest;
  }

  /** The key of the audit chain. */
  auditChainKey(): RingKey {
    const entry = this.entries.get(AUDIT_CHAIN_ID);
    if (entry === undefined) throw new Error('the key ring has no audit-chain key');
    return entry;
  }

  /** The key that seals short-lived browser state. */
  cookieSealKey(): Buffer {
    const entry = this.entries.get(COOKIE_SEAL_ID);
    if (entry === undefined) throw new Error('the key ring has no cookie-seal key');
    return entry.key;
  }

  /** The key that seals new objects. */
  activeObjectKey(): RingKey {
    const entry = this.newest(KeyPurpose.Objects);
    if (entry === undefined) throw new Error('the key ring has no object key');
    return entry;
  }

  /** An object key by ID (any generation), or undefined. */
  objectKey(id: string): Buffer | undefined {
    const entry = this.entries.get(id);
    return entry?.purpose === KeyPurpose.Objects ? entry.key : undefined;
  }

  /** Adds a new generation of object keys: new objects are sealed with it, old ones still open. */
  async addObjectKey(): Promise<RingKey> {
    const id = randomBytes(8).toString('hex');
    const key = randomBytes(32);
    const createdAt = Date.now();
    await this.database.db
      .insertInto('key_ring')
      .values({
        id,
        purpose: KeyPurpose.Objects,
        wrapped_key: wrap(deriveKey(this.master, 'key ring'), id, KeyPurpose.Objects, key),
        master_key_id: keyId(this.master),
        created_at: createdAt,
      })
      .execute();
    this.entries.set(id, { id, purpose: KeyPurpose.Objects, key, createdAt });
    return { id, key };
  }

  /**
   * Reads the ring again (a key was added by another node or the CLI, or the ring was rewrapped under a
   * new master key file); false when it cannot, the keys in use then unchanged. One reload at a time:
   * concurrent callers share it, so an older read never replaces a newer one.
   */
  reload(): Promise<boolean> {
    this.reloading ??= this.loadAgain().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async loadAgain(): Promise<boolean> {
    try {
      await this.load();
      return true;
    } catch {
      let candidates: Buffer[];
      try {
        candidates = this.currentMaster?.() ?? [];
      } catch {
        return false;
      }
      for (const master of candidates) {
        if (master.equals(this.master)) continue;
        try {
          await this.load(master);
          return true;
        } catch {
          // not the key the ring is wrapped by: try the next
        }
      }
      return false;
    }
  }

  /**
   * Rewraps every key under a new master key, in one transaction that reads the rows itself and, on
   * PostgreSQL, locks the table, so that a key added meanwhile by another node is not left behind.
   */
  async rewrap(newMaster: Buffer): Promise<void> {
    const oldKek = deriveKey(this.master, 'key ring');
    const kek = deriveKey(newMaster, 'key ring');
    const masterId = keyId(newMaster);
    await this.database.db.transaction().execute(async (trx) => {
      if (this.database.dialect === 'postgres')
        await sql`LOCK TABLE key_ring IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
      for (const row of await trx.selectFrom('key_ring').selectAll().execute()) {
        const key = unwrap(oldKek, row.id, row.purpose, row.wrapped_key);
        await trx
          .updateTable('key_ring')
          .set({ wrapped_key: wrap(kek, row.id, row.purpose, key), master_key_id: masterId })
          .where('id', '=', row.id)
          .execute();
      }
    });
    this.master = newMaster;
    await this.load();
  }
}

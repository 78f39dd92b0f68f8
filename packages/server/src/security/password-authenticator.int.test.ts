import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/open-database.js';
import { AuditTrail } from './audit/audit-trail.js';
import { PasswordAuthenticator } from './password-authenticator.js';
import { UserStore } from './user-store.js';

const PASSWORD = 'a-long-enough-passphrase';

describe('the verified-password cache', () => {
  let dir: string;
  let database: Database;
  let audit: AuditTrail;
  let users: UserStore;
  let passwords: PasswordAuthenticator;

  /** Disables a user behind the authenticator's back (as another node would, before its NOTIFY). */
  const disableQuietly = (username: string) =>
    database.db.updateTable('app_user').set({ disabled: 1 }).where('username', '=', username).execute();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lightbox-passwords-'));
    database = await openDatabase(`sqlite:${path.join(dir, 'index.db')}`);
    audit = new AuditTrail(database, randomBytes(32), 'test-key', pino({ level: 'silent' }));
    await audit.open();
    users = new UserStore(database.db, database.dialect);
    passwords = new PasswordAuthenticator(users, audit);
    await users.create('cached', PASSWORD, ['radiologist']);
    await users.create('changed', PASSWORD, ['radiologist']);
    await users.create('guessed', PASSWORD, ['radiologist']);
  });
  afterAll(async () => {
    await audit?.close();
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a verified password from memory for a while', async () => {
    expect((await passwords.check('cached', PASSWORD, 'dicomweb')).ok).toBe(true);
    await disableQuietly('cached');
    expect((await passwords.check('cached', PASSWORD, 'dicomweb')).ok).toBe(true);
  });

  it('does not keep what it read when the user changed while the password was being verified', async () => {
    const verifying = passwords.check('changed', PASSWORD, 'dicomweb');
    passwords.forgetUser('changed'); // announced while argon2 runs
    expect((await verifying).ok).toBe(true);
    await disableQuietly('changed');
    expect((await passwords.check('changed', PASSWORD, 'dicomweb')).ok).toBe(false);
  });

  it('forgets a verified password once the account is locked by wrong ones', async () => {
    expect((await passwords.check('guessed', PASSWORD, 'dicomweb', '10.0.0.1')).ok).toBe(true);
    for (let n = 0; n < 5; n++) {
      expect(
        (await passwords.check('guessed', `wrong-guess-number-${n}`, 'dicomweb', `10.0.1.${n}`)).ok,
      ).toBe(false);
    }
    expect((await users.findByUsername('guessed'))!.lockedUntil).not.toBeNull();
    expect((await passwords.check('guessed', PASSWORD, 'dicomweb', '10.0.0.1')).ok).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { systemActor } from '../security/actor.js';
import { verifyAuditTrail } from '../security/audit/verify-audit-trail.js';
import {
  MASTER_KEY_FILE,
  NEXT_MASTER_KEY_FILE,
  promoteNextMasterKey,
  stageNextMasterKey,
} from '../security/keys/master-key.js';
import { passwordProblem } from '../security/password-policy.js';
import { generatePassword } from '../security/passwords.js';
import { Role } from '../security/permissions.js';
import { createServices } from '../services.js';
import { countFiles, importFiles, type ImportSummary } from './import-folder.js';

const USAGE = `Usage: lightbox <command>

Commands:
  import <folder|file>...         store every DICOM file under the folders and the files given (same data
                                  directory as npm start); DICOMDIR files are passed over
  reindex                         read every stored object again and bring its frame index up to date
                                  (objects stored by an older version; the server may keep running)
  reset-admin-password [--password <pw>]
                                  set a new password for user "admin" (generated when not given)
  audit verify                    check that the audit trail's hash chain is intact (exit 1 if not)
  rotate-keys                     new master key and new data key for objects stored from now on; stored
                                  objects are not rewritten (envelope encryption: only the key ring is)
  help                            this text

Configuration comes from the same environment variables as the server (LIGHTBOX_DATA_DIR, …).
`;

function progressLine(done: number, total: number, summary: ImportSummary): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const rejected = [...summary.rejected.values()].reduce((n, r) => n + r.count, 0);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  stored ${summary.stored}  duplicates ${summary.duplicates}  rejected ${rejected}`;
}

/** How a file is named in the summary: relative to the working folder when it lies under it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function runImport(targets: string[]): Promise<number> {
  if (targets.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const paths = targets.map((t) => path.resolve(t));
  for (const target of paths) {
    const info = await stat(target).catch(() => undefined);
    if (!info?.isDirectory() && !info?.isFile()) {
      process.stderr.write(`${target} is neither a folder nor a file\n`);
      return 2;
    }
  }
  const config = loadConfig();
  const services = await createServices(config, pino({ level: 'warn' }));
  try {
    const total = await countFiles(paths);
    const tty = process.stderr.isTTY;
    let last = 0;
    const summary = await importFiles(services.archive, paths, systemActor('cli'), (done, s) => {
      const now = Date.now();
      if (tty && (now - last > 100 || done === total)) {
        last = now;
        process.stderr.write(`\r${progressLine(done, total, s)}`);
      }
    });
    if (tty) process.stderr.write('\n');
    const rejected = [...summary.rejected.values()].reduce((n, r) => n + r.count, 0);
    const bare =
      summary.bare > 0
        ? ` ${summary.bare} of those stored held a bare data set (no DICM prefix) and were given a Part 10 header.`
        : '';
    const directories =
      summary.directories > 0
        ? ` ${summary.directories} DICOMDIR passed over (a medium's directory: its instances come from their own files).`
        : '';
    const out = [
      `Imported ${paths.map(shown).join(', ')}: ${summary.files} files, ${summary.stored} stored, ${summary.duplicates} duplicates (already stored), ${rejected} rejected.${bare}${directories}`,
    ];
    for (const [reason, { count, examples }] of summary.rejected) {
      out.push(`  rejected ${count}: ${reason}`);
      for (const example of examples) out.push(`      e.g. ${shown(example)}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    await services.close();
  }
}

async function reindex(): Promise<number> {
  const services = await createServices(loadConfig(), pino({ level: 'warn' }));
  try {
    const tty = process.stderr.isTTY;
    let last = 0;
    const summary = await services.archive.reindexFrames((s) => {
      const now = Date.now();
      if (tty && now - last > 100) {
        last = now;
        process.stderr.write(`\r${s.instances} instances read, ${s.updated} frame indexes updated`);
      }
    });
    if (tty) process.stderr.write('\n');
    const failed = [...summary.failed.values()].reduce((n, f) => n + f.count, 0);
    const out = [
      `Re-indexed ${summary.instances} instances: ${summary.updated} frame indexes updated, ${failed} objects could not be read.`,
    ];
    for (const [reason, { count, examples }] of summary.failed) {
      out.push(`  ${count}: ${reason}`);
      for (const example of examples) out.push(`      e.g. SOP Instance UID ${example}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    await services.close();
  }
}

async function resetAdminPassword(args: string[]): Promise<number> {
  const flag = args.indexOf('--password');
  const given = flag >= 0 ? args[flag + 1] : undefined;
  if (flag >= 0) {
    const problem = given === undefined ? '--password needs a value' : passwordProblem(given, 'admin');
    if (problem !== undefined) {
      process.stderr.write(`${problem}\n`);
      return 2;
    }
  }
  const password = given ?? generatePassword();
  const services = await createServices(loadConfig(), pino({ level: 'warn' }));
  try {
    // Creates the admin when the server never ran here; otherwise sets the new password.
    const changed =
      (await services.users.setPassword('admin', password)) ||
      (await services.users.create('admin', password, [Role.Admin]));
    if (!changed) {
      process.stderr.write('could not set the admin password\n');
      return 1;
    }
    process.stdout.write(
      given === undefined
        ? `New password of user "admin": ${password}\n`
        : 'The password of user "admin" was changed.\n',
    );
    return 0;
  } finally {
    await services.close();
  }
}

async function verifyAudit(): Promise<number> {
  const services = await createServices(loadConfig(), pino({ level: 'warn' }));
  try {
    const { key, id } = services.auditChainKey;
    const result = await verifyAuditTrail(services.database.db, key, id);
    if (result.ok) {
      process.stdout.write(`The audit trail is intact: ${result.events} events verified.\n`);
      return 0;
    }
    process.stdout.write(
      `The audit trail does NOT verify: ${result.reason ?? 'broken'} (${result.events} events hold before event ${result.brokenAt ?? '?'}).\n`,
    );
    return 1;
  } finally {
    await services.close();
  }
}

async function rotateKeys(): Promise<number> {
  const config = loadConfig();
  const services = await createServices(config, pino({ level: 'warn' }));
  try {
    const dataKey = await services.keyRing.addObjectKey();
    const master = randomBytes(32);
    // The new key is written durably before the ring is rewrapped with it, so that a crash at any point
    // leaves a key that opens the ring (start-up promotes a staged key file if the ring needs it).
    stageNextMasterKey(config.dataDir, master);
    await services.keyRing.rewrap(master);
    const staged = path.join(config.dataDir, NEXT_MASTER_KEY_FILE);
    if (config.masterKey === undefined) promoteNextMasterKey(config.dataDir);
    const lines = [
      `New data key ${dataKey.id}: objects stored from now on are sealed with it (running servers: after a restart).`,
    ];
    lines.push(
      config.masterKey === undefined
        ? `The master key in ${path.join(config.dataDir, MASTER_KEY_FILE)} was replaced and the key ring rewrapped.`
        : [
            'The key ring is now wrapped by a new master key. Set it on every node before the next start:',
            `  LIGHTBOX_MASTER_KEY=${master.toString('base64')}`,
            `It is also in ${staged}: keep it somewhere safe, then delete that file.`,
          ].join('\n'),
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await services.close();
  }
}

/** The `lightbox` command line (bulk import, admin password reset, audit verification, key rotation). */
export async function runCli(args: string[]): Promise<number> {
  try {
    switch (args[0]) {
      case 'import':
        return await runImport(args.slice(1));
      case 'reindex':
        return await reindex();
      case 'reset-admin-password':
        return await resetAdminPassword(args.slice(1));
      case 'rotate-keys':
        return await rotateKeys();
      case 'audit':
        if (args[1] === 'verify') return await verifyAudit();
        process.stderr.write(`unknown audit command "${args[1] ?? ''}"\n\n${USAGE}`);
        return 2;
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`unknown command "${args[0]}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

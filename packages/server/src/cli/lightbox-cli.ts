import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { systemActor } from '../security/actor.js';
import { generatePassword } from '../security/passwords.js';
import { Role } from '../security/permissions.js';
import { createServices } from '../services.js';
import { countFiles, importFolder, type ImportSummary } from './import-folder.js';

const USAGE = `Usage: lightbox <command>

Commands:
  import <folder>                 store every DICOM file under <folder> (same data directory as npm start)
  reset-admin-password [--password <pw>]
                                  set a new password for user "admin" (generated when not given)
  help                            this text

Configuration comes from the same environment variables as the server (LIGHTBOX_DATA_DIR, …).
`;

function progressLine(done: number, total: number, summary: ImportSummary): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const rejected = [...summary.rejected.values()].reduce((n, r) => n + r.count, 0);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  stored ${summary.stored}  duplicates ${summary.duplicates}  rejected ${rejected}`;
}

async function runImport(folder: string | undefined): Promise<number> {
  if (folder === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const dir = path.resolve(folder);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    process.stderr.write(`${dir} is not a folder\n`);
    return 2;
  }
  const config = loadConfig();
  const services = await createServices(config, pino({ level: 'warn' }));
  try {
    const total = await countFiles(dir);
    const tty = process.stderr.isTTY;
    let last = 0;
    const summary = await importFolder(services.archive, dir, systemActor('cli'), (done, s) => {
      const now = Date.now();
      if (tty && (now - last > 100 || done === total)) {
        last = now;
        process.stderr.write(`\r${progressLine(done, total, s)}`);
      }
    });
    if (tty) process.stderr.write('\n');
    const rejected = [...summary.rejected.values()].reduce((n, r) => n + r.count, 0);
    const out = [
      `Imported ${dir}: ${summary.files} files, ${summary.stored} stored, ${summary.duplicates} duplicates (already stored), ${rejected} rejected.`,
    ];
    for (const [reason, { count, examples }] of summary.rejected) {
      out.push(`  rejected ${count}: ${reason}`);
      for (const example of examples) out.push(`      e.g. ${path.relative(dir, example)}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    await services.close();
  }
}

async function resetAdminPassword(args: string[]): Promise<number> {
  const flag = args.indexOf('--password');
  const given = flag >= 0 ? args[flag + 1] : undefined;
  if (flag >= 0 && (given === undefined || given.length < 8)) {
    process.stderr.write('--password needs a value of at least 8 characters\n');
    return 2;
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

/** The `lightbox` command line (bulk import, admin password reset). */
export async function runCli(args: string[]): Promise<number> {
  try {
    switch (args[0]) {
      case 'import':
        return await runImport(args[1]);
      case 'reset-admin-password':
        return await resetAdminPassword(args.slice(1));
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

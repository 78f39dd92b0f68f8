import { spawnSync } from 'node:child_process';
import os from 'node:os';
import SqliteDatabase from 'better-sqlite3';

/** Where the figures were measured. */
export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  sqlite: string;
  postgres?: string;
  orthanc?: string;
  dcmtk?: string;
  gitCommit?: string;
  /** 1-minute load average when the run started (other work on the machine skews the figures). */
  loadAverageAtStart: number;
}

function firstLine(command: string, args: string[]): string | undefined {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  if (run.error !== undefined || run.status !== 0) return undefined;
  return `${run.stdout}${run.stderr}`
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim();
}

/** CPU, memory, software versions and the date of this run. */
export function machineInfo(
  versions: { postgres?: string; orthanc?: string },
  repoRoot: string,
): MachineInfo {
  const memory = new SqliteDatabase(':memory:');
  const sqlite = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  memory.close();
  const cpus = os.cpus();
  const dcmtk = firstLine('storescp', ['--version']);
  const commit = firstLine('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']);
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    sqlite,
    ...(versions.postgres !== undefined ? { postgres: versions.postgres } : {}),
    ...(versions.orthanc !== undefined ? { orthanc: versions.orthanc } : {}),
    ...(dcmtk !== undefined ? { dcmtk: dcmtk.replace(/^\$dcmtk:\s*/, '').replace(/\s*\$$/, '') } : {}),
    ...(commit !== undefined ? { gitCommit: commit } : {}),
    loadAverageAtStart: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

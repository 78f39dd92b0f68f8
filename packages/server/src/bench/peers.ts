import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, startProgram } from './processes.js';

const ORTHANC = '/usr/sbin/Orthanc';

/** The DICOMweb plugin of Debian's `orthanc-dicomweb`, found through dpkg. */
export function orthancDicomwebPlugin(): string | undefined {
  const listed = spawnSync('dpkg', ['-L', 'orthanc-dicomweb'], { encoding: 'utf8' });
  const files = listed.status === 0 ? listed.stdout.split('\n') : [];
  return (
    files.find((f) => /plugins\/libOrthancDicomWeb\.so$/.test(f)) ??
    files.find((f) => /libOrthancDicomWeb\.so/.test(f) && existsSync(f))
  );
}

/** The version of an installed Orthanc, or undefined when it is not installed. */
export function orthancVersion(): string | undefined {
  if (!existsSync(ORTHANC)) return undefined;
  const run = spawnSync(ORTHANC, ['--version'], { encoding: 'utf8' });
  return /Orthanc\s+(\S+)/.exec(run.stdout ?? '')?.[1];
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http
      .get(url, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      })
      .on('error', () => resolve(false));
  });
}

/** An Orthanc started by the bench. */
export interface OrthancProcess {
  pid: number;
  /** Base URL of its DICOMweb root. */
  dicomweb: string;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Orthanc with Debian's defaults (SQLite index, files on disk, fsync of the storage area) and
 * the DICOMweb plugin, on free ports, keeping its index and storage under `dir`.
 */
export async function startOrthanc(dir: string, plugin: string): Promise<OrthancProcess> {
  mkdirSync(dir, { recursive: true });
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const config = {
    Name: 'LightboxBench',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpRequestTimeout: 600,
    Plugins: [plugin],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: true },
  };
  const configFile = path.join(dir, 'orthanc-bench.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const url = `http://127.0.0.1:${httpPort}`;
  const started = await startProgram(ORTHANC, [configFile], {
    ready: () => httpOk(`${url}/system`),
    timeoutMs: 60_000,
  });
  return { pid: started.pid, dicomweb: `${url}/dicom-web`, url, stop: started.stop };
}

/** Outcome of sending files with DCMTK's storescu to storescp. */
export interface StoreScpResult {
  associations: number;
  instances: number;
  bytes: number;
  seconds: number;
}

/**
 * Raw C-STORE reference (context only; Lightbox has no DIMSE listener yet): DCMTK `storescu` sends the
 * files of `sourceDirs` (one association per directory, all at once) to a `storescp` that writes them
 * to `targetDir`. TCP_NODELAY=1, without which Debian's DCMTK waits ~45 ms per message.
 */
export async function runStoreScp(
  sourceDirs: string[],
  targetDir: string,
  bytes: number,
): Promise<StoreScpResult | undefined> {
  if (spawnSync('storescp', ['--version']).error !== undefined) return undefined;
  mkdirSync(targetDir, { recursive: true });
  const port = await freePort();
  const env = { ...process.env, TCP_NODELAY: '1' };
  const scp = spawn('storescp', ['--fork', '-od', targetDir, String(port)], { env, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const started = performance.now();
    const codes = await Promise.all(
      sourceDirs.map(
        (dir) =>
          new Promise<number>((resolve) => {
            const files = readdirSync(dir).map((f) => path.join(dir, f));
            const scu = spawn('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(port), ...files], {
              env,
              stdio: 'ignore',
            });
            scu.on('exit', (code) => resolve(code ?? 1));
          }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    if (codes.some((c) => c !== 0)) return undefined;
    const instances = sourceDirs.reduce((n, dir) => n + readdirSync(dir).length, 0);
    return { associations: sourceDirs.length, instances, bytes, seconds };
  } finally {
    scp.kill('SIGTERM');
  }
}

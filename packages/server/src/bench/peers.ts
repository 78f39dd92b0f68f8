import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DCMTK_ENV, dcmtkInstalled, sendWithStorescu, startStorescp, type DimsePeer } from './dcmtk.js';
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
  /** Its DICOM listener (AE title ORTHANC; C-STORE and C-FIND accepted from any calling AE). */
  dicom: DimsePeer;
  stop(): Promise<void>;
}

/**
 * Starts Orthanc with Debian's defaults (SQLite index, files on disk, fsync of the storage area, 4 DICOM
 * threads) and the DICOMweb plugin when given, on free ports, keeping its index and storage under `dir`.
 * Its DICOM listener takes C-STORE, C-FIND and C-MOVE from any calling AE (the DIMSE scenario's DCMTK tools
 * are not registered as modalities; C-MOVE destinations are, through the REST API).
 */
export async function startOrthanc(dir: string, plugin: string | undefined): Promise<OrthancProcess> {
  mkdirSync(dir, { recursive: true });
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const config = {
    Name: 'LightboxBench',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: 'ORTHANC',
    DicomAlwaysAllowStore: true,
    DicomAlwaysAllowFind: true,
    DicomAlwaysAllowMove: true,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpRequestTimeout: 600,
    Plugins: plugin !== undefined ? [plugin] : [],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: true },
  };
  const configFile = path.join(dir, 'orthanc-bench.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const url = `http://127.0.0.1:${httpPort}`;
  // Orthanc's DICOM listener is DCMTK's: without TCP_NODELAY=1 its C-STORE responses wait for delayed
  // ACKs (~50 ms per instance on one association). HTTP is not affected.
  const started = await startProgram(ORTHANC, [configFile], {
    env: { ...DCMTK_ENV },
    ready: () => httpOk(`${url}/system`),
    timeoutMs: 60_000,
  });
  return {
    pid: started.pid,
    dicomweb: `${url}/dicom-web`,
    url,
    dicom: { aeTitle: 'ORTHANC', host: '127.0.0.1', port: dicomPort },
    stop: started.stop,
  };
}

/** Outcome of sending files with DCMTK's storescu to storescp. */
export interface StoreScpResult {
  associations: number;
  instances: number;
  bytes: number;
  seconds: number;
}

/**
 * Raw C-STORE reference for the STOW figures: DCMTK `storescu` sends the files of `sourceDirs` (one
 * association per directory, all at once) to a `storescp` that writes them to `targetDir`
 * (TCP_NODELAY=1). Undefined when DCMTK is missing or a transfer failed.
 */
export async function runStoreScp(
  sourceDirs: string[],
  targetDir: string,
  bytes: number,
): Promise<StoreScpResult | undefined> {
  if (!dcmtkInstalled()) return undefined;
  const scp = await startStorescp(targetDir);
  try {
    const groups = sourceDirs.map((dir) => readdirSync(dir).map((f) => path.join(dir, f)));
    const sent = await sendWithStorescu(scp.peer, groups);
    if (sent.failures.length > 0) return undefined;
    const instances = groups.reduce((n, files) => n + files.length, 0);
    return { associations: sourceDirs.length, instances, bytes, seconds: sent.seconds };
  } finally {
    await scp.stop();
  }
}

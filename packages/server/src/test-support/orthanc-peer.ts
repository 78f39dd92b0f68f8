import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

/** Debian's Orthanc DICOMweb plugin (package orthanc-dicomweb). */
export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** A remote DICOMweb server in Orthanc's DicomWeb.Servers configuration. */
export interface OrthancDicomwebServer {
  /** The DICOMweb root, ending in `/`. */
  url: string;
  username?: string;
  password?: string;
}

/** An Orthanc started for one test file. */
export interface OrthancPeer {
  /** Its REST API, e.g. `http://127.0.0.1:40123`. */
  url: string;
  httpPort: number;
  dicomPort: number;
  /** GET on the REST API, answered as JSON; throws with the status and Orthanc's log on an error. */
  get<T>(route: string): Promise<T>;
  /** GET on the REST API, answered as bytes. */
  getBytes(route: string): Promise<Buffer>;
  /**
   * POST a JSON value, raw bytes (a DICOM file to `/instances`) or plain text (a UID to `/tools/lookup`)
   * and read the JSON answer.
   */
  post<T>(route: string, body: unknown): Promise<T>;
  /** The last lines Orthanc wrote (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

function orthancExecutable(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (dir !== '' && existsSync(path.join(dir, 'Orthanc'))) return path.join(dir, 'Orthanc');
  }
  throw new Error(
    'Orthanc is not installed (Debian package orthanc); `npm test` installs it, and these tests are never skipped',
  );
}

/**
 * Starts Debian's Orthanc with the DICOMweb plugin as a child process: a generated configuration in a
 * temporary directory (storage and index there too), free HTTP and DICOM ports, its REST API without
 * authentication but reachable from this host only, and `dicomwebServers` as the plugin's client
 * targets. Resolves once the API answers and the plugin is loaded; {@link OrthancPeer.stop} ends the
 * process and removes the directory (and so does the exit of this process, so none is left behind).
 */
export async function startOrthanc(
  options: {
    dicomwebServers?: Record<string, OrthancDicomwebServer>;
    /** Orthanc's DicomModalities: the DIMSE peers it knows (and accepts C-STORE from), by name. */
    dicomModalities?: Record<string, { aet: string; host: string; port: number }>;
  } = {},
): Promise<OrthancPeer> {
  const executable = orthancExecutable();
  if (!existsSync(ORTHANC_DICOMWEB_PLUGIN)) {
    throw new Error(
      `${ORTHANC_DICOMWEB_PLUGIN} is missing (Debian package orthanc-dicomweb); \`npm test\` installs it`,
    );
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'lightbox-orthanc-'));
  let lastError: unknown;
  // A port can be taken by another process between the probe and Orthanc's bind: try fresh ports.
  for (let attempt = 0; attempt < 3; attempt++) {
    const httpPort = await freePort();
    const dicomPort = await freePort();
    try {
      return await launch(
        executable,
        dir,
        httpPort,
        dicomPort,
        options.dicomwebServers ?? {},
        options.dicomModalities ?? {},
      );
    } catch (error) {
      lastError = error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function launch(
  executable: string,
  dir: string,
  httpPort: number,
  dicomPort: number,
  servers: Record<string, OrthancDicomwebServer>,
  modalities: Record<string, { aet: string; host: string; port: number }>,
): Promise<OrthancPeer> {
  const configPath = path.join(dir, 'orthanc.json');
  const config = {
    Name: 'lightbox-interop',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: 'ORTHANC',
    // No authentication on its own API, so it must answer this host only; and no C-STORE from
    // unknown peers on its DICOM port (no DicomModalities are configured).
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomAlwaysAllowStore: false,
    DicomModalities: Object.fromEntries(
      Object.entries(modalities).map(([name, m]) => [name, [m.aet, m.host, m.port]]),
    ),
    SaveJobs: false,
    StorageCompression: false,
    HttpTimeout: 60,
    Plugins: [ORTHANC_DICOMWEB_PLUGIN],
    DicomWeb: {
      Enable: true,
      Root: '/dicom-web/',
      EnableWado: false,
      Servers: Object.fromEntries(
        Object.entries(servers).map(([name, s]) => [
          name,
          { Url: s.url, Username: s.username, Password: s.password },
        ]),
      ),
    },
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const lines: string[] = [];
  const remember = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const child: ChildProcess = spawn(executable, [configPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      lines.push(String(error));
      exited = true;
      resolve();
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${httpPort}`;
  const log = () => lines.slice(-40).join('\n');
  const fail = async (response: Response, route: string): Promise<never> => {
    throw new Error(`Orthanc ${route} answered ${response.status}: ${await response.text()}\n${log()}`);
  };
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    }
    process.removeListener('exit', killOnExit);
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`Orthanc exited during start-up:\n${log()}`);
    }
    try {
      const plugins = await fetch(`${url}/plugins`);
      if (plugins.ok && ((await plugins.json()) as string[]).includes('dicom-web')) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not start with the DICOMweb plugin within 30 s:\n${log()}`);
    }
    await sleep(100);
  }

  return {
    url,
    httpPort,
    dicomPort,
    async get<T>(route: string) {
      const response = await fetch(`${url}${route}`);
      if (!response.ok) return fail(response, route);
      return (await response.json()) as T;
    },
    async getBytes(route: string) {
      const response = await fetch(`${url}${route}`);
      if (!response.ok) return fail(response, route);
      return Buffer.from(await response.arrayBuffer());
    },
    async post<T>(route: string, body: unknown) {
      const [payload, type] =
        body instanceof Uint8Array
          ? [new Uint8Array(body), 'application/dicom']
          : typeof body === 'string'
            ? [body, 'text/plain']
            : [JSON.stringify(body), 'application/json'];
      const response = await fetch(`${url}${route}`, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': type },
      });
      if (!response.ok) return fail(response, route);
      return (await response.json()) as T;
    },
    log,
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadConfig } from '../config/load-config.js';
import { startLightbox, type RunningLightbox } from '../start-lightbox.js';
import { createTestDatabase, type TestDialect } from './test-databases.js';

/** The admin password of test servers. */
export const TEST_ADMIN_PASSWORD = 'test-admin-password';

/** The AE title of test servers. */
export const TEST_AE_TITLE = 'LIGHTBOX';

/** A Lightbox started for one test file, on a free port, with its own data directory and database. */
export interface TestLightbox {
  running: RunningLightbox;
  baseUrl: string;
  dicomweb: string;
  /** The DIMSE port actually bound; the AE title is {@link TEST_AE_TITLE} unless `env` changes it. */
  dicomPort: number;
  /** The HL7 MLLP port actually bound. */
  hl7Port: number;
  dataDir: string;
  databaseUrl: string;
  /** `Authorization` header of the admin. */
  authorization: string;
  /** `fetch` that trusts the server's certificate when it speaks HTTPS (the global one otherwise). */
  fetch: typeof fetch;
  stop(): Promise<void>;
}

/** Starts Lightbox on the given engine; `env` adds or overrides LIGHTBOX_* settings. */
export async function startTestLightbox(
  dialect: TestDialect,
  env: Record<string, string> = {},
): Promise<TestLightbox> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `lightbox-${dialect}-`));
  const database = await createTestDatabase(dialect, dataDir);
  const config = loadConfig({
    LIGHTBOX_DATA_DIR: dataDir,
    LIGHTBOX_HOST: '127.0.0.1',
    LIGHTBOX_HTTP_PORT: '0',
    LIGHTBOX_DICOM_PORT: '0',
    LIGHTBOX_HL7_PORT: '0',
    LIGHTBOX_HL7_TLS_PORT: '0',
    LIGHTBOX_AE_TITLE: TEST_AE_TITLE,
    LIGHTBOX_DATABASE_URL: database.url,
    LIGHTBOX_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LIGHTBOX_LOG_LEVEL: 'silent',
    ...env,
  });
  const stdout = process.stdout.write.bind(process.stdout);
  // The start-up banner is for people; keep test output clean.
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let running: RunningLightbox;
  try {
    running = await startLightbox(config, pino({ level: process.env.LIGHTBOX_TEST_LOG_LEVEL ?? 'silent' }));
  } finally {
    process.stdout.write = stdout;
  }
  const https = config.tls !== undefined;
  const baseUrl = `${https ? 'https' : 'http'}://127.0.0.1:${running.httpPort}`;
  // Node's global fetch cannot be given a CA; undici's own can, through a dispatcher.
  const dispatcher = https ? new Agent({ connect: { ca: readFileSync(config.tls!.cert) } }) : undefined;
  const fetchIt = (
    dispatcher === undefined
      ? fetch
      : (input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })
  ) as typeof fetch;
  return {
    running,
    baseUrl,
    dicomweb: `${baseUrl}/dicomweb`,
    dicomPort: running.dicom.port,
    hl7Port: running.hl7.port,
    dataDir,
    databaseUrl: database.url,
    authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_PASSWORD}`).toString('base64')}`,
    fetch: fetchIt,
    async stop() {
      await dispatcher?.close();
      await running.stop();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

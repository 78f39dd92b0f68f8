import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { multipartBody, splitMultipart } from '../test-support/dicomweb-client.js';
import { createTestDatabase, DIALECTS } from '../test-support/test-databases.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = path.join(ROOT, 'packages/server/dist/main.js');
const PASSWORD = 'durability-test';
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

interface Server {
  process: ChildProcess;
  url: string;
  output(): string;
}

/** Starts the built server (`npm start` runs the same file) and waits for its banner. */
function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /DICOMweb:\s+(http:\/\/\S+)\/dicomweb/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1]!.replace('localhost', '127.0.0.1'), output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

for (const dialect of DIALECTS) {
  describe(`durability under kill -9 on ${dialect}`, () => {
    let dataDir: string;
    let database: { url: string; drop(): Promise<void> };
    let env: Record<string, string>;

    beforeAll(async () => {
      // The test runs the compiled server as a separate process; make sure it is current.
      const build = spawnSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, encoding: 'utf8' });
      expect(build.status, build.stdout + build.stderr).toBe(0);
      dataDir = await mkdtemp(path.join(tmpdir(), `lightbox-kill-${dialect}-`));
      database = await createTestDatabase(dialect, dataDir);
      env = {
        LIGHTBOX_DATA_DIR: dataDir,
        LIGHTBOX_DATABASE_URL: database.url,
        LIGHTBOX_HOST: '127.0.0.1',
        LIGHTBOX_HTTP_PORT: '0',
        LIGHTBOX_DICOM_PORT: '0',
        LIGHTBOX_ADMIN_PASSWORD: PASSWORD,
        LIGHTBOX_LOG_LEVEL: 'warn',
      };
    });
    afterAll(async () => {
      await database?.drop();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    });

    it(
      'keeps every acknowledged instance byte for byte and shows nothing half-written',
      { timeout: 180_000 },
      async () => {
        const acknowledged = new Map<string, { study: string; series: string; sha256: string }>();
        const study = generateUid();
        for (let round = 0; round < 3; round++) {
          const server = await startServer(env);
          let stop = false;
          // Two clients store 512×512 16-bit slices one per request until the server is killed.
          const client = async () => {
            while (!stop) {
              const sop = generateUid();
              const series = generateUid();
              const bytes = syntheticImage({
                studyInstanceUid: study,
                seriesInstanceUid: series,
                sopInstanceUid: sop,
                rows: 512,
                columns: 512,
              });
              const { body, contentType } = multipartBody([{ bytes }]);
              try {
                const response = await fetch(`${server.url}/dicomweb/studies`, {
                  method: 'POST',
                  body,
                  headers: { authorization: AUTH, 'content-type': contentType },
                });
                if (response.status === 200) {
                  acknowledged.set(sop, {
                    study,
                    series,
                    sha256: createHash('sha256').update(bytes).digest('hex'),
                  });
                }
              } catch {
                return; // the server died under the request: not acknowledged
              }
            }
          };
          const before = acknowledged.size;
          const clients = [client(), client()];
          while (acknowledged.size < before + 15) await new Promise((r) => setTimeout(r, 5));
          const exited = new Promise((r) => server.process.once('exit', r));
          server.process.kill('SIGKILL');
          stop = true;
          await Promise.all(clients);
          await exited;
        }

        const server = await startServer(env);
        try {
          for (const [sop, { study: s, series, sha256 }] of acknowledged) {
            const response = await fetch(
              `${server.url}/dicomweb/studies/${s}/series/${series}/instances/${sop}`,
              {
                headers: {
                  authorization: AUTH,
                  accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
                },
              },
            );
            expect(response.status, sop).toBe(200);
            const [part] = splitMultipart(
              Buffer.from(await response.arrayBuffer()),
              response.headers.get('content-type')!,
            );
            expect(createHash('sha256').update(part!.body).digest('hex'), sop).toBe(sha256);
          }
          const listed = await fetch(`${server.url}/dicomweb/studies/${study}/instances`, {
            headers: { authorization: AUTH },
          });
          const visible = (await listed.json()) as Array<Record<string, { Value: string[] }>>;
          // Everything visible is complete and retrievable (at most the unacknowledged in-flight ones in addition).
          for (const instance of visible) {
            const sop = instance['00080018']!.Value[0]!;
            const series = instance['0020000E']!.Value[0]!;
            const response = await fetch(
              `${server.url}/dicomweb/studies/${study}/series/${series}/instances/${sop}/frames/1`,
              {
                headers: { authorization: AUTH },
              },
            );
            expect(response.status, sop).toBe(200);
          }
          expect(visible.length).toBeGreaterThanOrEqual(acknowledged.size);
          expect(visible.length).toBeLessThanOrEqual(acknowledged.size + 6);
          // Recovery removed the leftovers. With the embedded database the restarted process is the only
          // writer and cleans at once; on a shared PostgreSQL, writes pending at the crash are left for the
          // hourly sweep (another node may still be writing them), so there they must only be invisible.
          const db = await openDatabase(database.url);
          let pending: string[];
          try {
            pending = (await db.db.selectFrom('pending_blob').select('blob_key').execute()).map(
              (r) => r.blob_key,
            );
            const referenced = await db.db.selectFrom('instance').select('blob_key').execute();
            expect(referenced.filter((r) => pending.includes(r.blob_key))).toEqual([]);
          } finally {
            await db.close();
          }
          if (dialect === 'sqlite') expect(pending).toEqual([]);
          const objects = path.join(dataDir, 'objects');
          if (dialect === 'sqlite') expect(await filesUnder(path.join(objects, '.partial'))).toEqual([]);
          const stored = (await filesUnder(objects))
            .map((f) => path.relative(objects, f))
            .filter((f) => !f.startsWith('.partial'));
          expect(stored.filter((f) => !pending.includes(f)).length).toBe(visible.length);
        } finally {
          const exited = new Promise((r) => server.process.once('exit', r));
          server.process.kill('SIGTERM');
          await exited;
        }
      },
    );
  });
}

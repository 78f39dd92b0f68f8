import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { createServices } from '../services.js';
import { multipartBody } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, type TestLightbox } from '../test-support/test-lightbox.js';
import { runCli } from './lightbox-cli.js';

/** Runs the CLI in this process against the test server's data directory and database. */
async function cli(lb: TestLightbox, ...args: string[]): Promise<{ code: number; out: string }> {
  const saved = { ...process.env };
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  Object.assign(process.env, {
    LIGHTBOX_DATA_DIR: lb.dataDir,
    LIGHTBOX_DATABASE_URL: lb.databaseUrl,
    LIGHTBOX_LOG_LEVEL: 'silent',
  });
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await runCli(args), out };
  } finally {
    process.stdout.write = write;
    process.env = saved;
  }
}

for (const dialect of DIALECTS) {
  describe(`the lightbox CLI: audit verify and rotate-keys on ${dialect} (issue #4 §3, §5)`, () => {
    let lb: TestLightbox;
    const study = generateUid();
    const object = syntheticImage({
      studyInstanceUid: study,
      sopInstanceUid: generateUid(),
      patientId: 'CLI-1',
    });

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      const { body, contentType } = multipartBody([{ bytes: object }]);
      const stored = await fetch(`${lb.dicomweb}/studies`, {
        method: 'POST',
        body,
        headers: { authorization: lb.authorization, 'content-type': contentType },
      });
      expect(stored.status).toBe(200);
      await lb.running.services.audit.flush();
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('verifies the audit trail, and exits 1 naming the event once a row is edited', async () => {
      const intact = await cli(lb, 'audit', 'verify');
      expect(intact.code).toBe(0);
      expect(intact.out).toMatch(/intact: \d+ events verified/);
      const { db } = lb.running.services.database;
      const row = await db
        .selectFrom('audit_event')
        .select(['seq', 'username'])
        .orderBy('seq')
        .limit(1)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('audit_event')
        .set({ username: 'someone-else' })
        .where('seq', '=', row.seq)
        .execute();
      const broken = await cli(lb, 'audit', 'verify');
      expect(broken.code).toBe(1);
      expect(broken.out).toContain(`event ${row.seq} was altered`);
      await db
        .updateTable('audit_event')
        .set({ username: row.username })
        .where('seq', '=', row.seq)
        .execute();
      expect((await cli(lb, 'audit', 'verify')).code).toBe(0);
    });

    it('rotates the keys without rewriting objects: stored objects and the audit chain still open', async () => {
      const keyFile = path.join(lb.dataDir, 'master.key');
      const before = await readFile(keyFile, 'utf8');
      const rotated = await cli(lb, 'rotate-keys');
      expect(rotated.code).toBe(0);
      expect(rotated.out).toMatch(/New data key [0-9a-f]{16}/);
      expect(await readFile(keyFile, 'utf8')).not.toBe(before);
      // A fresh start reads the new key file: the object stored before the rotation is identical.
      const services = await createServices(
        loadConfig({ LIGHTBOX_DATA_DIR: lb.dataDir, LIGHTBOX_DATABASE_URL: lb.databaseUrl }),
        pino({ level: 'silent' }),
      );
      try {
        const [instance] = (
          await services.archive.prepareInstances(
            { studyUid: study },
            { username: 't', roles: ['admin'], protocol: 'system' },
          )
        ).instances;
        const parts: Buffer[] = [];
        for await (const part of await services.archive.openObject(instance!)) parts.push(part as Buffer);
        expect(Buffer.concat(parts).equals(Buffer.from(object))).toBe(true);
      } finally {
        await services.close();
      }
      expect((await cli(lb, 'audit', 'verify')).code).toBe(0);
    });
  });
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode, storeInArchive, syntheticStudy } from '../test-support/dimse-fixtures.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';

for (const dialect of DIALECTS) {
  describe(`a node query stops at the result limit on ${dialect} (issue #3)`, () => {
    let remote: TestLightbox;
    let local: TestLightbox;
    let dir: string;
    const patientId = `LIMIT-${dialect}`;

    beforeAll(async () => {
      // The remote archive: another Lightbox with five studies of one patient.
      remote = await startTestLightbox(dialect);
      for (let i = 0; i < 5; i++) await storeInArchive(remote, syntheticStudy(patientId, 1).files[0]!);
      // The local one may return at most two results to any query.
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-limit-'));
      const config = path.join(dir, 'lightbox.json');
      await writeFile(config, JSON.stringify({ archive: { qidoMaxResults: 2 } }));
      local = await startTestLightbox(dialect, { LIGHTBOX_CONFIG: config, LIGHTBOX_AE_TITLE: 'LOCAL' });
      expect(await registerNode(local, 'remote', { aet: TEST_AE_TITLE, port: remote.dicomPort })).toBe(201);
      // The remote answers queries from registered nodes only.
      expect(await registerNode(remote, 'local', { aet: 'LOCAL', port: local.dicomPort })).toBe(201);
    });
    afterAll(async () => {
      await local?.stop();
      await remote?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('cancels the C-FIND at the limit, answers what came, and says it was cut', async () => {
      const response = await fetch(`${local.baseUrl}/api/dicom-nodes/remote/query`, {
        method: 'POST',
        headers: { authorization: local.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ level: 'STUDY', keys: { PatientID: patientId, StudyInstanceUID: '' } }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as unknown[]).length).toBe(2);
      expect(response.headers.get('warning')).toMatch(/^299 lightbox "the node's matches were cut at 2/);
    });
  });
}

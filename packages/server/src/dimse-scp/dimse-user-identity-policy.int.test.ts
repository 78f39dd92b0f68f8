import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TransferSyntaxUid } from '@lightbox/dicom';
import { connectScu } from '@lightbox/dimse/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNode } from '../test-support/dimse-fixtures.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { createUser, TEST_USER_PASSWORD } from '../test-support/test-users.js';

const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

for (const dialect of DIALECTS) {
  describe(`dicom.queryRequiresUserIdentity on ${dialect} (issue #4 §2)`, () => {
    let lb: TestLightbox;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lightbox-identity-'));
      const config = path.join(dir, 'lightbox.json');
      await writeFile(config, JSON.stringify({ dicom: { queryRequiresUserIdentity: true } }));
      lb = await startTestLightbox(dialect, { LIGHTBOX_CONFIG: config });
      expect(await registerNode(lb, 'workstation', { aet: 'WORKSTATION', port: 104 })).toBe(201);
      await createUser(lb, 'reader', { roles: ['radiologist'] });
    });
    afterAll(async () => {
      await lb?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const associate = (userIdentity?: { username: string; password: string }) =>
      connectScu({
        port: lb.dicomPort,
        calledAeTitle: TEST_AE_TITLE,
        callingAeTitle: 'WORKSTATION',
        ...(userIdentity !== undefined ? { userIdentity } : {}),
        contexts: [
          {
            id: 1,
            abstractSyntax: STUDY_ROOT_FIND,
            transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian],
          },
          { id: 3, abstractSyntax: CT_STORAGE, transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian] },
        ],
      });

    it('refuses query contexts to a registered AE that names no user, and still lets it store', async () => {
      const association = await associate();
      expect(association.findContext(STUDY_ROOT_FIND)).toBeUndefined();
      expect(association.findContext(CT_STORAGE)).toBeDefined();
      await association.release();
    });

    it('accepts them from the same AE once a user identity is verified', async () => {
      const association = await associate({ username: 'reader', password: TEST_USER_PASSWORD });
      expect(association.findContext(STUDY_ROOT_FIND)).toBeDefined();
      await association.release();
    });
  });
}

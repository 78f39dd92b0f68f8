import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateUid } from '@lightbox/dicom';
import { syntheticImage } from '@lightbox/dicom/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../test-support/dicomweb-client.js';
import { DIALECTS } from '../test-support/test-databases.js';
import { startTestLightbox, TEST_AE_TITLE, type TestLightbox } from '../test-support/test-lightbox.js';
import { basicAuth, createUser } from '../test-support/test-users.js';

const run = promisify(execFile);

interface Notice {
  subject: string;
  body: string;
}

for (const dialect of DIALECTS) {
  describe(`intrusion detection on ${dialect} (issue #4 §6)`, () => {
    let lb: TestLightbox;
    let officer: string;
    const notices = async (): Promise<Notice[]> => {
      await lb.running.services.audit.flush();
      // Notices are written just after the events that raise them.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (await (
        await fetch(`${lb.baseUrl}/api/notifications`, { headers: { authorization: officer } })
      ).json()) as Notice[];
    };

    beforeAll(async () => {
      lb = await startTestLightbox(dialect);
      officer = await createUser(lb, 'officer', { roles: ['security-officer'] });
    });
    afterAll(async () => {
      await lb?.stop();
    });

    it('tells the security officer of password guessing and of the account it locked', async () => {
      await createUser(lb, 'target', { roles: ['radiologist'] });
      for (let i = 0; i < 10; i++) {
        await fetch(`${lb.baseUrl}/api/me`, {
          headers: { authorization: basicAuth('target', `guess-${i}`) },
        });
      }
      const subjects = (await notices()).map((n) => n.subject);
      expect(subjects).toContain('Password guessing suspected from 127.0.0.1');
      expect(subjects).toContain('Account target locked');
    });

    it('tells of a user who opens the images of an unusual number of patients', async () => {
      const objects = Array.from({ length: 50 }, (_, i) =>
        syntheticImage({
          patientId: `BROWSE-${i}`,
          studyInstanceUid: generateUid(),
          sopInstanceUid: generateUid(),
        }),
      );
      const { body, contentType } = multipartBody(objects.map((bytes) => ({ bytes })));
      expect(
        (
          await fetch(`${lb.dicomweb}/studies`, {
            method: 'POST',
            body,
            headers: { authorization: lb.authorization, 'content-type': contentType },
          })
        ).status,
      ).toBe(200);
      const curious = await createUser(lb, 'curious', { roles: ['radiologist'] });
      const list = (await (
        await fetch(`${lb.dicomweb}/studies?PatientID=BROWSE-*&limit=100`, {
          headers: { authorization: curious },
        })
      ).json()) as Record<string, { Value: string[] }>[];
      expect(list).toHaveLength(50);
      // Listing them is not opening them: no alert yet.
      expect((await notices()).map((n) => n.subject)).not.toContain('Unusual access by curious');
      for (const study of list) {
        const response = await fetch(`${lb.dicomweb}/studies/${study['0020000D']!.Value[0]}/metadata`, {
          headers: { authorization: curious },
        });
        expect(response.status).toBe(200);
      }
      const notice = (await notices()).find((n) => n.subject === 'Unusual access by curious');
      expect(notice?.body).toMatch(/opened the images of 50 patients/);
      const alerts = (await (
        await fetch(`${lb.baseUrl}/api/audit-events?user=curious&eventId=110113`, {
          headers: { authorization: officer },
        })
      ).json()) as {
        detail: string;
      }[];
      expect(alerts.some((a) => a.detail.startsWith('intrusion detection:'))).toBe(true);
    });

    it('tells of an association from a DICOM node nobody registered', async () => {
      await run('echoscu', ['-aet', 'STRANGER', '-aec', TEST_AE_TITLE, '127.0.0.1', String(lb.dicomPort)], {
        env: { ...process.env, TCP_NODELAY: '1' },
      });
      const notice = (await notices()).find((n) => n.subject === 'Unregistered DICOM node STRANGER');
      expect(notice?.body).toContain('127.0.0.1');
    });
  });
}
